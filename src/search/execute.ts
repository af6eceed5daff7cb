import type { Bundle, BundleEntry, BundleLink, Resource } from '@medplum/fhirtypes';
import type { FhirContext } from '../fhir/context.js';
import { fhirError } from '../fhir/errors.js';
import { toOperationOutcome, type Issue } from '../fhir/outcome.js';
import { isKnownResourceType } from '../fhir/resource-types.js';
import { adopt, parseFhirJson } from '../fhir/json-decimals.js';
import { parseSummary, subsetResource } from '../fhir/summary.js';
import type { SortSpec, StoreQuery, VersionRecord } from '../storage/types.js';
import { QUERY_TIME_LIMIT_MS } from '../storage/time-limit.js';
import { andAll, buildFilter } from './build-filter.js';
import { compartmentFilter, inPatientCompartment, patientCompartmentTypes } from './compartment.js';
import { sortField, type Filter } from './compile.js';
import { resolveIncludes, vacuousIncludes } from './includes.js';
import { cursorAt, cursorTuple, decodeCursor, fullSort, keysetFilter, keysFilter, linkUrl, reverse, type Cursor } from './paging.js';
import { parseSearch, warnOrThrow } from './parse.js';
import { getParam } from './registry.js';
import type { SearchRequest } from './search-service.js';

/**
 * Runs a search and answers a `searchset` Bundle (https://hl7.org/fhir/R4/search.html): parse,
 * compile once, run on the store, page, include, subset.
 */
const TIME_LIMIT_MS = QUERY_TIME_LIMIT_MS;

function last(result: Record<string, string[]>, key: string): string | undefined {
  const v = result[key];
  return v?.[v.length - 1];
}

function parseCount(raw: string | undefined, def: number, max: number): number {
  if (raw === undefined) return def;
  if (!/^\d+$/.test(raw)) throw fhirError('INVALID_SEARCH', `_count must be a non-negative integer (got "${raw}")`, '_count');
  return Math.min(Number(raw), max);
}

function parseSort(types: string[] | undefined, raw: string | undefined): SortSpec {
  if (!raw) return [];
  const out: SortSpec = [];
  for (const key of raw.split(',').map((s) => s.trim()).filter(Boolean)) {
    const desc = key.startsWith('-');
    const code = desc ? key.slice(1) : key;
    const type = types?.length === 1 ? types[0] : undefined;
    const def = getParam(type ?? 'Resource', code);
    if (!def) throw fhirError('INVALID_SEARCH', `_sort: unknown parameter "${code}"`, '_sort');
    out.push([sortField(def, type), desc ? -1 : 1]);
  }
  return out;
}

function resolveTypes(req: SearchRequest, result: Record<string, string[]>): string[] | undefined {
  if (req.resourceType) return [req.resourceType];
  const t = result._type?.flatMap((v) => v.split(',')).map((s) => s.trim()).filter(Boolean);
  if (!t?.length) return undefined;
  for (const type of t) if (!isKnownResourceType(type)) throw fhirError('INVALID_SEARCH', `_type: unknown resource type "${type}"`, '_type');
  return t;
}

