import type { SearchIndex } from '../types.js';
import { encodeHashed, encodePostingKey, hashField, hashHi, hashLo, keyedValue, paddedBytes, roomFor, WIDE } from './key-hash.js';

/**
 * What the in-memory search indexes (search-indexes.ts) take from one search index: its posting
 * keys (already reduced by `postingKey` and hashed, deduplicated per field) and its intervals, in
 * flat typed arrays. Bulk loads compute them on the prepare workers (packed-batch.ts), so the
 * store's thread never parses the index JSON nor hashes a string; single writes and recovery
 * compute them with this same code on the store's thread.
 *
 * Layout (one builder holds the terms of many resources, `res` delimits each):
 *  - posting p: post[6p..6p+6) = hashHi, hashLo, field (index into `strings`), keyOff, keyLen,
 *    keyed. The key's code units are in `keys` at byte keyOff (a multiple of 4), padded with zeros
 *    to whole 32-bit words (key-hash.ts `encodeHashed`: latin1 when keyLen >= 0, UTF-16LE with
 *    byte length ~keyLen when negative), so the posting store tells keys apart word by word and
 *    can list a field's keys for prefix lookups. keyed is 1 when a value of that key differs
 *    from it (a token with a system): prefix lookups cannot use such a field.
 *  - interval q: rng[2q..2q+2) = s, e; rngKey[2q..2q+2) = key (index into `strings`: `field`, or
 *    `field\0accession` for a genomic region), kind (0 date-like, 1 region).
 *  - resource r: res[4r..4r+4) = first posting, end posting, first interval, end interval.
 */
export interface Terms {
  post: Int32Array;
  keys: Int32Array;
  rng: Float64Array;
  rngKey: Int32Array;
  res: Int32Array;
  strings: string[];
}

/** Int32s per posting in `post`. */
export const STRIDE = 6;
/** Postings of one field compared one by one for duplicates; more than this use a Map. */
const LINEAR_DEDUP = 32;

/**
 * Postings are keyed on a value without its token systems: `system|code`, `|code` and `code` (and
 * the four forms of a composite `a$b`) share one list, which halves what a write inserts. The
 * list is a superset for a system-qualified query, and every candidate is verified against the
 * full filter anyway. Deterministic, so writes and queries agree. (Equal to
 * `v.split('$').map((part) => part.slice(part.lastIndexOf('|') + 1)).join('$')` when v has a `|`.)
 */
export function postingKey(v: string): string {
  if (v.indexOf('|') < 0) return v;
  if (v.indexOf('$') < 0) return v.slice(v.lastIndexOf('|') + 1);
  // joined, not concatenated: a flat string, which hashing reads far faster than a rope
  const parts: string[] = [];
  for (let start = 0; ;) {
    const end = v.indexOf('$', start);
    const stop = end < 0 ? v.length : end;
    const bar = stop > start ? v.lastIndexOf('|', stop - 1) : -1;
    parts.push(v.slice(bar >= start ? bar + 1 : start, stop));
    if (end < 0) return parts.join('$');
    start = end + 1;
  }
}

function grow<T extends Int32Array | Float64Array>(a: T, need: number): T {
  if (need <= a.length) return a;
  let n = a.length * 2;
  while (n < need) n *= 2;
  const b = new (a.constructor as new (n: number) => T)(n);
  b.set(a);
  return b;
}

export class TermsBuilder implements Terms {
  post = new Int32Array(STRIDE * 256);
  keys = new Int32Array(1024);
  private keyBytes = new Uint8Array(this.keys.buffer);
  rng = new Float64Array(32);
  rngKey = new Int32Array(32);
  res = new Int32Array(4 * 16);
  strings: string[] = [];
  private stringIds = new Map<string, number>();
  nPost = 0;
  nRng = 0;
  nRes = 0;
  private nKeyBytes = 0;
  /** Postings of the field being added, once it has many: position of the first one by hash. */
  private readonly seen = new Map<number, number>();

  reset(): void {
    this.nPost = this.nRng = this.nRes = this.nKeyBytes = 0;
    this.strings = [];
    this.stringIds = new Map();
  }

  private stringId(s: string): number {
    let id = this.stringIds.get(s);
    if (id === undefined) {
      id = this.strings.length;
      this.strings.push(s);
      this.stringIds.set(s, id);
    }
    return id;
  }

  /** Appends the terms of one resource's index (undefined: a resource without one, e.g. deleted). */
  add(type: string, x: SearchIndex | undefined): void {
    this.res = grow(this.res, 4 * (this.nRes + 1));
    const r = 4 * this.nRes++;
    this.res[r] = this.nPost;
    this.res[r + 2] = this.nRng;
    if (x) {
      for (const field in x) {
        // :text is a word match, not an exact or prefix lookup: no posting list can answer it
        if (field.endsWith('__t')) continue;
        const values = x[field];
        if (!Array.isArray(values)) continue;
        this.addField(type, field, values);
      }
    }
    this.res[r + 1] = this.nPost;
    this.res[r + 3] = this.nRng;
  }

