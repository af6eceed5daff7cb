/**
 * An interval index for the embedded store: entries [s, e) kept sorted by start, with the longest
 * "short" interval remembered, so a query on s/e bounds is a binary search plus a short walk.
 * Long intervals (open-ended periods, whole-chromosome windows) are few and kept apart.
 * Used for dates (epoch ms), `_lastUpdated`, and genomic coordinates (one index per accession):
 * a region query never walks all variants of a chromosome. Typed arrays, so a million variants
 * cost the GC nothing; entries added since the last query are sorted on their own and merged in,
 * so a query after a few writes does not re-sort the whole index.
 *
 * Each entry carries a tag (the embedded store: the version that added it), so that a caller can
 * tell entries of a document's current version from those an update left behind.
 */
export interface Bounds {
  sMin: number; sMax: number; // inclusive
  eMin: number; eMax: number; // inclusive
}

/** Decides on one entry the index found within the bounds (exact predicates, current versions). */
export type EntryTest = (s: number, e: number, slot: number, tag: number) => boolean;

const LONG = { date: 400 * 86_400_000, region: 1_000_000 };

class Entries {
  s = new Float64Array(16);
  e = new Float64Array(16);
  slot = new Int32Array(16);
  tag = new Int32Array(16);
  n = 0;

  push(s: number, e: number, slot: number, tag: number): void {
    if (this.n === this.s.length) {
      const cap = 2 * this.n;
      this.s = grow(this.s, cap);
      this.e = grow(this.e, cap);
      this.slot = grow(this.slot, cap);
      this.tag = grow(this.tag, cap);
    }
    const i = this.n++;
    this.s[i] = s;
    this.e[i] = e;
    this.slot[i] = slot;
    this.tag[i] = tag;
  }
}

/**
 * Indexes from..n-1 ordered by s, equal starts in index order: a bottom-up merge sort on typed
 * arrays. `Uint32Array.prototype.sort` with a comparator calls back into JavaScript n log n times
 * (about 3 s for a million entries, paid by the first query after a bulk load); this is ~20x
 * faster, and linear when the entries came in start order (a VCF is sorted by position).
 */
export function sortedOrder(s: Float64Array, from: number, n: number): Uint32Array {
  const len = n - from;
  let a = new Uint32Array(len);
  for (let i = 0; i < len; i++) a[i] = from + i;
  let ordered = true;
  for (let i = from + 1; i < n && ordered; i++) ordered = s[i - 1] <= s[i];
  if (ordered) return a;
  let b = new Uint32Array(len);
  for (let width = 1; width < len; width *= 2) {
    for (let lo = 0; lo < len; lo += 2 * width) {
      const mid = Math.min(lo + width, len);
      const hi = Math.min(lo + 2 * width, len);
      let i = lo;
      let j = mid;
      let k = lo;
      // taking the left one on equal starts keeps the sort stable
      while (i < mid && j < hi) b[k++] = s[a[j]] < s[a[i]] ? a[j++] : a[i++];
      while (i < mid) b[k++] = a[i++];
      while (j < hi) b[k++] = a[j++];
    }
    const t = a;
    a = b;
    b = t;
  }
  return a;
}

function grow<T extends Float64Array | Int32Array | Uint32Array>(a: T, n: number): T {
  const b = new (a.constructor as new (n: number) => T)(n);
  b.set(a.subarray(0, Math.min(a.length, n)));
  return b;
}

export class RangeIndex {
  private short = new Entries();
  private sorted = 0;
  private maxLen = 0;
  private long = new Entries();
  private readonly longThreshold: number;
  private lastSlot = -1;
  private lastTag = -1;
  /**
   * Some document version has more than one interval here (a repeating element): callers must
   * not intersect the bounds of two clauses, each may be met by a different interval.
   */
  multiValued = false;

  constructor(kind: 'date' | 'region') {
    this.longThreshold = LONG[kind];
  }

  add(s: number, e: number, slot: number, tag = 0): void {
    // a version's intervals are added one after the other (search-indexes.ts apply)
    if (slot === this.lastSlot && tag === this.lastTag) this.multiValued = true;
    this.lastSlot = slot;
    this.lastTag = tag;
    if (e - s > this.longThreshold) {
      this.long.push(s, e, slot, tag);
      return;
    }
    if (e - s > this.maxLen) this.maxLen = e - s;
    this.short.push(s, e, slot, tag);
  }

  /** Whether entries were added since the last sort (the next query sorts them, or `sort`). */
  get unsorted(): boolean {
    return this.sorted !== this.short.n;
  }

  /** Sorts the entries added since the last sort by start (stable) and merges them in. */
  sort(): void {
    const a = this.short;
    const n = a.n;
    if (this.sorted === n) return;
    const from = this.sorted;
    const s = a.s;
    const order = sortedOrder(s, from, n);
    const ns = new Float64Array(a.s.length);
    const ne = new Float64Array(a.s.length);
    const nslot = new Int32Array(a.s.length);
    const ntag = new Int32Array(a.s.length);
    // merge the sorted prefix [0, from) with the sorted tail; on equal starts the older first
    let i = 0;
    let j = 0;
    for (let k = 0; k < n; k++) {
      const src = j >= order.length || (i < from && s[i] <= s[order[j]]) ? i++ : order[j++];
      ns[k] = s[src];
      ne[k] = a.e[src];
      nslot[k] = a.slot[src];
      ntag[k] = a.tag[src];
    }
    a.s = ns;
    a.e = ne;
    a.slot = nslot;
    a.tag = ntag;
    this.sorted = n;
  }

  /** First index with s >= v (or s > v when `strict`). */
  private lower(v: number, strict = false): number {
    const s = this.short.s;
    let lo = 0;
    let hi = this.short.n;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (s[mid] < v || (strict && s[mid] === v)) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  private window(b: Bounds): [number, number] {
    this.sort();
    const from = Math.max(b.sMin, b.eMin - this.maxLen);
    const to = Math.min(b.sMax, b.eMax);
    if (from > to) return [0, 0];
    return [this.lower(from), this.lower(to, true)];
  }

  estimate(b: Bounds): number {
    const [a, z] = this.window(b);
    return z - a + this.long.n;
  }

  /**
   * Slots of the entries within the bounds (a superset of the entries a filter on them keeps, in
   * start order, long ones last), or only those `test` accepts.
   */
  query(b: Bounds, test?: EntryTest): Int32Array {
    const [a, z] = this.window(b);
    const out = new Int32Array(z - a + this.long.n);
    let n = 0;
    const { s, e, slot, tag } = this.short;
    for (let i = a; i < z; i++) {
      const ei = e[i];
      if (ei >= b.eMin && ei <= b.eMax && (!test || test(s[i], ei, slot[i], tag[i]))) out[n++] = slot[i];
    }
    const L = this.long;
    for (let i = 0; i < L.n; i++) {
      const si = L.s[i];
      const ei = L.e[i];
      if (si >= b.sMin && si <= b.sMax && ei >= b.eMin && ei <= b.eMax && (!test || test(si, ei, L.slot[i], L.tag[i]))) out[n++] = L.slot[i];
    }
    return out.subarray(0, n);
  }
}
