import type { IndexDescription } from 'mongodb';
import { COLLECTIONS } from './layout.js';

/**
 * A search index wanted by the search module. Each becomes an index on `resources` prefixed by
 * `t`, because every search is scoped to resource types:
 * - one IndexedDoc field path (`x.code`), or a compound list of terms, each a field path or a
 *   `[path, -1]` pair for a descending key; a compound list may end in `id`, the tie-break of
 *   every sort (paging.ts), so that the index can hand out a sorted page in order;
 * - `{ anyOf: [...] }`: fields that are only ever looked up one at a time, by value (the Patient
 *   compartment's reference fields): one wildcard index over all of them (WILDCARD_INDEX_NAME),
 *   since a collection has 64 index slots and one per field would not fit.
 */
export type IndexTerm = string | readonly [string, 1 | -1];
export type SearchIndexField = string | readonly IndexTerm[] | { readonly anyOf: readonly string[] };

/** Field paths the adapter accepts in index specs and query documents (never user input). */
export const FIELD_PATH = /^(?:_id|t|id|v|lu|seq|d|x(?:\.[A-Za-z0-9_-]+)+)$/;

/** Seconds before an unused lock document is removed by MongoDB's TTL monitor. */
export const LOCK_TTL_SECONDS = 3600;

/** MongoDB's limit of indexes on one collection, `_id_` included. */
export const MAX_INDEXES_PER_COLLECTION = 64;

/** The one wildcard index (`{ $**: 1 }` with a projection of `x.` fields). */
export const WILDCARD_INDEX_NAME = 'x_wildcard';

/** `t_` + the fields after `t`, a descending one followed by `_-1` (`t_x.code`, `t_x.date.s_-1_id`). */
export function searchIndexName(key: Readonly<Record<string, unknown>>): string {
  return `t_${Object.entries(key).slice(1).map(([f, d]) => (d === -1 ? `${f}_-1` : f)).join('_')}`;
}

function checkField(f: string): void {
  if (!FIELD_PATH.test(f) || !f.startsWith('x.')) throw new Error(`Refusing search index on field path "${f}"`);
}

function searchIndex(field: SearchIndexField): IndexDescription {
  if (typeof field === 'object' && 'anyOf' in field) {
    if (!field.anyOf.length) throw new Error('empty search index field list');
    const projection: Record<string, 1> = {};
    for (const f of field.anyOf) {
      checkField(f);
      projection[f] = 1;
    }
    return { key: { '$**': 1 }, name: WILDCARD_INDEX_NAME, wildcardProjection: projection };
  }
  const terms = typeof field === 'string' ? [field] : field;
  if (!terms.length) throw new Error('empty search index field list');
  const key: Record<string, 1 | -1> = { t: 1 };
  terms.forEach((term, i) => {
    const [f, dir] = typeof term === 'string' ? [term, 1 as const] : term;
    // `id` only as the last term: the sort tie-break after the field(s) before it
    if (!(f === 'id' && i === terms.length - 1 && i > 0)) checkField(f);
    key[f] = dir === -1 ? -1 : 1;
  });
  return { key, name: searchIndexName(key) };
}

/** What `listIndexes` says of an index (name, key and a wildcard's projection are all this module reads). */
export interface ExistingIndex {
  name?: string;
  key?: Record<string, unknown>;
  wildcardProjection?: Record<string, unknown>;
}

/**
 * The included paths of a wildcard projection, sorted: as submitted (`{ 'x.a': 1 }`) or as servers
 * before 6.3 store it (`{ x: { a: true }, _id: false }`).
 */
function projectedPaths(p: Record<string, unknown> | undefined, prefix = ''): string[] {
  const out: string[] = [];
  for (const [k, v] of Object.entries(p ?? {})) {
    const path = prefix ? `${prefix}.${k}` : k;
    if (v && typeof v === 'object') out.push(...projectedPaths(v as Record<string, unknown>, path));
    else if (v === 1 || v === true) out.push(path);
  }
  return out.sort();
}

