import type { StoreQuery } from '../storage/types.js';
import type { Bounds } from './range-index.js';

/**
 * Pure helpers that read compiled filter documents back (for the embedded store's index planner,
 * src/storage/embedded/search-indexes.ts): interval bounds out of `$elemMatch`/range operators,
 * literal prefixes out of anchored escaped regexes, and the default (type, id) order.
 */
export const FULL: Bounds = { sMin: -Infinity, sMax: Infinity, eMin: -Infinity, eMax: Infinity };

/** 1 / -1 when the sort is exactly (t, id) ascending / descending, else 0. */
export function keyOrder(query: StoreQuery): 1 | -1 | 0 {
  const s = query.sort;
  if (!s || s.length !== 2 || s[0][0] !== 't' || s[1][0] !== 'id' || s[0][1] !== s[1][1]) return 0;
  return s[0][1];
}

export function isIn(v: unknown): v is { $in: unknown[] } {
  return !!v && typeof v === 'object' && Array.isArray((v as { $in?: unknown }).$in) && Object.keys(v).length === 1;
}

export function* chain<T>(its: Iterable<T>[]): Iterable<T> {
  for (const it of its) yield* it;
}

export function lowerBound(keys: string[], v: string): number {
  let lo = 0;
  let hi = keys.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (keys[mid] < v) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * What `uri:below` appends to its escaped value: the value ends there or a path segment follows
 * (compile-values.ts uriCond).
 */
export const SEGMENT_END = '(?:/|$)';

/**
 * `^literal` with only escaped metacharacters -> literal; `^literal(?:/|$)` -> literal too (every
 * match starts with it: the index picks a superset, which the query then narrows); anything
 * else -> undefined.
 */
export function literalPrefix(regex: string): string | undefined {
  if (!regex.startsWith('^')) return undefined;
  let out = '';
  const end = regex.endsWith(SEGMENT_END) ? regex.length - SEGMENT_END.length : regex.length;
  for (let i = 1; i < end; i++) {
    const c = regex[i];
    if (c === '\\') {
      if (i + 1 >= end || /[A-Za-z0-9]/.test(regex[i + 1])) return undefined;
      out += regex[++i];
    } else if ('.*+?^${}()|[]'.includes(c)) return undefined;
    else out += c;
  }
  return out;
}

/** Bounds on one scalar from `{ $gte, $gt, $lt, $lte }` (a superset is fine: mingo verifies). */
export function opBounds(v: unknown): [number, number] | undefined {
  if (typeof v === 'number') return [v, v];
  if (!v || typeof v !== 'object') return undefined;
  let lo = -Infinity;
  let hi = Infinity;
  for (const [op, x] of Object.entries(v as Record<string, unknown>)) {
    if (typeof x !== 'number') return undefined;
    if (op === '$gte' || op === '$gt') lo = Math.max(lo, x);
    else if (op === '$lte' || op === '$lt') hi = Math.min(hi, x);
    else return undefined;
  }
  return [lo, hi];
}

export function intersect(a: Bounds, b: Bounds): Bounds {
  return { sMin: Math.max(a.sMin, b.sMin), sMax: Math.min(a.sMax, b.sMax), eMin: Math.max(a.eMin, b.eMin), eMax: Math.min(a.eMax, b.eMax) };
}

export function scalarBounds(v: unknown): Bounds[] | undefined {
  const b = opBounds(v);
  return b ? [{ ...FULL, sMin: b[0], sMax: b[1] }] : undefined;
}

/**
 * Bounds on an interval element (`{ s, e }`, branches in `$or`; `a` is the accession a region
 * index is chosen by, `b` its bins). Undefined for any other shape: a number, quantity or composite element
 * (`{ n }`, `{ c0, c1 }`, `{ $gt }`) says nothing about s and e, and reading it as unbounded
 * would send it to an interval index that does not exist for its field.
 */
export function elemBounds(em: Record<string, unknown>): Bounds[] | undefined {
  for (const k of Object.keys(em)) {
    // a region's bin (`b`) only narrows what s and e already bound (compile-values.ts regionCond)
    if (k !== 's' && k !== 'e' && k !== '$or' && k !== 'a' && !(k === 'b' && 'a' in em)) return undefined;
  }
  const base: Bounds = { ...FULL };
  if ('s' in em) {
    const b = opBounds(em.s);
    if (!b) return undefined;
    [base.sMin, base.sMax] = b;
  }
  if ('e' in em) {
    const b = opBounds(em.e);
    if (!b) return undefined;
    [base.eMin, base.eMax] = b;
  }
  if (!Array.isArray(em.$or)) return [base];
  const out: Bounds[] = [];
  for (const branch of em.$or as Array<Record<string, unknown>>) {
    const bb = elemBounds(branch);
    if (!bb) return undefined;
    for (const b of bb) {
      out.push({ sMin: Math.max(b.sMin, base.sMin), sMax: Math.min(b.sMax, base.sMax), eMin: Math.max(b.eMin, base.eMin), eMax: Math.min(b.eMax, base.eMax) });
    }
  }
  return out;
}
