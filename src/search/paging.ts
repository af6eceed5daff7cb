import { fhirError } from '../fhir/errors.js';
import type { IndexedDoc, SortSpec } from '../storage/types.js';
import type { Filter } from './compile.js';
import { andAll } from './build-filter.js';
import { sortValue, type SortValue } from './sort-order.js';
import { sha256 } from '../sha256.js';

/**
 * Opaque paging cursors (https://hl7.org/fhir/R4/http.html#paging): keyset positions, so that
 * following `next` never repeats or skips a resource that stays unchanged, whatever is inserted,
 * updated or deleted meanwhile. The order is the search's sort followed by (type, id) (fullSort), which
 * makes every position unique; a cursor holds the sort tuple of the last (`after`) or first (`before`)
 * row of its page: `t` and `id`, and in `v` the values of the other sort keys, in the order that
 * sort-order.ts defines (lowest value ascending, highest descending, missing first), and in `s`
 * the order it was taken in (sortKey): the values alone cannot tell `_sort=date` from `_sort=-date`
 * or `_sort=issued`, and a position read under another order would silently skip or repeat rows.
 */
export interface Cursor {
  k: 'after' | 'before';
  t: string;
  id: string;
  /** Values of the sort keys other than t and id (absent without `_sort`). */
  v?: SortValue[];
  /** The order's fingerprint (sortKey): keys and directions, t and id's included. */
  s: string;
}

const INVALID = 'The paging cursor is not valid (it may come from another search)';

export function encodeCursor(c: Cursor): string {
  return Buffer.from(JSON.stringify(c)).toString('base64url');
}

const isSortValue = (x: unknown): x is SortValue => x === null || typeof x === 'string' || (typeof x === 'number' && Number.isFinite(x));

export function decodeCursor(s: string): Cursor {
  try {
    const c = JSON.parse(Buffer.from(s, 'base64url').toString('utf8')) as Cursor;
    if ((c.k === 'after' || c.k === 'before') && typeof c.t === 'string' && typeof c.id === 'string' && typeof c.s === 'string') {
      if (c.v === undefined) return { k: c.k, t: c.t, id: c.id, s: c.s };
      if (Array.isArray(c.v) && c.v.length > 0 && c.v.every(isSortValue)) return { k: c.k, t: c.t, id: c.id, v: c.v, s: c.s };
    }
  } catch {
    /* fall through */
  }
  throw fhirError('INVALID_SEARCH', INVALID, '_cursor');
}

export const KEY_ORDER: SortSpec = [['t', 1], ['id', 1]];

/**
 * The one order both stores sort a search by: the user's sort, then (type, id) as the tie-break
 * that makes positions unique, in the direction of the sort's first key (`_sort=-date` lists a
 * day's resources by id descending too, ascending without `_sort`). Following the sort's direction
 * makes every single-key order the exact reverse of the other direction's, so one ascending index
 * `{t, <key>, id}` serves both, walked forwards or backwards (index-specs.ts); a tie-break that
 * stayed ascending under `-date` would need an index per direction.
 */
export function fullSort(userSort: SortSpec): SortSpec {
  const dir = userSort[0]?.[1] ?? 1;
  return [...userSort, ...KEY_ORDER.filter(([f]) => !userSort.some(([u]) => u === f)).map(([f]): [string, 1 | -1] => [f, dir])];
}

const isScalar = (field: string) => field === 't' || field === 'id' || field === 'lu';

/**
 * A short fingerprint of a full sort (its fields and directions), so that a cursor names the order
 * its position is in. Hashed, not spelled out: the cursor stays opaque (no index field names) and
 * short whatever the sort; 48 bits tell a client's few orders apart (a cursor is no credential:
 * one forged for another order only reads a page of rows the search matches anyway).
 */
export function sortKey(sort: SortSpec): string {
  return sha256(sort.map(([f, d]) => `${d === -1 ? '-' : ''}${f}`).join(','), 'base64url').slice(0, 8);
}

/**
 * The cursor's sort tuple for `sort`, checked against the search: a cursor from a search with
 * other sort keys (or the same keys in another order or direction) or of another type does not
 * belong to this one (400, not a silent restart). Both stores page through here (execute.ts).
 */
export function cursorTuple(c: Cursor, sort: SortSpec, types: string[] | undefined): SortValue[] {
  const others = sort.filter(([f]) => f !== 't' && f !== 'id');
  if ((c.v?.length ?? 0) !== others.length || c.s !== sortKey(sort) || (types && !types.includes(c.t))) {
    throw fhirError('INVALID_SEARCH', 'The paging cursor does not belong to this search', '_cursor');
  }
  let j = 0;
  const tuple = sort.map(([f]) => (f === 't' ? c.t : f === 'id' ? c.id : c.v![j++]));
  // lu may be null: the built-in definitions have none (fhir/rest/built-in-search.ts); t and id are strings
  sort.forEach(([f], i) => {
    if ((f === 't' || f === 'id') && tuple[i] === null) throw fhirError('INVALID_SEARCH', INVALID, '_cursor');
  });
  return tuple;
}

