import { find } from '../../search/match-filter.js';
import type { IndexedDoc, ResourceStore, StoreQuery, StoreSearchResult, VersionRecord } from '../../storage/types.js';
import { indexResource, RELATIVE_REFS_ONLY } from '../../search/search-service.js';
import { sortDocs } from '../../search/sort-order.js';
import { andAll } from '../../search/build-filter.js';
import { BUILT_IN_TYPES, builtInResources } from './built-ins.js';

/**
 * Search over the built-in SearchParameters and OperationDefinitions as well as the store. They
 * are readable (`/fhir/SearchParameter/genomic-region`) and /metadata names them, so a client
 * that looks one up by its criteria (`SearchParameter?code=genomic-region`, `?url=`, `?base=`)
 * must find it: search.html defines a search over the resources of a type, and a read and a
 * search that disagree about what exists would mislead. They are not in the store (built-ins.ts
 * says why), so each is indexed once here, as a write would index it, and a query over one of
 * their types runs its compiled filter on them with mingo (the engine the embedded store uses)
 * and merges them into the store's page in the query's order. Keyset cursors are filters too, so
 * paging crosses both; a count adds both.
 *
 * A stored resource under a built-in's id is hidden from every search (system-wide too), so that
 * search, count and read name one resource per id, and the same one. The built-in wins, not the
 * stored one: writes to its id answer 405 (built-ins.ts), so such a row is older than that rule
 * or than the release that made the id built-in, and read and vread answer the built-in
 * (read.ts); letting the stored one win would let data change what /metadata says the server
 * does. The store is asked which built-in ids it holds (an id lookup, no scan) and only those are
 * excluded, so a store without any, the usual case, runs the query unchanged.
 */
interface BuiltIn {
  doc: IndexedDoc;
  record: VersionRecord;
}

const byType = new Map<string, BuiltIn[]>();

function builtIns(type: string): BuiltIn[] {
  let list = byType.get(type);
  if (list) return list;
  list = builtInResources(type).map((r) => {
    const json = JSON.stringify(r);
    // no lu: a built-in has no meta.lastUpdated (it is not a stored version), so
    // `_lastUpdated` criteria never match it and `:missing=true` does
    const doc = { t: type, id: r.id!, v: 1, seq: 0, x: indexResource(r, RELATIVE_REFS_ONLY) } as unknown as IndexedDoc;
    return { doc, record: { resourceType: type, id: r.id!, versionId: 1, lastUpdated: '', deleted: false, json } };
  });
  byType.set(type, list);
  return list;
}

/** The filter that hides stored rows under the built-in ids of `types`; undefined when the store holds none. */
async function shadowedFilter(store: ResourceStore, types: readonly string[], maxTimeMs: number | undefined): Promise<Record<string, unknown> | undefined> {
  const idsOf = new Map(types.map((t) => [t, new Set(builtIns(t).map((b) => b.doc.id))]));
  const all = [...new Set(types.flatMap((t) => [...idsOf.get(t)!]))];
  // one id lookup over the types; a row counts only under its own type's built-in ids
  const held = await store.search({ types: [...types], filter: { id: { $in: all } }, limit: all.length * types.length, read: 'keys', maxTimeMs });
  const hidden = types
    .map((t) => ({ t, ids: held.docs.filter((d) => d.t === t && idsOf.get(t)!.has(d.id)).map((d) => d.id) }))
    .filter((h) => h.ids.length)
    .map(({ t, ids }) => ({ t, id: { $in: ids } }));
  return hidden.length ? { $nor: hidden } : undefined;
}

async function searchWithBuiltIns(store: ResourceStore, q: StoreQuery): Promise<StoreSearchResult> {
  const named = q.types?.filter((t) => BUILT_IN_TYPES.includes(t));
  const scope = named ?? BUILT_IN_TYPES;
  if (!scope.length) return store.search(q);
  const hide = await shadowedFilter(store, scope, q.maxTimeMs);
  const storedQuery = hide ? { ...q, filter: andAll([q.filter, hide]) } : q;
  // only a search naming their type: a system-wide one (`GET /fhir?_lastUpdated=…`) is about stored data
  if (!named?.length) return store.search(storedQuery);
  const skip = q.skip ?? 0;
  // the store's rows up to the end of the page, unskipped: the merged order decides what the skip drops
  const stored = await store.search({ ...storedQuery, skip: 0, limit: skip + q.limit });
  const candidates = named.flatMap(builtIns);
  const docs = candidates.map((b) => b.doc);
  // the query's own filter: the exclusion names the built-ins' ids, and is about stored rows
  const matched = new Set(find(docs, q.filter).all() as unknown as IndexedDoc[]);
  const hits = candidates.filter((b) => matched.has(b.doc));
  const recordOf = new Map<IndexedDoc, VersionRecord>(hits.map((b) => [b.doc, b.record]));
  stored.docs.forEach((d, i) => recordOf.set(d, stored.records[i]));
  let merged = [...stored.docs, ...hits.map((b) => b.doc)];
  if (q.sort?.length) merged = sortDocs(merged, q.sort);
  const page = merged.slice(skip, skip + q.limit);
  return {
    records: page.map((d) => recordOf.get(d)!),
    docs: page,
    ...(stored.total !== undefined && { total: stored.total + hits.length }),
  };
}

const wrapped = new WeakMap<ResourceStore, ResourceStore>();

/** `store` with a `search` that also finds the built-in definitions; every other method is the store's. */
export function withBuiltIns(store: ResourceStore): ResourceStore {
  let w = wrapped.get(store);
  if (!w) {
    w = new Proxy(store, {
      get(target, prop) {
        if (prop === 'search') return (q: StoreQuery) => searchWithBuiltIns(target, q);
        const v: unknown = Reflect.get(target, prop, target);
        return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
      },
    });
    wrapped.set(store, w);
  }
  return w;
}
