import type { Bundle, BundleEntry } from '@medplum/fhirtypes';
import type { FhirContext, FhirRequest, FhirResponse } from '../context.js';
import { fhirError, FhirError } from '../errors.js';
import { patientRestriction } from '../../auth/authorize.js';
import type { StoreTx } from '../../storage/types.js';
import { findConditionalMatches, indexResource } from '../../search/search-service.js';
import { preferReturn } from '../rest/request-utils.js';
import { newId } from '../rest/write.js';
import { checkVisible, checkWritable, conditionalMatches, deleteInTx, patchInTx, putInTx, refuseUnmatchedLiveId, updateInTx, type Stored } from '../rest/write-core.js';
import { conditionalReferences, rewriteReferences, type RewriteLog } from './references.js';
import { adopt, withId } from '../json-decimals.js';
import { entryFromResponse, entryFromWrite, errorForEntry } from './entry-response.js';
import { readThrough } from '../../storage/tx-view.js';
import { entryToRequest } from './entry-request.js';
import { throwIfInvalid, validationNotes } from '../rest/validate-incoming.js';
import { profileTargetErrors } from '../../validation/profiles/index.js';
import { ORDER, planReset, planTransaction, type Planned } from './transaction-plan.js';
import { throwIfConditionsNowAmbiguous, throwIfSameConditions } from './transaction-conditions.js';
import { ResponseBudget, responseTooLarge } from './response-budget.js';
import { entryNotes, noteEntry } from './entry-audit.js';
import { withPendingWrites, type PendingWrite } from './pending-writes.js';

/**
 * Transaction Bundles (https://hl7.org/fhir/R4/http.html#transaction): all or nothing, in ONE
 * store transaction. Inside it: (1) the DELETEs are resolved and run, (2) the other conditions are
 * resolved (If-None-Exist, conditional update/patch targets, conditional references), (3) ids are
 * assigned and every `urn:uuid:` reference rewritten, (4) the other writes run in the spec's
 * order, (5) the GETs run on the state they made. Any error, a GET's included, aborts the store transaction (nothing is
 * kept) and answers an OperationOutcome naming the entry.
 */
const ABSOLUTE = /^https?:\/\/.+\/([A-Z][A-Za-z]+\/[A-Za-z0-9\-.]{1,64})$/;

/** Runs one request as a standalone one would; `ctx` when not the server's own (a transaction's reads). */
export type Dispatch = (req: FhirRequest, ctx?: FhirContext) => Promise<FhirResponse>;

async function resolveTargets(tx: StoreTx, plan: Planned[], req: FhirRequest): Promise<void> {
  for (const p of plan) {
    try {
      await resolveTarget(tx, p, req);
    } catch (err) {
      throw errorForEntry(err, p.index);
    }
  }
}

async function resolveTarget(tx: StoreTx, p: Planned, req: FhirRequest): Promise<void> {
  if (p.kind === 'create') {
    if (p.ifNoneExist !== undefined) {
      const m = await conditionalMatches(tx, p.type!, p.ifNoneExist, req.auth);
      if (m.length > 1) throw fhirError('MULTIPLE_MATCHES', `If-None-Exist matched several ${p.type} resources`);
      if (m.length === 1) p.existing = m[0];
    }
    p.id = p.existing?.id ?? newId();
  } else if (p.condition !== undefined && p.kind !== 'get') {
    const m = await conditionalMatches(tx, p.type!, p.condition, req.auth);
    if (m.length > 1) throw fhirError('MULTIPLE_MATCHES', `The criteria of this ${p.kind} match several ${p.type} resources`);
    if (m.length === 1) {
      if (p.resource?.id !== undefined && p.resource.id !== m[0].id) throw fhirError('BAD_REQUEST', `Resource id ${p.resource.id} differs from the matched ${p.type}/${m[0].id}`, `${p.type}.id`);
      p.id = m[0].id;
    } else if (p.kind === 'update') {
      if (p.resource?.id !== undefined) await refuseUnmatchedLiveId(tx, p.type!, p.resource.id, req.auth);
      p.id = p.resource?.id ?? newId();
    }
    else if (p.kind === 'patch') throw fhirError('NOT_FOUND', `Conditional patch matched no ${p.type}`);
    // a conditional delete without a match deletes nothing
  }
}

