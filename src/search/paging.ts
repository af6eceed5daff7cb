import { fhirError } from '../fhir/errors.js';
import type { IndexedDoc, SortSpec } from '../storage/types.js';
import type { Filter } from './compile.js';

/**
 * Opaque paging cursors (https://hl7.org/fhir/R4/http.html#paging). Without `_sort` the order is
 * (type, id) and the cursor is a keyset position: following `next` never repeats or skips a
 * resource, whatever is inserted, updated or deleted meanwhile. With `_sort` the cursor is an
 * offset within a snapshot (resources last updated at or before the first page), so concurrent
 * inserts do not shift later pages either.
 */
export type Cursor =
  | { k: 'after'; t: string; id: string }
  | { k: 'before'; t: string; id: string }
  | { k: 'offset'; o: number; at: number };

export function encodeCursor(c: Cursor): string {
  return Buffer.from(JSON.stringify(c)).toString('base64url');
}

export function decodeCursor(s: string): Cursor {
  try {
    const c = JSON.parse(Buffer.from(s, 'base64url').toString('utf8')) as Cursor;
    if (c.k === 'after' || c.k === 'before') {
      if (typeof c.t === 'string' && typeof c.id === 'string') return { k: c.k, t: c.t, id: c.id };
    } else if (c.k === 'offset' && Number.isInteger(c.o) && c.o >= 0 && Number.isFinite(c.at)) return { k: 'offset', o: c.o, at: c.at };
  } catch {
    /* fall through */
  }
  throw fhirError('INVALID_SEARCH', 'The paging cursor is not valid (it may come from another search)', '_cursor');
}

export const KEY_ORDER: SortSpec = [['t', 1], ['id', 1]];

/** Keyset condition: strictly after (or before) position (t, id) in (type, id) order. */
export function keysetFilter(c: { k: 'after' | 'before'; t: string; id: string }): Filter {
  const op = c.k === 'after' ? '$gt' : '$lt';
  return { $or: [{ t: { [op]: c.t } }, { t: c.t, id: { [op]: c.id } }] };
}

export function reverse(sort: SortSpec): SortSpec {
  return sort.map(([f, d]) => [f, d === 1 ? -1 : 1]);
}

export function afterCursor(doc: IndexedDoc): Cursor {
  return { k: 'after', t: doc.t, id: doc.id };
}
export function beforeCursor(doc: IndexedDoc): Cursor {
  return { k: 'before', t: doc.t, id: doc.id };
}

/** Link URL with the parameters used, plus a cursor. */
export function linkUrl(base: string, used: Array<[string, string]>, cursor?: Cursor): string {
  const params = new URLSearchParams();
  for (const [k, v] of used) params.append(k, v);
  if (cursor) params.append('_cursor', encodeCursor(cursor));
  const qs = params.toString();
  return qs ? `${base}?${qs}` : base;
}
