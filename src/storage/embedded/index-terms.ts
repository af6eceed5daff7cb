import type { SearchIndex } from '../types.js';
import { encodeHashed, encodePostingKey, hashField, hashHi, hashLo, keyedValue, paddedBytes, roomFor, WIDE } from './key-hash.js';

/**
 * What the in-memory search indexes (search-indexes.ts) take from one search index: its posting
 * keys (already reduced by `postingKey`, hashed and encoded: key-hash.ts) and its intervals, in
 * flat typed arrays. Bulk loads compute them on the prepare workers (packed-batch.ts), so the
 * store's thread never parses the index JSON nor hashes a string; single writes and recovery
 * compute them with this same code on the store's thread.
 *
 * One builder holds the terms of many resources (a batch). Its keys are distinct across the
 * batch, so the store looks each one up once per batch, not once per resource that has it:
 *  - key k: key[6k..6k+6) = hashHi, hashLo, field (index into `strings`), byte offset of its code
 *    units in `words` (zero-padded 32-bit words, key-hash.ts), length code, type (index into
 *    `strings`);
 *  - posting p: post[2p..2p+2) = key, keyed (1 when a value of that key differs from it: a token
 *    with a system; prefix lookups cannot use such a field). A resource has a key at most once
 *    per field;
 *  - interval q: rng[2q..2q+2) = s, e; rngKey[2q..2q+2) = key (index into `strings`: `field`, or
 *    `field\0accession` for a genomic region), kind (0 date-like, 1 region);
 *  - resource r: res[4r..4r+4) = first posting, end posting, first interval, end interval.
 */
export interface Terms {
  key: Int32Array;
  words: Int32Array;
  post: Int32Array;
  rng: Float64Array;
  rngKey: Int32Array;
  res: Int32Array;
  strings: string[];
  /** Set on finished (immutable) terms: the store may remember what it looked up for them. */
  frozen?: boolean;
}

/** Fields whose values are posting keys as they are (see postingKey). */
export function verbatimField(field: string): boolean {
  return field.startsWith('gx-');
}

/** Int32s per key in `key`. */
export const KEY = 6;

/** Values in one index from which the builder reserves room for all of them at once. */
const RESERVE_FROM = 4096;

/**
 * Postings are keyed on a value without its token systems: `system|code`, `|code` and `code` (and
 * the four forms of a composite `a$b`) share one list, which halves what a write inserts. The
 * list is a superset for a system-qualified query, and every candidate is verified against the
 * full filter anyway. Deterministic, so writes and queries agree. (Equal to
 * `v.split('$').map((part) => part.slice(part.lastIndexOf('|') + 1)).join('$')` when v has a `|`.)
 * The genomics operations' own fields (`gx-*`) use `|` to join a subject with what it has
 * (`Patient/p1|NC_000017.11#0.467`): cutting there would key one patient's lookup on every
 * patient's value, so they are keyed as they are (`verbatimField`).
 */
