import type { Bundle, BundleEntry, BundleLink, Resource } from '@medplum/fhirtypes';
import type { FhirContext, FhirRequest, FhirResponse } from '../context.js';
import { fhirError, FhirError } from '../errors.js';
import { authorize, patientRestriction } from '../../auth/authorize.js';
import type { VersionRecord } from '../../storage/types.js';
import { checkId, GENERAL_PARAMETERS, param, preferStrict } from './request-utils.js';
import { etag } from './response.js';
import { checkVisible, parseRecord } from './write-core.js';
import { adopt } from '../json-decimals.js';
import { BUILT_IN_TYPES, builtInResource, builtInResources } from './built-ins.js';
import { dateRange } from '../../search/normalize.js';

/**
 * history at instance, type and system level (https://hl7.org/fhir/R4/http.html#history), newest
 * first, with `_since`, `_count` and keyset paging (`_cursor` = the commit sequence of the last
 * entry shown, so pages stay stable while new versions are written).
 */
function count(ctx: FhirContext, req: FhirRequest): number {
  const raw = param(req, '_count');
  if (raw === undefined) return ctx.config.defaultCount;
  if (!/^\d+$/.test(raw)) throw fhirError('BAD_REQUEST', `_count must be a non-negative integer (got "${raw}")`, '_count');
  return Math.min(Number(raw), ctx.config.maxCount);
}

/**
 * The start of `name`'s value, read as search reads dates (dateRange): a day the month lacks
 * (2021-02-29) is refused rather than rolled into March as Date.parse does, and a time without a
 * zone is UTC whatever the server's zone.
 */
function instant(req: FhirRequest, name: string): number | undefined {
  const raw = param(req, name);
  if (raw === undefined) return undefined;
  const range = dateRange(raw);
  if (!range) throw fhirError('BAD_REQUEST', `${name} must be a FHIR instant such as 2024-01-31T10:00:00Z (got "${raw}")`, name);
  return range.s;
}

/** What history reads, with `_format` and `_pretty`, which every interaction takes. */
const READ_PARAMS = new Set(['_count', '_since', '_cursor', '_total', ...GENERAL_PARAMETERS]);

/**
 * Ignoring `_at` or `_list` (R4 history parameters not implemented here) or `_type` (not an R4
 * history parameter; R5's system-level one) would answer a different question than the one
 * asked, about other times, resources or types: 400. Another parameter is ignored, as search
 * ignores an unknown one, and refused under `Prefer: handling=strict`
 * (https://hl7.org/fhir/R4/http.html#prefer). No warning is returned with what is ignored: every
 * entry of an R4 history Bundle is a version, with its request and response (bdl-3, bdl-4), so
 * there is no OperationOutcome entry as a searchset has.
 */
function checkParameters(req: FhirRequest): void {
  if (param(req, '_at') !== undefined) throw fhirError('BAD_REQUEST', 'history _at is not supported; use _since (https://hl7.org/fhir/R4/http.html#history)', '_at');
  if (param(req, '_list') !== undefined) throw fhirError('BAD_REQUEST', 'history _list is not supported (https://hl7.org/fhir/R4/http.html#history)', '_list');
  if (param(req, '_type') !== undefined) {
    throw fhirError('BAD_REQUEST', 'history takes no _type (it is not an R4 history parameter): ask /fhir/{type}/_history for one type', '_type');
  }
  if (!preferStrict(req.headers)) return;
  const unknown = Object.keys(req.query).find((k) => !READ_PARAMS.has(k));
  if (unknown !== undefined) {
    throw fhirError('BAD_REQUEST', `Unknown history parameter "${unknown.slice(0, 60)}" (Prefer: handling=strict); history reads _count, _since and _total`, unknown.slice(0, 60));
  }
}

