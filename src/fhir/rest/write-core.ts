import type { Resource } from '@medplum/fhirtypes';
import type { AuthContext, FhirContext } from '../context.js';
import { fhirError, FhirError } from '../errors.js';
import { parseFhirJson, withId } from '../json-decimals.js';
import type { ResourceStore, SearchIndex, StoreTx, VersionRecord } from '../../storage/types.js';
import { findConditionalMatches, indexResource } from '../../search/search-service.js';
import { assertCanSee, assertCanWrite, canSee, inOwnCompartment, patientRestriction } from '../../auth/authorize.js';
import { conditionKey } from './request-utils.js';
import { matchedVersion, refuseNoneMatch, type EtagCondition } from './etag.js';
import { prepareIncoming } from './validate-incoming.js';
import { applyJsonPatch } from './json-patch.js';
import { refuseBuiltInWrite } from './built-ins.js';

/**
 * Write primitives that run inside a store transaction. The single-resource interactions and the
 * Bundle processor share them, so a transaction entry behaves exactly like the request it stands
 * for. Resources arrive here already validated, except patch results (validated here, since the
 * patched resource only exists once the current version has been read inside the transaction).
 */
export type Stored = Resource & { id: string };

/** `If-Match` as parsed from a header or a transaction entry's `request.ifMatch` (etag.ts). */
export type IfMatch = EtagCondition | undefined;
/** `If-None-Match` likewise (`request.ifNoneMatch`): a write it fails on answers 412 (etag.ts refuseNoneMatch). */
export type IfNoneMatch = EtagCondition | undefined;

export interface WriteResult {
  record: VersionRecord;
  /** 201 created, 200 updated (or matched by If-None-Exist). */
  status: 200 | 201;
}

export function parseRecord(rec: VersionRecord): Resource {
  return parseFhirJson(rec.json!) as Resource;
}

/** Throws 404 for a missing resource and 410 for a deleted one. */
export function requireLive(rec: VersionRecord | undefined, type: string, id: string): VersionRecord & { json: string } {
  if (!rec) throw fhirError('NOT_FOUND', `${type}/${id} is not known`);
  if (rec.deleted) throw fhirError('GONE', `${type}/${id} was deleted (version ${rec.versionId})`);
  return rec as VersionRecord & { json: string };
}

/** Where past versions are read (they never change, so outside a store transaction too). */
export type VersionReader = Pick<ResourceStore, 'vread'>;

/**
 * The current record as a patient-level token may know it: a tombstone has no body, so a deleted
 * resource is judged by the version its deletion ended, and one that was outside the token's
 * compartment is undefined, an unknown id. Answering it 410 Gone, naming its deletion version
 * under If-Match, or letting the token re-create it over the other patient's history would tell
 * that the id existed elsewhere.
 */
export async function knownRecord(versions: VersionReader, auth: AuthContext | undefined, rec: VersionRecord | undefined): Promise<VersionRecord | undefined> {
  if (auth?.patient === undefined || !rec?.deleted || rec.versionId < 2) return rec;
  const live = await versions.vread(rec.resourceType, rec.id, rec.versionId - 1);
  return live?.json && !inOwnCompartment(auth, parseRecord(live)) ? undefined : rec;
}

/**
 * The current record a write replaces, with its body when a patient-level token's checks need it:
 * parsed once here, for the compartment test and then for checkWritable (a stored Variant or
 * MolecularSequence can be large; the other tokens never parse it).
 */
interface Current {
  rec: VersionRecord;
  body?: Resource;
}

/**
 * The current record as a write that a patient-level token sends may know it: another patient's
 * resource, live or deleted, is absent (undefined). A delete of it then changes nothing and
 * answers as for an unknown id, and If-Match fails as on an unknown id: 404 against 204, or 404
 * against 412, told another patient's ids from free ones without writing anything.
 */
async function writableRecord(versions: VersionReader, auth: AuthContext | undefined, rec: VersionRecord | undefined): Promise<Current | undefined> {
  const known = await knownRecord(versions, auth, rec);
  if (!known) return undefined;
  if (auth?.patient === undefined || known.deleted || !known.json) return { rec: known };
  const body = parseRecord(known);
  return inOwnCompartment(auth, body) ? { rec: known, body } : undefined;
}

/** Visibility check on a stored record (the auth module decides; skipped without a token). */
export function checkVisible(auth: AuthContext | undefined, rec: VersionRecord): void {
  // Only patient-level tokens need the body (compartment membership); type scopes need the type
  // alone, so system/user tokens keep the no-parse fast read path.
  if (auth && rec.json) assertCanSee(auth, auth.patient === undefined ? { resourceType: rec.resourceType, id: rec.id } : parseRecord(rec));
}