  private addField(type: string, field: string, values: unknown[]): void {
    let f = -1;
    const first = this.nPost;
    this.seen.clear();
    for (const v of values) {
      if (typeof v === 'string') {
        if (f < 0) {
          hashField(type, field);
          f = this.stringId(field);
        }
        this.addPosting(f, first, v);
      } else if (v && typeof v === 'object') {
        const r = v as { a?: unknown; s?: unknown; e?: unknown };
        // Finite only: the index is journaled as JSON, where NaN and Infinity become null, and
        // recovery must rebuild exactly what the commit built.
        if (typeof r.s !== 'number' || typeof r.e !== 'number' || !Number.isFinite(r.s) || !Number.isFinite(r.e)) continue;
        if (this.rng.length < 2 * (this.nRng + 1)) {
          this.rng = grow(this.rng, 2 * (this.nRng + 1));
          this.rngKey = grow(this.rngKey, 2 * (this.nRng + 1));
        }
        const q = 2 * this.nRng++;
        this.rng[q] = r.s;
        this.rng[q + 1] = r.e;
        const region = typeof r.a === 'string';
        this.rngKey[q] = this.stringId(region ? `${field}\u0000${r.a as string}` : field);
        this.rngKey[q + 1] = region ? 1 : 0;
      }
    }
  }

  /** One string value of field `f` (postings of the field start at `first`). */
  private addPosting(f: number, first: number, v: string): void {
    if (this.keyBytes.length < this.nKeyBytes + roomFor(v.length)) {
      this.keys = grow(this.keys, (this.nKeyBytes + roomFor(v.length)) >> 1);
      this.keyBytes = new Uint8Array(this.keys.buffer);
    }
    let code = encodePostingKey(v, this.keyBytes, this.nKeyBytes);
    let keyed = keyedValue ? 1 : 0;
    if (code === WIDE) {
      const key = postingKey(v);
      keyed = key !== v ? 1 : 0;
      code = encodeHashed(key, this.keyBytes, this.nKeyBytes);
    }
    const hi = hashHi;
    const lo = hashLo;
    // two forms of one value: one posting, keyed if either form is
    const dup = this.findDuplicate(first, hi, lo, code);
    if (dup >= 0) {
      this.post[dup + 5] |= keyed;
      return;
    }
    if (this.post.length < STRIDE * (this.nPost + 1)) this.post = grow(this.post, STRIDE * (this.nPost + 1));
    const p = STRIDE * this.nPost++;
    const post = this.post;
    post[p] = hi;
    post[p + 1] = lo;
    post[p + 2] = f;
    post[p + 3] = this.nKeyBytes;
    post[p + 4] = code;
    post[p + 5] = keyed;
    this.nKeyBytes += paddedBytes(code);
    if (this.nPost - first > LINEAR_DEDUP) {
      if (this.seen.size === 0) for (let q = STRIDE * first; q <= p; q += STRIDE) this.seen.set(post[q + 1], q);
      else if (!this.seen.has(lo)) this.seen.set(lo, p);
    }
  }

  /**
   * Position in `post` of an earlier posting of this field (from posting `first`) with the key
   * just encoded, or -1. A field with many postings asks the Map for the first one of that hash
   * and scans only when that one holds another key of the same hash.
   */
  private findDuplicate(first: number, hi: number, lo: number, code: number): number {
    if (this.nPost - first > LINEAR_DEDUP) {
      const at = this.seen.get(lo);
      if (at === undefined) return -1;
      if (this.sameAt(at, hi, lo, code)) return at;
    }
    for (let p = STRIDE * first, end = STRIDE * this.nPost; p < end; p += STRIDE) if (this.sameAt(p, hi, lo, code)) return p;
    return -1;
  }

  private sameAt(p: number, hi: number, lo: number, code: number): boolean {
    const post = this.post;
    if (post[p] !== hi || post[p + 1] !== lo || post[p + 4] !== code) return false;
    const words = paddedBytes(code) >> 2;
    const other = post[p + 3] >> 2;
    const at = this.nKeyBytes >> 2;
    for (let w = 0; w < words; w++) if (this.keys[other + w] !== this.keys[at + w]) return false;
    return true;
  }

  /** The terms as compact arrays of their own (for sending to another thread). */
  finish(): Terms {
    return {
      post: this.post.slice(0, STRIDE * this.nPost),
      keys: this.keys.slice(0, this.nKeyBytes >> 2),
      rng: this.rng.slice(0, 2 * this.nRng),
      rngKey: this.rngKey.slice(0, 2 * this.nRng),
      res: this.res.slice(0, 4 * this.nRes),
      strings: this.strings,
    };
  }
}

/** A key's string from its code units in `keys` (byte offset, length code as above). */
export function keyString(keys: Int32Array, off: number, code: number): string {
  const bytes = new Uint8Array(keys.buffer, keys.byteOffset, keys.byteLength);
  if (code >= 0) return Buffer.from(bytes.buffer, bytes.byteOffset + off, code).toString('latin1');
  const n = ~code;
  let s = '';
  for (let i = 0; i < n; i += 2) s += String.fromCharCode(bytes[off + i] | (bytes[off + i + 1] << 8));
  return s;
}

let scratch = new Int32Array(64);
/**
 * A key looked up at query time, hashed under the (type, field) given to `hashField` and encoded
 * as the builder encodes it, in a scratch buffer valid until the next call: [words, length code].
 */
export function encodeKey(key: string): [Int32Array, number] {
  if (scratch.byteLength < 2 * key.length + 4) scratch = new Int32Array(key.length + 4);
  const code = encodeHashed(key, new Uint8Array(scratch.buffer), 0);
  return [scratch, code];
}

/** A builder reused for one resource at a time (single writes and recovery, on the store's thread). */
export class OneTerms extends TermsBuilder {
  of(type: string, x: SearchIndex): Terms {
    this.reset();
    this.add(type, x);
    return this;
  }
}
