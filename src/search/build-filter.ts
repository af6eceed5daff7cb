import { fhirError } from '../fhir/errors.js';
import type { ResourceStore, StoreTx } from '../storage/types.js';
import { QUERY_TIME_LIMIT_MS } from '../storage/time-limit.js';
import { indexFields } from './aliases.js';
import { compileClause, refInFilter, type Filter } from './compile.js';
import { parseClause, type ChainClause, type Clause, type HasClause } from './parse.js';
import { escapeRegex } from './normalize.js';
import { getParam } from './registry.js';

/**
 * Builds the filter of a parsed search: plain clauses compile directly; chains
 * (https://hl7.org/fhir/R4/search.html#chaining) and reverse chains (`_has`, #has) are resolved
 * first by sub-searches whose matches become an `$in` list. Sub-searches are bounded so that a
 * chain cannot turn into an unbounded scan of the store.
 */
export const MAX_CHAIN_MATCHES = 10_000;
const MAX_DEPTH = 4;

type Searcher = Pick<ResourceStore | StoreTx, 'search'>;
/**
 * The compartment filter for a type (undefined: unrestricted). Every sub-search of a chain or
 * `_has`, at every level, carries it: otherwise a patient-level token could ask yes/no questions
 * about other patients' resources that one of its own references (a chain through `derivedFrom`).
 */
export type Restrict = (type: string) => Filter | undefined;

export function andAll(filters: Filter[]): Filter {
  if (!filters.length) return {};
  if (filters.length === 1) return filters[0];
  return { $and: filters };
}

/** `read`: a chain needs the matches' keys only, `_has` their index too (StoreQuery.read), never their bodies. */
async function subSearch(store: Searcher, type: string, clause: Clause, baseUrl: string, depth: number, read: 'keys' | 'docs', restrict?: Restrict) {
  const own = await clauseFilter(store, type, clause, baseUrl, depth + 1, restrict);
  const confine = restrict?.(type);
  const filter = confine ? andAll([own, confine]) : own;
  const res = await store.search({ types: [type], filter, limit: MAX_CHAIN_MATCHES + 1, maxTimeMs: QUERY_TIME_LIMIT_MS, read });
  if (res.docs.length > MAX_CHAIN_MATCHES) {
    throw fhirError('TOO_COSTLY', `${clause.key}: the chained criteria match more than ${MAX_CHAIN_MATCHES} ${type} resources; narrow them`, clause.key);
  }
  return res.docs;
}

/**
 * A reference element of type canonical (`QuestionnaireResponse.questionnaire`) points at a
 * resource by its `url`, optionally `url|version`, not by Type/id, so a chain through it must
 * match those forms too (search.html#chaining applies to every reference parameter). A reference
 * is indexed with its bare url beside `url|version` (index-values.ts), so a matched target with a
 * version is met by `url|version`, or by the bare url when the reference names no version (no
 * `url|` form); one without a version by any reference to its url.
 */
function canonicalRefs(docs: Array<{ x: Record<string, unknown> }>, fields: string[]): Filter[] {
  const exact = new Set<string>();
  const bare = new Set<string>();
  for (const d of docs) {
    const urls = (d.x.url as unknown[] | undefined)?.filter((u): u is string => typeof u === 'string') ?? [];
    const versions = (d.x.version as unknown[] | undefined)?.filter((v): v is string => typeof v === 'string' && !v.includes('|')) ?? [];
    for (const u of urls) {
      if (!versions.length) exact.add(u);
      else {
        for (const v of versions) exact.add(`${u}|${v}`);
        bare.add(u);
      }
    }
  }
  for (const u of exact) bare.delete(u); // an unversioned target already takes every reference to its url
  const out: Filter[] = [];
  if (exact.size) out.push({ $or: fields.map((f) => ({ [`x.${f}`]: { $in: [...exact] } })) });
  for (const u of bare) {
    out.push({ $or: fields.map((f) => ({ $and: [{ [`x.${f}`]: u }, { [`x.${f}`]: { $not: { $regex: `^${escapeRegex(u)}\\|` } } }] })) });
  }
  return out;
}

/**
 * Whether references can name `type` by its canonical url (`url`, `url|version`): the canonical
 * resources, which have a `version` search parameter beside their `url`. Device.url (a network
 * address), Subscription's (its endpoint) and Contract.url are urls too, but a reference equal to
 * one of them is a literal URL, not a reference to that resource (and a chain through them needs
 * no index read).
 */
