import type { SortSpec } from '../storage/types.js';

/**
 * The order `_sort` gives, as MongoDB defines it for its query documents: a key with several
 * values (a repeating element) sorts by its lowest value ascending and its highest descending,
 * and a document without the key sorts before every value. Both stores follow it (MongoDB by
 * itself, the embedded store with `compareBySort`), and the keyset paging cursors of sorted
 * searches (paging.ts) name positions in it, so that the two agree on what "after" means.
 */
export type SortValue = string | number | null;

/** Numbers before strings (BSON order); anything else is not a sort value. */
function rank(v: unknown): number {
  return typeof v === 'number' ? 1 : typeof v === 'string' ? 2 : 0;
}

/** Order of two sort values, null (missing) first. */
export function compareValues(a: SortValue, b: SortValue): number {
  if (a === b) return 0;
  if (a === null) return -1;
  if (b === null) return 1;
  const ra = rank(a);
  const rb = rank(b);
  if (ra !== rb) return ra - rb;
  return a < b ? -1 : a > b ? 1 : 0;
}

function collect(v: unknown, path: string[], i: number, out: SortValue[]): void {
  if (Array.isArray(v)) {
    for (const x of v) collect(x, path, i, out);
    return;
  }
  if (i === path.length) {
    if (rank(v)) out.push(v as string | number);
    return;
  }
  if (v && typeof v === 'object') collect((v as Record<string, unknown>)[path[i]], path, i + 1, out);
}

/** The value a document sorts by on `field` in direction `dir` (null: it has none). */
export function sortValue(doc: unknown, field: string, dir: 1 | -1): SortValue {
  const values: SortValue[] = [];
  collect(doc, field.split('.'), 0, values);
  let best: SortValue = null;
  for (const v of values) if (best === null || compareValues(v, best) * dir < 0) best = v;
  return best;
}

/** The sort tuple of a document (its values on every key of `sort`). */
export function sortTuple(doc: unknown, sort: SortSpec): SortValue[] {
  return sort.map(([f, d]) => sortValue(doc, f, d));
}

/** Orders documents by `sort` (each document's tuple is computed once). */
export function sortDocs<T>(docs: T[], sort: SortSpec): T[] {
  const keyed = docs.map((d) => ({ d, k: sortTuple(d, sort) }));
  keyed.sort((a, b) => {
    for (let i = 0; i < sort.length; i++) {
      const c = compareValues(a.k[i], b.k[i]);
      if (c) return c * sort[i][1];
    }
    return 0;
  });
  return keyed.map((x) => x.d);
}