/**
 * Our wildcard index, when it exists with other fields than `wanted` states (a release that
 * indexes a compartment field on its own, or adds one): createIndexes refuses an index whose name
 * exists with other options, so start-up drops it first and builds it anew.
 */
export function changedWildcardIndex(existing: readonly ExistingIndex[], wanted: readonly IndexDescription[]): string | undefined {
  const want = wanted.find((w) => w.name === WILDCARD_INDEX_NAME);
  const have = existing.find((ix) => ix.name === WILDCARD_INDEX_NAME);
  if (!want || !have) return undefined;
  const same = projectedPaths(have.wildcardProjection).join() === projectedPaths(want.wildcardProjection as Record<string, unknown>).join();
  return same ? undefined : WILDCARD_INDEX_NAME;
}

/**
 * Names of search indexes this adapter created once that `wanted` no longer defines (the
 * `{t, x.genomic-region.a, x.genomic-region.s}` index from before bins, index version 3; `t_lu`,
 * which `t_lu_id` replaced): left in place they cost every write an index update and take one of
 * the collection's 64 index slots. Only indexes of ours are candidates, known by name and key
 * together: a key `t`, then fields of the document layout, named as searchIndexName names it; or
 * our wildcard index. An index an operator added under another name, and `_id_`, never are.
 */
export function obsoleteIndexNames(existing: readonly ExistingIndex[], wanted: readonly IndexDescription[]): string[] {
  const keep = new Set(wanted.map((w) => w.name));
  const ours = (ix: ExistingIndex): boolean => {
    if (!ix.name || !ix.key) return false;
    if (ix.name === WILDCARD_INDEX_NAME) return Object.keys(ix.key).length === 1 && '$**' in ix.key;
    const fields = Object.keys(ix.key);
    if (fields[0] !== 't' || fields.length < 2) return false;
    return fields.slice(1).every((f) => f !== 't' && FIELD_PATH.test(f)) && ix.name === searchIndexName(ix.key);
  };
  return existing.filter((ix) => ours(ix) && !keep.has(ix.name)).map((ix) => ix.name!);
}

/**
 * The indexes start-up drops from `collection`: the obsolete ones, and only when the caller named
 * its search index fields (the server does). A store opened without them (the CLIs: reindex,
 * seed, import) does not know which search indexes the server wants, so it must drop none.
 */
export function indexesToDrop(collection: string, existing: readonly ExistingIndex[], searchFields?: readonly SearchIndexField[]): string[] {
  if (searchFields === undefined) return [];
  return obsoleteIndexNames(existing, indexSpecs(searchFields)[collection] ?? []);
}

/**
 * Every index, per collection, created at start-up with createIndexes (idempotent: an index that
 * already exists with the same name and key is left alone).
 */
export function indexSpecs(searchFields: readonly SearchIndexField[] = []): Record<string, IndexDescription[]> {
  const search = searchFields.map(searchIndex);
  if (search.filter((s) => s.name === WILDCARD_INDEX_NAME).length > 1) throw new Error('one wildcard search index at most');
  return {
    [COLLECTIONS.resources]: [
      { key: { t: 1, id: 1 }, name: 't_id', unique: true },
      // `_lastUpdated` ranges, and its sorts both ways (walked backwards for `-_lastUpdated`: the
      // (t, id) tie-break follows the sort's direction, paging.ts fullSort), pages past the first
      // included: lu is a scalar, so bounds on it keep the index order usable
      { key: { t: 1, lu: 1, id: 1 }, name: 't_lu_id' },
      ...search,
    ],
    [COLLECTIONS.history]: [
      { key: { t: 1, id: 1, v: 1 }, name: 't_id_v', unique: true },
      { key: { seq: 1 }, name: 'seq' },
      { key: { t: 1, seq: 1 }, name: 't_seq' },
    ],
    [COLLECTIONS.locks]: [{ key: { at: 1 }, name: 'at_ttl', expireAfterSeconds: LOCK_TTL_SECONDS }],
    // `_id` is the (unique) key; documents go once their `exp` instant has passed
    [COLLECTIONS.onceKeys]: [{ key: { exp: 1 }, name: 'exp_ttl', expireAfterSeconds: 0 }],
  };
}