function referencedByUrl(type: string | undefined): boolean {
  return type !== undefined && getParam(type, 'url')?.type === 'uri' && getParam(type, 'version') !== undefined;
}

async function chainFilter(store: Searcher, type: string | undefined, c: ChainClause, baseUrl: string, depth: number, restrict?: Restrict): Promise<Filter> {
  const refs: string[] = [];
  const canonical: Filter[] = [];
  let known = false;
  for (const target of c.targetTypes) {
    const sub = parseClause(target, c.rest, c.value);
    if (!sub) continue;
    known = true;
    // a type with a canonical url can be referenced by it: then the matches' index is read too
    const byUrl = referencedByUrl(target);
    const docs = await subSearch(store, target, sub, baseUrl, depth, byUrl ? 'docs' : 'keys', restrict);
    for (const d of docs) refs.push(`${d.t}/${d.id}`);
    if (byUrl) canonical.push(...canonicalRefs(docs, indexFields(type, c.def.code)));
  }
  if (!known) throw fhirError('INVALID_SEARCH', `${c.key}: no target of ${c.def.code} has a parameter "${c.rest.split(/[.:]/)[0]}"`, c.key);
  const byId = refInFilter(type, c.def.code, refs);
  return canonical.length ? { $or: [byId, ...canonical] } : byId;
}

async function hasFilter(store: Searcher, type: string | undefined, c: HasClause, baseUrl: string, depth: number, restrict?: Restrict): Promise<Filter> {
  if (!type) throw fhirError('INVALID_SEARCH', '_has needs a resource type', c.key);
  const sub = parseClause(c.type, c.rest, c.value);
  if (!sub) throw fhirError('INVALID_SEARCH', `${c.key}: ${c.type} has no parameter "${c.rest.split(/[.:]/)[0]}"`, c.key);
  const ids = new Set<string>();
  const prefix = `${type}/`;
  // canonical references (`QuestionnaireResponse.questionnaire`) name a type with a url by it
  const byUrl = referencedByUrl(type);
  const urls = new Set<string>();
  const versioned = new Map<string, { url: string; version: string }>();
  for (const d of await subSearch(store, c.type, sub, baseUrl, depth, 'docs', restrict)) {
    const canonical: string[] = [];
    for (const f of indexFields(c.type, c.via)) {
      for (const r of (d.x[f] as string[] | undefined) ?? []) {
        if (typeof r !== 'string') continue;
        if (r.startsWith(prefix)) ids.add(r.slice(prefix.length));
        else if (byUrl && /^[a-z][a-z0-9+.-]*:/i.test(r)) canonical.push(r);
      }
    }
    // `url|version` is indexed with its bare url beside it (index-values.ts): that bare form names no version
    const bareOfVersioned = new Set(canonical.filter((r) => r.includes('|')).map((r) => r.slice(0, r.indexOf('|'))));
    for (const r of canonical) {
      const bar = r.indexOf('|');
      if (bar >= 0) versioned.set(r, { url: r.slice(0, bar), version: r.slice(bar + 1) });
      else if (!bareOfVersioned.has(r)) urls.add(r);
    }
  }
  const byId = { id: { $in: [...ids] } };
  if (!urls.size && !versioned.size) return byId;
  const alternatives: Filter[] = [byId];
  if (urls.size) alternatives.push({ 'x.url': { $in: [...urls] } });
  for (const { url, version } of versioned.values()) if (!urls.has(url)) alternatives.push({ 'x.url': url, 'x.version': version });
  return { $or: alternatives };
}

export async function clauseFilter(store: Searcher, type: string | undefined, c: Clause, baseUrl: string, depth = 0, restrict?: Restrict): Promise<Filter> {
  if (depth > MAX_DEPTH) throw fhirError('TOO_COSTLY', `${c.key}: chains are limited to ${MAX_DEPTH} levels`, c.key);
  if (c.kind === 'param') return compileClause(type, c, baseUrl);
  if (c.kind === 'chain') return chainFilter(store, type, c, baseUrl, depth, restrict);
  return hasFilter(store, type, c, baseUrl, depth, restrict);
}

export async function buildFilter(store: Searcher, type: string | undefined, clauses: Clause[], baseUrl: string, restrict?: Restrict): Promise<Filter> {
  const parts: Filter[] = [];
  for (const c of clauses) parts.push(await clauseFilter(store, type, c, baseUrl, 0, restrict));
  return andAll(parts);
}