/** The cursor naming `doc`'s position in `sort`. */
export function cursorAt(k: 'after' | 'before', doc: IndexedDoc, sort: SortSpec): Cursor {
  const v = sort.filter(([f]) => f !== 't' && f !== 'id').map(([f, d]) => sortValue(doc, f, d));
  const s = sortKey(sort);
  return v.length ? { k, t: doc.t, id: doc.id, v, s } : { k, t: doc.t, id: doc.id, s };
}

/** `field`'s sort value equals `v`. Index fields are arrays: "lowest (highest) is v" is "has v, none below (above)". */
function equal(field: string, dir: 1 | -1, v: SortValue): Filter {
  if (v === null) return { [field]: { $exists: false } };
  if (isScalar(field)) return { [field]: v };
  return { [field]: { $eq: v, $not: { [dir === 1 ? '$lt' : '$gt']: v } } };
}

/** `field`'s sort value comes after (`later`) or before `v` in direction `dir`; undefined: nothing does. */
function beyond(field: string, dir: 1 | -1, v: SortValue, later: boolean): Filter | undefined {
  const up = (dir === 1) === later; // the sort value is above v
  if (v === null) return up ? { [field]: { $exists: true } } : undefined; // missing is the lowest
  // lu, the one scalar that may be missing, is below v when missing too (`$lt` alone skips those)
  if (isScalar(field)) return { [field]: up ? { $gt: v } : field === 'lu' ? { $not: { $gte: v } } : { $lt: v } };
  if (dir === 1) {
    // the lowest value: above v when every value is, below v when one is (or there is none)
    return up ? { [field]: { $exists: true, $not: { $lte: v } } } : { $or: [{ [field]: { $lt: v } }, { [field]: { $exists: false } }] };
  }
  // the highest value: above v when one is, below v when none reaches it (or there is none)
  return up ? { [field]: { $gt: v } } : { [field]: { $not: { $gte: v } } };
}

/**
 * Keyset condition: rows strictly after (or before) the tuple in `sort` order, as one document
 * both stores run: an `$or` over the keys, each branch "equal on the keys before, beyond on this".
 *
 * Written so that MongoDB can start an index walk at the cursor rather than walk every earlier
 * page's entries and filter them out (the planner takes index bounds from plain conjuncts, not
 * from inside an `$or`):
 * - a search of one type (`types`) drops `t` from the order: every row has that type, so the
 *   default order's position is a plain `id` range on `{t, id}`;
 * - a scalar first key (`t`, `id`, `lu`) is also bounded on its own, beside the `$or`
 *   (`lu >= v` after the cursor ascending; `lu` not above v descending, which a document without
 *   lu, a built-in definition, is too): bounds on `{t, lu, id}` from the cursor on. A
 *   multikey first key (x.*) gets none: MongoDB cannot keep an index order over a bounded
 *   multikey field anyway, and the branches bound it already.
 */
export function keysetFilter(sort: SortSpec, tuple: SortValue[], later: boolean, types?: string[]): Filter {
  const keep = sort.map((_, i) => i).filter((i) => !(sort[i][0] === 't' && types?.length === 1 && tuple[i] === types[0]));
  const keys = keep.map((i) => sort[i]);
  const values = keep.map((i) => tuple[i]);
  const branches: Filter[] = [];
  for (let i = 0; i < keys.length; i++) {
    const b = beyond(keys[i][0], keys[i][1], values[i], later);
    if (b) branches.push(andAll([...keys.slice(0, i).map(([f, d], j) => equal(f, d, values[j])), b]));
  }
  if (branches.length === 1) return branches[0];
  const or = { $or: branches };
  if (!keys.length || !isScalar(keys[0][0]) || values[0] === null) return or;
  const up = (keys[0][1] === 1) === later;
  const [f, v] = [keys[0][0], values[0]];
  // downwards, a missing lu is in range (as in beyond); `$not` keeps it an index bound
  return { $and: [{ [f]: up ? { $gte: v } : f === 'lu' ? { $not: { $gt: v } } : { $lte: v } }, or] };
}

/** The rows named by `docs` (their t and id): per type, an `id` `$in` that `{t, id}` serves. */
export function keysFilter(docs: ReadonlyArray<Pick<IndexedDoc, 't' | 'id'>>): Filter {
  const byType = new Map<string, string[]>();
  for (const d of docs) {
    let ids = byType.get(d.t);
    if (!ids) byType.set(d.t, (ids = []));
    ids.push(d.id);
  }
  const parts = [...byType].map(([t, ids]): Filter => ({ t, id: { $in: ids } }));
  return parts.length === 1 ? parts[0] : { $or: parts.length ? parts : [{ id: { $in: [] } }] };
}

export function reverse(sort: SortSpec): SortSpec {
  return sort.map(([f, d]) => [f, d === 1 ? -1 : 1]);
}

/** Link URL with the parameters used, plus a cursor. */
export function linkUrl(base: string, used: Array<[string, string]>, cursor?: Cursor): string {
  const params = new URLSearchParams();
  for (const [k, v] of used) params.append(k, v);
  if (cursor) params.append('_cursor', encodeCursor(cursor));
  const qs = params.toString();
  return qs ? `${base}?${qs}` : base;
}