/**
 * Compartment check for writes (patient-level tokens write only inside their compartment): what is
 * written must land inside it (403). What it replaces is checkReplaceable's.
 */
export function checkWritable(auth: AuthContext | undefined, resource: Resource): void {
  if (auth?.patient !== undefined) assertCanWrite(auth, resource);
}

/**
 * The compartment check on the stored record a write replaces: outside the token's compartment it
 * answers 404 like a read where the token cannot even see it, so that existence does not leak.
 * `current`: its body, when already parsed (writableRecord); parsing is skipped for tokens
 * without a patient.
 */
export function checkReplaceable(auth: AuthContext | undefined, rec: VersionRecord, current?: Resource): void {
  if (auth?.patient === undefined || !rec.json) return;
  current ??= parseRecord(rec);
  try {
    assertCanWrite(auth, current);
  } catch (err) {
    // what the token cannot even see answers as a read would (its existence does not leak)
    if (err instanceof FhirError && err.status === 403 && !canSee(auth, current)) throw fhirError('NOT_FOUND', `${rec.resourceType}/${rec.id} is not known`);
    throw err;
  }
}

/**
 * `index`: indexResource(resource, config.baseUrl), computed before the transaction where it can
 * be (plain create/update) to keep the writer lock short.
 */
export async function putInTx(tx: StoreTx, resource: Stored, ifVersion: number | undefined, index: SearchIndex): Promise<VersionRecord> {
  refuseBuiltInWrite(resource.resourceType, resource.id); // every write of a resource comes through here
  return tx.put(resource, index, ifVersion === undefined ? undefined : { ifVersion });
}

/**
 * Current matches of a conditional request, serialized on the criteria so that N identical
 * concurrent conditional creates/updates see each other (https://hl7.org/fhir/R4/http.html#ccreate).
 */
export async function conditionalMatches(
  tx: StoreTx, type: string, queryString: string, auth?: AuthContext, mode: 'see' | 'write' = 'write',
): Promise<VersionRecord[]> {
  await tx.lock(conditionKey(type, queryString));
  const { matches, issues } = await findConditionalMatches(tx, type, queryString, 2, patientRestriction(auth));
  const errors = issues.filter((i) => i.severity === 'error' || i.severity === 'fatal');
  if (errors.length) throw new FhirError('INVALID_SEARCH', errors[0].diagnostics, { issues: errors });
  for (const m of matches) (mode === 'see' ? checkVisible : checkReplaceable)(auth, m);
  return matches;
}

/**
 * The search criteria of an If-None-Exist (header or `Bundle.entry.request.ifNoneExist`): the
 * spec's form is the query alone (`identifier=…`); a leading `Patient?` (or `/Patient?`,
 * `{BASE_URL}/Patient?`, `?`), as clients also write it, is dropped. Only a prefix before any `=`
 * is one: a `?` inside a value is data (cutting from the last `?` turned `identifier=x|zz&_id=a?_id=p1` into `_id=p1`, and
 * answered that unrelated resource). A prefix naming another type is refused: those are not
 * criteria for `type`, and reading them as such would match or create the wrong thing. So is one
 * on another base (`http://other.org/fhir/Patient?…`): criteria of another server's search, which
 * run here would answer (or create) a resource of this server the client did not ask about.
 * `ownBase`: config.baseUrl; `expression`: the transaction entry's element, absent for the header.
 */
export function ifNoneExistCriteria(value: string, type: string, ownBase: string, expression?: string): string {
  const q = value.indexOf('?');
  if (q < 0) return value;
  const prefix = value.slice(0, q);
  if (/[=&]/.test(prefix)) return value;
  const cut = prefix.lastIndexOf('/') + 1;
  const named = prefix.slice(cut);
  const base = prefix.slice(0, cut);
  const what = expression ?? 'If-None-Exist';
  if (named !== '' && named !== type) throw fhirError('BAD_REQUEST', `${what} names ${named}, not ${type}: its criteria are the search parameters of ${type} (identifier=…)`, expression);
  // relative (`Patient?`, `/Patient?` as request.url reads it), on our own BASE_URL, or on its
  // path (`/fhir/Patient?`, the form a client that knows only the path sends)
  if (base !== '' && base !== '/' && base !== `${ownBase}/` && base !== `${basePath(ownBase)}/`) {
    throw fhirError('BAD_REQUEST', `${what} is on another base (${base.slice(0, -1) || '/'}), not this server's ${ownBase}: send the criteria alone (identifier=…) or as ${ownBase}/${type}?…`, expression);
  }
  return value.slice(q + 1);
}