export function postingKey(v: string, field?: string): string {
  if (v.indexOf('|') < 0 || (field !== undefined && verbatimField(field))) return v;
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

/** `a`, or a copy at least twice as long holding at least `need` (the store's typed arrays grow so). */
export function grow<T extends Int32Array | Float64Array>(a: T, need: number): T {
  if (need <= a.length) return a;
  let n = a.length * 2;
  while (n < need) n *= 2;
  const b = new (a.constructor as new (n: number) => T)(n);
  b.set(a);
  return b;
}

/**
 * `a`, or a copy holding at least `need`: exactly `need` when that is more than twice `a` (room
 * reserved for a large index at once, whose count is an upper bound already), else twice `a`.
 */
function reserve<T extends Int32Array | Float64Array>(a: T, need: number): T {
  if (need <= a.length) return a;
  const b = new (a.constructor as new (n: number) => T)(Math.max(need, 2 * a.length));
  b.set(a);
  return b;
}

/**
 * Forms of one value come in a run ending with the bare value they are keyed on: `system|code`
 * then `code`; a token composite's `s|a$t|b`, `s|a$b`, `a$t|b` then `a$b` (index-values.ts,
 * coding-cache.ts `joins`). Encoding and hashing each form read all of its characters, the long
 * systems too, only to find the key the run's last value gives anyway: 61% of a seed resource's
 * indexed characters (2026-12-04, docs/performance.md). Returns the index of that last value when
 * `values[i]` (a string) starts such a run, every value from `i` up to it holding a `|` and having
 * it as its postingKey; else `i`. Skipping the run and keying the last value's posting gives the
 * terms the builder gave before, key for key and posting for posting: no other key comes between.
 */
function formsBefore(values: unknown[], i: number, v: string): number {
  if (v.indexOf('|') < 0) return i;
  const end = Math.min(values.length, i + MAX_FORMS);
  for (let j = i + 1; j < end; j++) {
    const w = values[j];
    if (typeof w !== 'string') return i;
    if (w.indexOf('|') >= 0) continue;
    for (let k = i; k < j; k++) if (!keyedOn(values[k] as string, w)) return i;
    return j;
  }
  return i;
}

/** A composite's four forms: three before the bare one. */
const MAX_FORMS = 4;

/**
 * Whether postingKey(v) === w, for a `v` holding a `|` and a `w` holding none, without making the
 * key: part by part (`$`), the characters after the part's last `|` against w's part. The
 * systems are skipped by the native searches, not read one by one.
 */
function keyedOn(v: string, w: string): boolean {
  let vs = 0;
  let ws = 0;
  for (;;) {
    const ve = v.indexOf('$', vs);
    const we = w.indexOf('$', ws);
    if ((ve < 0) !== (we < 0)) return false;
    const vStop = ve < 0 ? v.length : ve;
    const wStop = we < 0 ? w.length : we;
    const bar = vStop > vs ? v.lastIndexOf('|', vStop - 1) : -1;
    const from = bar >= vs ? bar + 1 : vs;
    const n = vStop - from;
    if (n !== wStop - ws) return false;
    for (let c = 0; c < n; c++) if (v.charCodeAt(from + c) !== w.charCodeAt(ws + c)) return false;
    if (ve < 0) return true;
    vs = ve + 1;
    ws = we + 1;
  }
}

export class TermsBuilder implements Terms {
  key = new Int32Array(KEY * 256);
  words = new Int32Array(1024);
  private bytes = new Uint8Array(this.words.buffer);
  post = new Int32Array(2 * 256);
  rng = new Float64Array(32);
  rngKey = new Int32Array(32);
  res = new Int32Array(4 * 16);
  strings: string[] = [];
  private stringIds = new Map<string, number>();
  nKey = 0;
  nPost = 0;
  nRng = 0;
  nRes = 0;
  private nBytes = 0;
  /** Open-addressing table of the batch's keys (key index + 1), by hash. */
  private table = new Int32Array(1024);
  /** Per key: the last posting (index + 1) that used it, to keep a key once per resource and field. */
  private lastUse = new Int32Array(256);
  private type = -1;

  /** Changes on every reset: what was resolved for this builder's keys before is void. */
  generation = 0;

  reset(): void {
    this.generation++;
    this.nKey = this.nPost = this.nRng = this.nRes = this.nBytes = 0;
    this.strings = [];
    this.stringIds = new Map();
    this.table.fill(0);
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
      this.type = this.stringId(type);
      this.reserveFor(x);
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

  /**
   * Room for the keys and postings of a large index at once (a GenomicReport's 100,000 results
   * are 200,000 values): grown value by value, each array was copied at every doubling, and the
   * copies' pages stay resident until a GC. Small indexes skip the counting.
   */
  private reserveFor(x: SearchIndex): void {
    let values = 0;
    for (const field in x) {
      const v = x[field];
      if (Array.isArray(v)) values += v.length;
    }
    if (values < RESERVE_FROM) return;
    let bytes = 0;
    for (const field in x) {
      const v = x[field];
      if (!Array.isArray(v) || field.endsWith('__t')) continue;
      for (const s of v) if (typeof s === 'string') bytes += roomFor(s.length);
    }
    this.post = reserve(this.post, 2 * (this.nPost + values));
    this.key = reserve(this.key, KEY * (this.nKey + values));
    this.lastUse = reserve(this.lastUse, this.nKey + values);
    if (this.bytes.length < this.nBytes + bytes) this.setWords(reserve(this.words, (this.nBytes + bytes + 3) >> 2));
  }

  /** `words` with room for `bytes` bytes. */
  private growWords(bytes: number): void {
    if (this.bytes.length < bytes) this.setWords(grow(this.words, (bytes + 3) >> 2));
  }

  private setWords(w: Int32Array<ArrayBuffer>): void {
    this.words = w;
    this.bytes = new Uint8Array(w.buffer);
  }

  /**
   * Every string value but the forms of a run (formsBefore) is encoded and hashed (key-hash.ts),
   * then found among the batch's keys by its hash and code units: values recur across a batch
   * (codes, systems, genes, subjects), but a Map from value to key was dearer than encoding
   * again, since most values are fresh strings whose hash V8 must compute first (about 25% of
   * this builder's time, 2026-12-02, README).
   */
  private addField(type: string, field: string, values: unknown[]): void {
    let f = -1;
    const verbatim = verbatimField(field);
    const first = this.nPost;
    /** A run of forms before value `keyedAt` was skipped (see formsBefore): that value's posting is keyed. */
    let keyedAt = -1;
    for (let i = 0; i < values.length; i++) {
      const v = values[i];
      if (typeof v === 'string') {
        if (f < 0) {
          hashField(type, field);
          f = this.stringId(field);
        }
        if (!verbatim && i > keyedAt) {
          const to = formsBefore(values, i, v);
          if (to > i) {
            keyedAt = to;
            i = to - 1;
            continue;
          }
        }
        this.addPosting(f, first, v, verbatim, i === keyedAt ? 1 : 0);
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

  /** One string value of field `f` (postings of the field, in this resource, start at `first`). */
  private addPosting(f: number, first: number, v: string, verbatim: boolean, formsKeyed: number): void {
    this.growWords(this.nBytes + roomFor(v.length));
    let code = verbatim ? encodeHashed(v, this.bytes, this.nBytes) : encodePostingKey(v, this.bytes, this.nBytes);
    let keyed = !verbatim && keyedValue ? 1 : 0;
    if (code === WIDE) {
      const key = postingKey(v);
      keyed = key !== v ? 1 : 0;
      code = encodeHashed(key, this.bytes, this.nBytes);
    }
    this.use(this.keyOf(f, code), keyed | formsKeyed, first);
  }

  /** A posting of key `k` for the resource being added (once per field: postings of it start at `first`). */
  private use(k: number, keyed: number, first: number): void {
    const last = this.lastUse[k] - 1;
    if (last >= first) {
      // two forms of one value: one posting, keyed if either form is
      this.post[2 * last + 1] |= keyed;
      return;
    }
    if (this.post.length < 2 * (this.nPost + 1)) this.post = grow(this.post, 2 * (this.nPost + 1));
    this.post[2 * this.nPost] = k;
    this.post[2 * this.nPost + 1] = keyed;
    this.lastUse[k] = ++this.nPost;
  }

  /** The batch's key just encoded at `nBytes` (field `f`, this resource's type): found, or added. */
  private keyOf(f: number, code: number): number {
    const hi = hashHi;
    const lo = hashLo;
    const mask = this.table.length - 1;
    const words = paddedBytes(code) >> 2;
    const at = this.nBytes >> 2;
    for (let i = lo & mask; ; i = (i + 1) & mask) {
      const k = this.table[i] - 1;
      if (k < 0) {
        this.table[i] = this.addKey(hi, lo, f, code, words) + 1;
        return this.nKey - 1;
      }
      const m = KEY * k;
      const key = this.key;
      if (key[m] !== hi || key[m + 1] !== lo || key[m + 2] !== f || key[m + 4] !== code || key[m + 5] !== this.type) continue;
      const other = key[m + 3] >> 2;
      let same = true;
      for (let w = 0; w < words && same; w++) same = this.words[other + w] === this.words[at + w];
      if (same) return k;
    }
  }

  private addKey(hi: number, lo: number, f: number, code: number, words: number): number {
    const k = this.nKey++;
    if (this.key.length < KEY * this.nKey) this.key = grow(this.key, KEY * this.nKey);
    if (this.lastUse.length < this.nKey) this.lastUse = grow(this.lastUse, this.nKey);
    this.lastUse[k] = 0;
    const m = KEY * k;
    this.key[m] = hi;
    this.key[m + 1] = lo;
    this.key[m + 2] = f;
    this.key[m + 3] = this.nBytes;
    this.key[m + 4] = code;
    this.key[m + 5] = this.type;
    this.nBytes += 4 * words; // the encoded bytes stay: they are this key's
    if (2 * this.nKey > this.table.length) this.rehash();
    return k;
  }

  private rehash(): void {
    this.table = new Int32Array(this.table.length * 2);
    const mask = this.table.length - 1;
    for (let k = 0; k < this.nKey; k++) {
      let i = this.key[KEY * k + 1] & mask;
      while (this.table[i] !== 0) i = (i + 1) & mask;
      this.table[i] = k + 1;
    }
  }

  /**
   * The terms, as views of the builder's arrays (each on a buffer of its own, for sending to
   * another thread), which the builder then no longer uses. Not copies: a large batch's terms
   * (a GenomicReport's: 17 MB) would be held twice at the peak; the spare room is only held until
   * the store applies them (the postings copy what they keep).
   */
  finish(): Terms {
    return {
      key: this.key.subarray(0, KEY * this.nKey),
      words: this.words.subarray(0, this.nBytes >> 2),
      post: this.post.subarray(0, 2 * this.nPost),
      rng: this.rng.subarray(0, 2 * this.nRng),
      rngKey: this.rngKey.subarray(0, 2 * this.nRng),
      res: this.res.subarray(0, 4 * this.nRes),
      strings: this.strings,
      frozen: true,
    };
  }
}

/** The buffers of finished terms (each array has a buffer of its own), to move them to another thread. */
export function termsBuffers(t: Terms): ArrayBuffer[] {
  return [t.key, t.words, t.post, t.rng, t.rngKey, t.res].map((a) => a.buffer as ArrayBuffer);
}

/** A key's string from its code units in `words` (byte offset, length code as above). */
export function keyString(words: Int32Array, off: number, code: number): string {
  const bytes = new Uint8Array(words.buffer, words.byteOffset, words.byteLength);
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
  if (scratch.byteLength < roomFor(key.length)) scratch = new Int32Array(key.length + 4);
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

/**
 * A builder shared by a run of resources applied one after another (recovery replays a journal
 * line by line): values and keys repeat across resources, so encoding, hashing and the store's
 * key lookups happen once per run of RUN resources, not once per resource. `of` answers the
 * builder and the resource's number in it.
 */
export class RunTerms extends TermsBuilder {
  static readonly RUN = 256;
  of(type: string, x: SearchIndex): [Terms, number] {
    if (this.nRes >= RunTerms.RUN) this.reset();
    this.add(type, x);
    return [this, this.nRes - 1];
  }
}