/** Adds to `map` what each conditional reference (`Patient?identifier=…`) names: its one match. */
async function resolveConditionalReferences(tx: StoreTx, refs: string[], map: Map<string, string>, req: FhirRequest): Promise<void> {
  for (const ref of refs) {
    if (map.has(ref)) continue;
    const [type, criteria] = [ref.slice(0, ref.indexOf('?')), ref.slice(ref.indexOf('?') + 1)];
    // a patient-level token resolves only inside its compartment (nothing else may be named)
    const { matches, issues } = await findConditionalMatches(tx, type, criteria, 2, patientRestriction(req.auth));
    // criteria that are no criteria (`Patient?_count=1`) or unknown parameters: 400, as for a conditional write
    const errors = issues.filter((i) => i.severity === 'error' || i.severity === 'fatal');
    if (errors.length) throw new FhirError('INVALID_SEARCH', `Conditional reference ${ref}: ${errors[0].diagnostics}`, { issues: errors });
    if (matches.length !== 1) throw fhirError('PRECONDITION_FAILED', `Conditional reference ${ref} matched ${matches.length} resources (needs exactly one)`);
    map.set(ref, `${type}/${matches[0].id}`);
  }
}

/** What the POST entries that create and the PUT entries will write, ids resolved (resolveTargets). */
function pendingWrites(ctx: FhirContext, plan: readonly Planned[]): PendingWrite[] {
  const out: PendingWrite[] = [];
  for (const p of plan) {
    if (!p.resource || p.id === undefined || !(p.kind === 'update' || (p.kind === 'create' && !p.existing))) continue;
    const resource = withId(p.resource, p.id) as Stored;
    out.push({ resource, index: indexResource(resource, ctx.config.baseUrl), replaces: p.kind === 'update' });
  }
  return out;
}

/** Rewrites every entry's references; answers what fullUrls and conditional references became (`Type/id`). */
async function rewriteAll(ctx: FhirContext, tx: StoreTx, plan: Planned[], req: FhirRequest, log: RewriteLog): Promise<Map<string, string>> {
  const map = new Map<string, string>();
  const claimed = new Map<string, number>();
  for (const p of plan) {
    if (p.kind === 'get' || !p.id) continue;
    const key = `${p.type}/${p.id}`;
    if (claimed.has(key) && !p.existing) throw errorForEntry(fhirError('BAD_REQUEST', `${key} is also the target of Bundle.entry[${claimed.get(key)}]`), p.index);
    claimed.set(key, p.index);
    if (p.entry.fullUrl && (p.kind === 'create' || p.kind === 'update')) {
      map.set(p.entry.fullUrl, key);
      // An absolute fullUrl `base/Type/id` is also what a relative reference `Type/id` in this
      // Bundle resolves to (https://hl7.org/fhir/R4/bundle.html#references): rewrite those too.
      const abs = ABSOLUTE.exec(p.entry.fullUrl);
      if (abs && p.kind === 'create') map.set(abs[1], key);
    }
  }
  const conditional = plan.map((p) => (p.resource || p.patch ? conditionalReferences(p.resource, p.patch) : []));
  // searched on the store as the transaction leaves it (./pending-writes.ts), the writes indexed as posted
  const view = conditional.some((c) => c.length) ? withPendingWrites(tx, pendingWrites(ctx, plan)) : tx;
  for (const [i, p] of plan.entries()) {
    if (!p.resource && !p.patch) continue;
    try {
      // a PATCH's conditional references are answered here too, before any write, as the others are
      await resolveConditionalReferences(view, conditional[i], map, req);
      if (p.resource) {
        const before = log.length;
        rewriteReferences(p.resource, map, log);
        // a resolved reference may now name a type its profile does not allow (422, as a direct write)
        if (log.length > before) throwIfInvalid(profileTargetErrors(p.resource as unknown as Record<string, unknown>, { strictProfiles: ctx.config.strictProfiles }));
      }
    } catch (err) {
      throw errorForEntry(err, p.index);
    }
  }
  return map;
}

async function execute(ctx: FhirContext, tx: StoreTx, p: Planned, req: FhirRequest, refs: Map<string, string>): Promise<void> {
  if (p.kind === 'delete') {
    if (p.id === undefined) return void (p.status = 204);
    p.record = await deleteInTx(tx, p.type!, p.id, p.ifMatch, req.auth, ctx.store, p.ifNoneMatch);
    p.status = 204;
  } else if (p.kind === 'create') {
    if (p.existing) {
      checkVisible(req.auth, p.existing);
      p.record = p.existing;
      p.status = 200;
    } else {
      checkWritable(req.auth, p.resource!);
      const created = withId(p.resource!, p.id!) as Stored;
      p.record = await putInTx(tx, created, 0, indexResource(created, ctx.config.baseUrl));
      p.status = 201;
    }
  } else if (p.kind === 'update') {
    const updated = withId(p.resource!, p.id!) as Stored;
    const r = await updateInTx(tx, updated, p.ifMatch, req.auth, indexResource(updated, ctx.config.baseUrl), ctx.store, p.ifNoneMatch);
    p.record = r.record;
    p.status = r.status;
  } else if (p.kind === 'patch') {
    // what a patch writes is a resource of this Bundle too: its references to entries and its
    // conditional references (resolved by rewriteAll) are rewritten (a fresh object each attempt: nothing to undo)
    const r = await patchInTx(ctx, tx, p.type!, p.id!, p.patch!, p.ifMatch, req.auth, (patched) => rewriteReferences(patched, refs, []), p.ifNoneMatch);
    p.record = r.record;
    p.status = r.status;
  }
}