/** The path of a base URL (`http://h/fhir` → `/fhir`); '' where it has none or is not a URL. */
function basePath(base: string): string {
  try {
    return new URL(base).pathname.replace(/\/$/, '');
  } catch {
    return '';
  }
}

/**
 * Create, optionally conditional (`criteria`: ifNoneExistCriteria of the If-None-Exist): one match
 * answers it with 200, several 412.
 */
export async function createInTx(
  tx: StoreTx, resource: Stored, criteria: string | undefined, auth: AuthContext | undefined, index: SearchIndex,
): Promise<WriteResult> {
  checkWritable(auth, resource);
  if (criteria !== undefined) {
    // The match is answered in place of the new resource, so the caller must be able to see it.
    const matches = await conditionalMatches(tx, resource.resourceType, criteria, auth, 'see');
    if (matches.length > 1) throw fhirError('MULTIPLE_MATCHES', `If-None-Exist matched several ${resource.resourceType} resources`);
    if (matches.length === 1) return { record: matches[0], status: 200 };
  }
  return { record: await putInTx(tx, resource, 0, index), status: 201 };
}

/** Update by id; creates the resource when the id is new (update-as-create). */
export async function updateInTx(
  tx: StoreTx, resource: Stored, ifMatch: IfMatch, auth: AuthContext | undefined, index: SearchIndex, versions: VersionReader, ifNoneMatch?: IfNoneMatch,
): Promise<WriteResult> {
  checkWritable(auth, resource);
  const stored = await tx.read(resource.resourceType, resource.id);
  const writable = await writableRecord(versions, auth, stored);
  if (stored && !writable) {
    // another patient's resource, live or deleted: If-Match fails as on an absent id (412); else
    // 404 as a read answers; it is neither replaced nor re-created as the token's
    matchedVersion(ifMatch, undefined, `${resource.resourceType}/${resource.id}`);
    throw fhirError('NOT_FOUND', `${resource.resourceType}/${resource.id} is not known`);
  }
  const current = writable?.rec;
  if (current && !current.deleted) checkReplaceable(auth, current, writable!.body);
  const ifVersion = matchedVersion(ifMatch, current, `${resource.resourceType}/${resource.id}`);
  refuseNoneMatch(ifNoneMatch, current, `${resource.resourceType}/${resource.id}`);
  const record = await putInTx(tx, resource, ifVersion, index);
  return { record, status: current && !current.deleted ? 200 : 201 };
}

/**
 * A conditional update whose criteria match nothing, with an id in the body: update-as-create
 * (R4) when the id is free, 409 when it names a live resource, which does not meet the criteria
 * (R5 http.html#cond-update: "rejects the update with a 409 Conflict"): replacing it would
 * overwrite a resource the client did not select.
 */
export async function refuseUnmatchedLiveId(tx: StoreTx, type: string, id: string, auth: AuthContext | undefined): Promise<void> {
  const current = await tx.read(type, id);
  if (current && !current.deleted) {
    // a resource the token may not see answers as a read would (404): a 409 would tell another
    // patient's id from a free one
    checkReplaceable(auth, current);
    throw fhirError('CONFLICT', `The criteria match no ${type}, and ${type}/${id} exists without matching them: it is not replaced`, `${type}.id`);
  }
}

/** Conditional update (https://hl7.org/fhir/R4/http.html#cond-update); `ownBase`: config.baseUrl, for its index. */
export async function conditionalUpdateInTx(
  tx: StoreTx, resource: Resource, queryString: string, ifMatch: IfMatch, newId: () => string, auth: AuthContext | undefined, ownBase: string, versions: VersionReader,
  ifNoneMatch?: IfNoneMatch,
): Promise<WriteResult> {
  checkWritable(auth, resource);
  const matches = await conditionalMatches(tx, resource.resourceType, queryString, auth);
  if (matches.length > 1) throw fhirError('MULTIPLE_MATCHES', `The criteria match several ${resource.resourceType} resources`);
  if (matches.length === 1) {
    const id = matches[0].id;
    if (resource.id !== undefined && resource.id !== id) {
      throw fhirError('BAD_REQUEST', `Resource id "${resource.id}" differs from the matched ${resource.resourceType}/${id}`, `${resource.resourceType}.id`);
    }
    const matched = withId(resource, id);
    const ifVersion = matchedVersion(ifMatch, matches[0], `${resource.resourceType}/${id}`);
    refuseNoneMatch(ifNoneMatch, matches[0], `${resource.resourceType}/${id}`);
    return { record: await putInTx(tx, matched, ifVersion, indexResource(matched, ownBase)), status: 200 };
  }
  if (resource.id !== undefined) {
    // no match, and an id: update-as-create, unless that id is taken
    await refuseUnmatchedLiveId(tx, resource.resourceType, resource.id, auth);
    return updateInTx(tx, resource as Stored, ifMatch, auth, indexResource(resource, ownBase), versions, ifNoneMatch);
  }
  // no match: If-Match names a version of nothing, so it cannot hold
  matchedVersion(ifMatch, undefined, `${resource.resourceType}?${queryString}`);
  const created = withId(resource, newId());
  return { record: await putInTx(tx, created, 0, indexResource(created, ownBase)), status: 201 };
}