export async function historyBundle(ctx: FhirContext, req: FhirRequest, type?: string, id?: string): Promise<FhirResponse> {
  authorize(req.auth, { interaction: 'history', resourceType: type });
  if (id !== undefined) checkId(id);
  const limit = count(ctx, req);
  const since = instant(req, '_since');
  checkParameters(req);
  const cursorRaw = param(req, '_cursor');
  if (cursorRaw !== undefined && !/^\d+$/.test(cursorRaw)) throw fhirError('BAD_REQUEST', 'Invalid _cursor', '_cursor');
  const beforeSeq = cursorRaw === undefined ? undefined : Number(cursorRaw);
  const totalRaw = param(req, '_total');
  if (totalRaw !== undefined && !['none', 'estimate', 'accurate'].includes(totalRaw)) {
    throw fhirError('BAD_REQUEST', `_total must be none, estimate or accurate (got "${totalRaw.slice(0, 40)}")`, '_total');
  }

  const builtIn = id !== undefined ? builtInResource(type!, id) : undefined;
  if (builtIn) return builtInHistory(ctx, req, type!, id!, builtIn, limit);
  if (id !== undefined) {
    const current = await ctx.store.read(type!, id);
    if (!current) throw fhirError('NOT_FOUND', `${type}/${id} is not known`);
    if (req.auth) {
      const live = current.deleted && current.versionId > 1 ? await ctx.store.vread(type!, id, current.versionId - 1) : current;
      if (live) checkVisible(req.auth, live);
    }
  }
  // A token that may not see everything (a patient-level token, a system history holding AuditEvents
  // it has no scope for) gets only what it may see, deletions included (judged by the version the
  // delete ended), and no total: the store's count would include what was left out. An instance's
  // history too: its earlier versions may have been in another patient's compartment.
  const filtered = req.auth !== undefined && (patientRestriction(req.auth) !== undefined || type === undefined);
  // The total is counted for the first page, or on any page when `_total` asks for it: on MongoDB
  // it is a count over the history collection, which every next page would pay again.
  const wantTotal = !filtered && totalRaw !== 'none' && (beforeSeq === undefined || totalRaw !== undefined);
  const hide = hiddenBuiltIns(type);
  const entry: BundleEntry[] = [];
  let total: number | undefined;
  let lastSeq: number | undefined;
  let more = false;
  let cursor = beforeSeq;
  // pages a filtered history fills by reading on (a bounded number of store pages per request)
  // (round 0 always runs: `_count=0` asks for the total alone, as in search)
  for (let round = 0; round < (filtered ? 20 : 1) && (round === 0 || entry.length < limit); round++) {
    const res = await ctx.store.history({ resourceType: type, id, since, limit: limit + 1, beforeSeq: cursor, total: wantTotal && round === 0, hide });
    if (round === 0) total = res.total;
    const page = res.records.slice(0, limit);
    more = res.records.length > limit;
    for (let i = 0; i < page.length; i++) {
      if (entry.length >= limit) {
        more = true;
        break;
      }
      const rec = page[i];
      lastSeq = rec.seq;
      if (filtered && !(await visibleInHistory(ctx, req.auth!, rec))) continue;
      const resource = rec.deleted ? undefined : parseRecord(rec);
      const url = `${rec.resourceType}/${rec.id}`;
      entry.push({
        fullUrl: `${ctx.config.baseUrl}/${url}`,
        ...(resource ? { resource } : {}),
        ...interactionOf(rec),
      });
    }
    if (!more || lastSeq === undefined) break;
    cursor = lastSeq;
  }
  const path = [type, id, '_history'].filter(Boolean).join('/');
  const keep = new URLSearchParams();
  if (param(req, '_since')) keep.set('_since', param(req, '_since')!);
  if (totalRaw !== undefined) keep.set('_total', totalRaw);
  keep.set('_count', String(limit));
  // the self link says what was used, as search's does: a _count above the maximum is the maximum
  const used = flatQuery(req).map(([k, v]): [string, string] => (k === '_count' ? [k, String(limit)] : [k, v]));
  const link: BundleLink[] = [{ relation: 'self', url: `${ctx.config.baseUrl}/${path}?${new URLSearchParams(used).toString()}`.replace(/\?$/, '') }];
  if (more && lastSeq !== undefined) {
    keep.set('_cursor', String(lastSeq));
    link.push({ relation: 'next', url: `${ctx.config.baseUrl}/${path}?${keep.toString()}` });
  }
  const bundle: Bundle = { resourceType: 'Bundle', type: 'history', ...(wantTotal && total !== undefined ? { total } : {}), link, ...(entry.length ? { entry } : {}) };
  for (const e of entry) adopt(bundle, e.resource); // decimals as written (json-decimals.ts)
  return { status: 200, body: bundle };
}