export async function runSearch(ctx: FhirContext, req: SearchRequest): Promise<Bundle> {
  const { store, config } = ctx;
  const firstType = req.resourceType ?? (req.query._type?.length === 1 && !req.query._type[0].includes(',') ? req.query._type[0] : undefined);
  const parsed = parseSearch(firstType, req.query, req.strict, req.resourceType === undefined);
  // `/Patient/p1/*`: every type that has a Patient compartment membership rule
  let types = resolveTypes(req, parsed.result) ?? (req.compartment ? patientCompartmentTypes() : undefined);
  // against the types asked for, not those the caller's scopes leave: a warning names no permission
  const vacuous = vacuousIncludes(parsed.result, types);
  if (req.allowedTypes) {
    const allowed = new Set(req.allowedTypes);
    types = types ? types.filter((t) => allowed.has(t)) : req.allowedTypes;
  }
  const issues: Issue[] = [...parsed.issues];
  for (const v of vacuous) warnOrThrow(req.strict, issues, v.key, v.message);
  const summary = parseSummary(last(parsed.result, '_summary'));
  let elements = last(parsed.result, '_elements')?.split(',').map((s) => s.trim()).filter(Boolean);
  // `_summary=true|text|data` is a subset of its own (summary.ts applies it, not _elements): ignoring
  // `_elements` beside it unseen would answer other elements than were asked for as if they were those
  const elementsDropped = !!elements?.length && (summary === 'true' || summary === 'text' || summary === 'data');
  if (elementsDropped) {
    warnOrThrow(req.strict, issues, '_elements', `_elements is not applied beside _summary=${summary}, which names its own subset`);
    elements = undefined;
  }
  const total = last(parsed.result, '_total') ?? 'none-default';
  if (!['none', 'estimate', 'accurate', 'none-default'].includes(total)) throw fhirError('INVALID_SEARCH', '_total must be none, estimate or accurate', '_total');
  const count = parseCount(last(parsed.result, '_count'), config.defaultCount, config.maxCount);
  const userSort = parseSort(types, last(parsed.result, '_sort'));
  const cursorRaw = last(parsed.result, '_cursor');
  const cursor: Cursor | undefined = cursorRaw ? decodeCursor(cursorRaw) : undefined;

  // Included resources obey the compartment too, and so does every level of a chain or `_has` for
  // a caller confined to it, except types that cannot be in one (Practitioner…).
  const restrict = (type: string): Filter | undefined =>
    req.compartment && inPatientCompartment(type) ? compartmentFilter(type, req.compartment) : undefined;
  const parts: Filter[] = [await buildFilter(store, firstType, parsed.clauses, req.baseUrl, req.confined ? restrict : undefined)];
  if (req.compartment && types?.length !== 0) {
    if (!types) throw fhirError('INVALID_SEARCH', 'A compartment search needs a resource type');
    parts.push(types.length === 1 ? compartmentFilter(types[0], req.compartment) : { $or: types.map((t) => ({ t, ...compartmentFilter(t, req.compartment!) })) });
  }
  const baseFilter = andAll(parts.filter((p) => Object.keys(p).length));
  const sort = fullSort(userSort);
  let filter = baseFilter;
  let pageSort = sort;
  let skip = 0;
  if (cursor) filter = andAll([baseFilter, keysetFilter(sort, cursorTuple(cursor, sort, types), cursor.k === 'after', types)]);
  // A page before a cursor: the rows just before it. Reversing the sort gives them on scalar keys;
  // on an index field the reverse of "lowest ascending" is not "highest descending", so there
  // the rows before the cursor are counted and the last `count` of them taken in order.
  const reversed = cursor?.k === 'before' && sort.every(([f]) => f === 't' || f === 'id' || f === 'lu');
  // `_count=0` asks for the count only (https://hl7.org/fhir/R4/search.html#count)
  const countOnly = summary === 'count' || count === 0;
  if (reversed) pageSort = reverse(sort);
  else if (cursor?.k === 'before' && !countOnly) {
    const before = await store.search({ types, filter, limit: 0, count: true, maxTimeMs: TIME_LIMIT_MS });
    skip = Math.max(0, (before.total ?? 0) - count);
  }
  const wantTotal = total === 'accurate' || total === 'estimate' || countOnly;
  // Bundle.total counts the whole search on every page: past the first keyset page the page's
  // filter holds the cursor, so the total is counted without it
  const pastCursor = cursor !== undefined;
  let query: StoreQuery = { types, filter, sort: pageSort, limit: countOnly ? 0 : count + 1, skip, count: wantTotal && !pastCursor, maxTimeMs: TIME_LIMIT_MS };
  if (skip > 0) {
    // Skipped rows are read as keys only (on MongoDB a skip ships and sorts every skipped
    // document), then the page's bodies by their keys, in the same order and under the same filter
    const keys = await store.search({ ...query, limit: count, count: false, read: 'keys' });
    query = { types, filter: andAll([filter, keysFilter(keys.docs)]), sort: pageSort, limit: count, count: false, maxTimeMs: TIME_LIMIT_MS };
  }
  const res = await store.search(query);
  if (wantTotal && pastCursor) res.total = (await store.search({ types, filter: baseFilter, limit: 0, count: true, maxTimeMs: TIME_LIMIT_MS })).total;
  let records = res.records;
  let docs = res.docs;
  // past the page: one more row (there is a next page), or, counted back from a cursor, the rows before
  const more = cursor?.k === 'before' && !reversed ? skip > 0 : records.length > count;
  records = records.slice(0, count);
  docs = docs.slice(0, count);
  if (reversed) {
    records = records.reverse();
    docs = docs.reverse();
  }

  // the links say what was used: a _count above the maximum is the maximum
  const used = parsed.used.filter(([k]) => !(elementsDropped && k === '_elements')).map(([k, v]): [string, string] => (k === '_count' ? [k, String(count)] : [k, v]));
  const links: BundleLink[] = [{ relation: 'self', url: linkUrl(selfBase(req), used, cursor) }];
  if (!countOnly && docs.length) {
    const hasNext = cursor?.k === 'before' ? true : more;
    const hasPrev = cursor?.k === 'before' ? more : cursor !== undefined;
    if (hasNext) links.push({ relation: 'next', url: linkUrl(selfBase(req), used, cursorAt('after', docs[docs.length - 1], sort)) });
    if (hasPrev) links.push({ relation: 'previous', url: linkUrl(selfBase(req), used, cursorAt('before', docs[0], sort)) });
  }

  const included = countOnly ? { records: [], issues: [] } : await resolveIncludes(store, docs, parsed.result, restrict);
  issues.push(...included.issues);
  const entry: BundleEntry[] = [];
  const bundle: Bundle = { resourceType: 'Bundle', type: 'searchset' };
  const toEntry = (rec: VersionRecord, mode: 'match' | 'include'): BundleEntry | undefined => {
    const whole = parseFhirJson(rec.json!) as Resource;
    if (mode === 'include' && req.visible && !req.visible(whole)) return undefined;
    req.touched?.push(whole);
    return {
      fullUrl: `${req.baseUrl}/${rec.resourceType}/${rec.id}`,
      // "The list of elements does not apply to included resources" (search.html#elements): an
      // included resource comes whole (and untagged); `_summary` has no such exception and applies
      resource: adopt(bundle, subsetResource(whole, summary, mode === 'match' ? elements : undefined)),
      search: { mode },
    };
  };
  for (const r of records) entry.push(toEntry(r, 'match')!);
  for (const r of included.records) {
    const e = toEntry(r, 'include');
    if (e) entry.push(e);
  }
  if (issues.length) entry.push({ resource: toOperationOutcome(issues), search: { mode: 'outcome' } });

  if (res.total !== undefined) bundle.total = res.total;
  else if (total === 'none-default' && !cursor && !more) bundle.total = records.length;
  bundle.link = links;
  if (entry.length) bundle.entry = entry; // FHIR JSON has no empty arrays (ele-1)
  return bundle;
}

function selfBase(req: SearchRequest): string {
  if (req.compartment) return `${req.baseUrl}/${req.compartment.resourceType}/${req.compartment.id}/${req.resourceType ?? '*'}`;
  return req.resourceType ? `${req.baseUrl}/${req.resourceType}` : req.baseUrl;
}
