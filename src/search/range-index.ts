/**
 * An interval index for the embedded store: entries [s, e) kept sorted by start, with the longest
 * "short" interval remembered, so a query on s/e bounds is a binary search plus a short walk.
 * Long intervals (open-ended periods, whole-chromosome windows) are few and kept apart.
 * Used for dates (epoch ms), `_lastUpdated`, and genomic coordinates (one index per accession):
 * a region query never walks all variants of a chromosome.
 */
export interface Bounds {
  sMin: number; sMax: number; // inclusive
  eMin: number; eMax: number; // inclusive
}

const LONG = { date: 400 * 86_400_000, region: 1_000_000 };

export class RangeIndex {
  private s: number[] = [];
  private e: number[] = [];
  private slot: number[] = [];
  private sorted = 0;
  private maxLen = 0;
  private longS: number[] = [];
  private longE: number[] = [];
  private longSlot: number[] = [];
  private readonly longThreshold: number;

  constructor(kind: 'date' | 'region') {
    this.longThreshold = LONG[kind];
  }

  add(s: number, e: number, slot: number): void {
    if (e - s > this.longThreshold) {
      this.longS.push(s);
      this.longE.push(e);
      this.longSlot.push(slot);
      return;
    }
    if (e - s > this.maxLen) this.maxLen = e - s;
    this.s.push(s);
    this.e.push(e);
    this.slot.push(slot);
  }

  private sort(): void {
    if (this.sorted === this.s.length) return;
    const n = this.s.length;
    const order = new Uint32Array(n);
    for (let i = 0; i < n; i++) order[i] = i;
    const s = this.s;
    order.sort((a, b) => s[a] - s[b]);
    const ns = new Array<number>(n);
    const ne = new Array<number>(n);
    const nslot = new Array<number>(n);
    for (let i = 0; i < n; i++) {
      ns[i] = s[order[i]];
      ne[i] = this.e[order[i]];
      nslot[i] = this.slot[order[i]];
    }
    this.s = ns;
    this.e = ne;
    this.slot = nslot;
    this.sorted = n;
  }

  /** First index with s >= v (or s > v when `strict`). */
  private lower(v: number, strict = false): number {
    let lo = 0;
    let hi = this.s.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.s[mid] < v || (strict && this.s[mid] === v)) lo = mid + 1;
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
    return z - a + this.longS.length;
  }

  *query(b: Bounds): Iterable<number> {
    const [a, z] = this.window(b);
    for (let i = a; i < z; i++) {
      const e = this.e[i];
      if (e >= b.eMin && e <= b.eMax) yield this.slot[i];
    }
    for (let i = 0; i < this.longS.length; i++) {
      const s = this.longS[i];
      const e = this.longE[i];
      if (s >= b.sMin && s <= b.sMax && e >= b.eMin && e <= b.eMax) yield this.longSlot[i];
    }
  }
}