/** JSON Patch on the current version; the patched result is validated like any incoming resource. */
export async function patchInTx(
  ctx: FhirContext, tx: StoreTx, type: string, id: string, ops: unknown[], ifMatch: IfMatch, auth?: AuthContext,
  /** A transaction's reference rewriting (fullUrls to ids), applied to the patched resource before it is checked. */
  rewrite?: (patched: Resource) => void,
  ifNoneMatch?: IfNoneMatch,
): Promise<WriteResult> {
  refuseBuiltInWrite(type, id); // before the read: a built-in is not in the store (404 would mislead)
  const current = requireLive(await knownRecord(ctx.store, auth, await tx.read(type, id)), type, id);
  const body = parseRecord(current); // once, for the compartment check and the patch
  checkReplaceable(auth, current, body);
  matchedVersion(ifMatch, current, `${type}/${id}`);
  refuseNoneMatch(ifNoneMatch, current, `${type}/${id}`);
  const patched = applyJsonPatch(body, ops);
  rewrite?.(patched);
  let resource: Stored;
  try {
    resource = prepareIncoming(ctx, patched, { resourceType: type, id }) as Stored;
  } catch (err) {
    // the patch document was fine; what it makes is not a valid resource (http.html#patch: 422)
    if (err instanceof FhirError && err.status === 400) throw new FhirError('UNPROCESSABLE', err.message, { issues: err.issues });
    throw err;
  }
  checkWritable(auth, resource);
  return { record: await putInTx(tx, resource, current.versionId, indexResource(resource, ctx.config.baseUrl)), status: 200 };
}

/** Delete by id: idempotent, a missing or already deleted resource is not an error. */
export async function deleteInTx(
  tx: StoreTx, type: string, id: string, ifMatch: IfMatch, auth: AuthContext | undefined, versions: VersionReader, ifNoneMatch?: IfNoneMatch,
): Promise<VersionRecord | undefined> {
  refuseBuiltInWrite(type, id); // a 204 would be false: the definition stays readable
  // another patient's resource, live or deleted, is absent for this token: nothing is deleted
  const writable = await writableRecord(versions, auth, await tx.read(type, id));
  const current = writable?.rec;
  if (current && !current.deleted) checkReplaceable(auth, current, writable!.body);
  const ifVersion = matchedVersion(ifMatch, current, `${type}/${id}`);
  refuseNoneMatch(ifNoneMatch, current, `${type}/${id}`);
  if (!current) return undefined;
  return tx.delete(type, id, ifVersion === undefined ? undefined : { ifVersion });
}

/**
 * Conditional delete: one match is deleted, several answer 412 (conditionalDelete = single).
 * If-Match is held against the match, as a conditional update holds it: with no match it names a
 * version of nothing (412, as a delete by id of an unknown id).
 */
export async function conditionalDeleteInTx(
  tx: StoreTx, type: string, queryString: string, auth?: AuthContext, ifMatch?: IfMatch, ifNoneMatch?: IfNoneMatch,
): Promise<VersionRecord | undefined> {
  const matches = await conditionalMatches(tx, type, queryString, auth);
  if (matches.length > 1) throw fhirError('MULTIPLE_MATCHES', `The criteria match several ${type} resources; refine them to delete one`);
  const ifVersion = matchedVersion(ifMatch, matches[0], matches.length ? `${type}/${matches[0].id}` : `${type}?${queryString}`);
  if (!matches.length) return undefined;
  refuseBuiltInWrite(type, matches[0].id);
  refuseNoneMatch(ifNoneMatch, matches[0], `${type}/${matches[0].id}`);
  return tx.delete(type, matches[0].id, ifVersion === undefined ? undefined : { ifVersion });
}