async function runEntries(ctx: FhirContext, tx: StoreTx, plan: Planned[], req: FhirRequest, refs = new Map<string, string>()): Promise<void> {
  for (const p of plan) {
    try {
      await execute(ctx, tx, p, req, refs);
    } catch (err) {
      throw errorForEntry(err, p.index);
    }
  }
}

export async function processTransaction(ctx: FhirContext, req: FhirRequest, entries: BundleEntry[], dispatch: Dispatch): Promise<FhirResponse> {
  if (!ctx.store.supportsTransactions()) {
    throw fhirError('TRANSACTIONS_UNSUPPORTED', `This ${ctx.store.kind} store cannot run multi-resource transactions (MongoDB needs a replica set); nothing was stored. Send the Bundle as type "batch" instead.`);
  }
  const plan = planTransaction(ctx, req, entries);
  const pref = preferReturn(req.headers);
  const ordered = [...plan].sort((a, b) => ORDER[a.kind] - ORDER[b.kind] || a.index - b.index);
  throwIfSameConditions(plan);
  const rewrites: RewriteLog = [];
  const reset = planReset(plan, rewrites);
  // The store may run this more than once (MongoDB, after a transient write conflict): every
  // attempt starts from the plan as made, and what it answers is its own (nothing of an attempt
  // that was rolled back, whose ids were never committed, may reach the resources or the response).
  const { out, notes } = await ctx.store.transaction(async (tx) => {
    reset();
    // DELETEs run first (http.html#trules), so the conditions of the other entries (If-None-Exist,
    // conditional update criteria, conditional references) are answered on the state they leave:
    // never by a resource this transaction deletes, which would be answered and referred to as if
    // it lived on. The others are all resolved before any of them writes (./transaction-conditions.ts).
    const deletes = ordered.filter((p) => p.kind === 'delete');
    const others = ordered.filter((p) => p.kind !== 'delete');
    await resolveTargets(tx, deletes, req);
    await runEntries(ctx, tx, deletes, req);
    await resolveTargets(tx, others, req);
    const refs = await rewriteAll(ctx, tx, ordered, req, rewrites);
    await runEntries(ctx, tx, others, req, refs);
    await throwIfConditionsNowAmbiguous(tx, plan, req.auth);
    // The entries are answered here, before commit, so that a response too big to send
    // refuses the transaction instead of failing it after commit (./response-budget.ts).
    const out: BundleEntry[] = new Array(plan.length);
    const notes = plan.map(() => entryNotes(req));
    const budget = new ResponseBudget(ctx.config.security.maxBundleResponseBytes);
    for (const p of ordered) {
      if (p.kind === 'get') continue;
      const entry = entryFromWrite(ctx, p.record, p.status ?? 200, pref, `${p.kind} ${p.type}/${p.id ?? ''}`, p.resource ? validationNotes(p.resource) : []);
      if (!budget.fits(entry)) throw responseTooLarge(budget.limit);
      out[p.index] = entry;
      // a delete's tombstone names no patient: the audit hook looks the last live version up
      if (p.record?.json) notes[p.index]?.touched.push(p.record.json);
    }
    // GETs run last (http.html#trules), inside the store transaction, on the state its writes
    // made (../../storage/tx-view.ts): a transaction succeeds or fails as a whole
    // (http.html#transaction), so a GET that fails (an unknown id, a bad search) fails it, and
    // nothing is stored. Each runs as the standalone request would, authorization included.
    // what the writes wrote, in the order written (deletes first): a _history entry lists them too
    const written = ordered.filter((p) => p.kind !== 'get' && p.record).map((p) => ({ resourceType: p.record!.resourceType, id: p.record!.id }));
    const reads = { ...ctx, store: readThrough(ctx.store, tx, written) };
    for (const p of ordered) {
      if (p.kind !== 'get') continue;
      try {
        const entry = entryFromResponse(ctx, await dispatch({ ...entryToRequest(req, p.target, p.entry), audit: notes[p.index] }, reads), p.target);
        if (!budget.fits(entry)) throw responseTooLarge(budget.limit);
        out[p.index] = entry;
      } catch (err) {
        throw errorForEntry(err, p.index);
      }
    }
    return { out, notes };
  }, { multi: true });

  for (const p of plan) noteEntry(req, p.entry, out[p.index], notes[p.index]);
  const bundle: Bundle = { resourceType: 'Bundle', type: 'transaction-response', ...(out.length ? { entry: out } : {}) };
  for (const e of out) adopt(bundle, e.resource); // decimals as written (json-decimals.ts)
  return { status: 200, body: bundle };
}