/**
 * The built-in ids whose stored versions a type or system history leaves out. A built-in cannot
 * be shadowed (built-ins.ts): read, vread and instance history answer it, and search hides a
 * stored row under its id (built-in-search.ts), so history does too, in its entries and its
 * total. Such a row is older than the 405 rule or than the release that made the id built-in, or
 * was loaded into the store directly. The store excludes only the ids it holds.
 */
const builtInIds = new Map<string, readonly string[]>();

function hiddenBuiltIns(type: string | undefined): Record<string, readonly string[]> | undefined {
  const types = type === undefined ? BUILT_IN_TYPES : BUILT_IN_TYPES.filter((t) => t === type);
  if (!types.length) return undefined;
  const idsOf = (t: string) => builtInIds.get(t) ?? builtInIds.set(t, builtInResources(t).map((r) => r.id!)).get(t)!;
  return Object.fromEntries(types.map((t) => [t, idsOf(t)]));
}

/** The history of a built-in definition (built-ins.ts): its one version, as read and vread give it. */
function builtInHistory(ctx: FhirContext, req: FhirRequest, type: string, id: string, res: Resource, limit: number): FhirResponse {
  const self = `${ctx.config.baseUrl}/${type}/${id}/_history?_count=${limit}`;
  // the cursor and _since are not honoured apart: one version, always before any cursor, and no date to compare
  const shown = limit > 0 && param(req, '_cursor') === undefined;
  const bundle: Bundle = {
    resourceType: 'Bundle', type: 'history', total: 1, link: [{ relation: 'self', url: self }],
    ...(shown ? { entry: [{ fullUrl: `${ctx.config.baseUrl}/${type}/${id}`, resource: res, request: { method: 'POST', url: type }, response: { status: '201', etag: etag(1) } }] } : {}),
  };
  return { status: 200, body: bundle };
}

/**
 * The interaction that made a version, as far as the store's records tell it
 * (https://hl7.org/fhir/R4/http.html#history): a tombstone is a DELETE; a version after a
 * tombstone re-created the resource, which only an update can do (create assigns a new id, patch
 * of a deleted resource is 410): PUT, 201; version 1 is a create, 201; any other version an
 * update, 200. Versions record no interaction, so version 1 made by update-as-create (PUT) still
 * reads POST, and a patch reads PUT (README, history).
 */
function interactionOf(rec: VersionRecord & { afterDeletion?: true }): Pick<BundleEntry, 'request' | 'response'> {
  const url = `${rec.resourceType}/${rec.id}`;
  const [method, status] = rec.deleted ? ['DELETE', '204'] as const
    : rec.afterDeletion ? ['PUT', '201'] as const
      : rec.versionId === 1 ? ['POST', '201'] as const : ['PUT', '200'] as const;
  return {
    request: { method, url: method === 'POST' ? rec.resourceType : url },
    response: { status, etag: etag(rec.versionId), lastModified: rec.lastUpdated },
  };
}

/** Whether a restricted caller may see a history entry: a deletion by the version it ended. */
async function visibleInHistory(ctx: FhirContext, auth: NonNullable<FhirRequest['auth']>, rec: VersionRecord): Promise<boolean> {
  const shown = rec.deleted ? (rec.versionId > 1 ? await ctx.store.vread(rec.resourceType, rec.id, rec.versionId - 1) : undefined) : rec;
  if (!shown || shown.deleted) return false;
  try {
    checkVisible(auth, shown);
    return true;
  } catch (err) {
    if (err instanceof FhirError && err.status === 404) return false;
    throw err;
  }
}

function flatQuery(req: FhirRequest): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  for (const [k, vs] of Object.entries(req.query)) for (const v of vs) out.push([k, v]);
  return out;
}
