import { paddedBytes } from './key-hash.js';

/**
 * The posting lists of the embedded store's search indexes, in typed arrays: a million Variants
 * carry some eighty million postings under a few million distinct keys, which as JS Maps of
 * string -> number[] cost more memory than the documents and made every major GC trace millions
 * of objects. Here they cost about 5 bytes a posting and nothing to the GC:
 *  - an open-addressing table from the key's 64-bit hash (key-hash.ts) to a list id;
 *  - per list, one row of `meta`: hash, field id, where its key's bytes are, length and blocks;
 *  - the keys' code units in one arena of 32-bit words, compared on every hash hit, so two keys
 *    never share a list;
 *  - list contents in blocks (2, 4, 8 … 1024 slots, chained) carved out of 4 MiB pages.
 * Lists are append-only, like the Map-based lists before them (search-indexes.ts).
 */
const PAGE = 1 << 20; // Int32s per page (`page` shifts by 20)
const MAX_BLOCK = 1024;
/** meta row: hashHi, hashLo, field, keyOff, keyLen, count, head, tail, tailUsed, tailCap */
const M = 10;
const SATURATED = -1;

export class PostingStore {
  private table: Int32Array = new Int32Array(1 << 12);
  private mask = this.table.length - 1;
  private meta: Int32Array = new Int32Array(M * 1024);
  private lists = 0;
  private keys: Int32Array = new Int32Array(1 << 14);
  /** Words used in `keys`. */
  private keysUsed = 0;
  private readonly pages: Int32Array[] = [new Int32Array(PAGE)];
  private pageUsed = 0;

  constructor(private readonly saturation: number) {}

  get size(): number {
    return this.lists;
  }

  /** Bytes held (for memory accounting). */
  get bytes(): number {
    return this.table.byteLength + this.meta.byteLength + this.keys.byteLength + this.pages.length * PAGE * 4;
  }

  /**
   * The list of a key, or -1. The key's code units are in `keys` from byte `off` (a multiple of 4),
   * zero-padded words as index-terms.ts encodes them; `len` is its length code (< 0: UTF-16).
   */
  find(hi: number, lo: number, field: number, keys: Int32Array, off: number, len: number): number {
    const meta = this.meta;
    for (let i = lo & this.mask; ; i = (i + 1) & this.mask) {
      const id = this.table[i] - 1;
      if (id < 0) return -1;
      const m = id * M;
      if (meta[m] === hi && meta[m + 1] === lo && meta[m + 2] === field && meta[m + 4] === len && this.sameKey(meta[m + 3], keys, off >> 2, len)) return id;
    }
  }

  private sameKey(at: number, keys: Int32Array, from: number, len: number): boolean {
    const words = paddedBytes(len) >> 2;
    const mine = this.keys;
    for (let w = 0; w < words; w++) if (mine[at + w] !== keys[from + w]) return false;
    return true;
  }

  /** A new list holding `slot` (the key must not have one yet: `find` first). */
  create(hi: number, lo: number, field: number, keys: Int32Array, off: number, len: number, slot: number): number {
    if (2 * (this.lists + 1) > this.table.length) this.rehash();
    const id = this.lists++;
    if (this.meta.length < M * this.lists) this.meta = growInt32(this.meta, M * this.lists);
    const words = paddedBytes(len) >> 2;
    if (this.keys.length < this.keysUsed + words) this.keys = growInt32(this.keys, this.keysUsed + words);
    this.keys.set(keys.subarray(off >> 2, (off >> 2) + words), this.keysUsed);
    const block = this.block(2);
    this.page(block)[block & (PAGE - 1)] = slot;
    const m = id * M;
    const meta = this.meta;
    meta[m] = hi;
    meta[m + 1] = lo;
    meta[m + 2] = field;
    meta[m + 3] = this.keysUsed;
    meta[m + 4] = len;
    meta[m + 5] = 1;
    meta[m + 6] = block;
    meta[m + 7] = block;
    meta[m + 8] = 1;
    meta[m + 9] = 2;
    this.keysUsed += words;
    this.insert(id, lo);
    return id;
  }

  /**
   * Adds `slot` to a list. Mirrors the Map-based lists exactly: a list already `saturation` long
   * is dropped instead (a value on a large share of documents selects nothing), and a slot equal
   * to the list's last one is not added twice.
   */
  append(id: number, slot: number): void {
    const m = id * M;
    const meta = this.meta;
    const count = meta[m + 5];
    if (count === SATURATED) return;
    if (count >= this.saturation) {
      meta[m + 5] = SATURATED;
      return;
    }
    let tail = meta[m + 7];
    let used = meta[m + 8];
    if (this.page(tail)[(tail & (PAGE - 1)) + used - 1] === slot) return;
    const cap = meta[m + 9];
    if (used === cap) {
      const next = Math.min(2 * cap, MAX_BLOCK);
      const block = this.block(next);
      // the link to the next block sits right after the full block's slots
      this.page(tail)[(tail & (PAGE - 1)) + cap] = block;
      tail = block;
      used = 0;
      meta[m + 7] = block;
      meta[m + 9] = next;
    }
    this.page(tail)[(tail & (PAGE - 1)) + used] = slot;
    meta[m + 8] = used + 1;
    meta[m + 5] = count + 1;
  }

  /** Slots in the list (-1: saturated). */
  count(id: number): number {
    return this.meta[id * M + 5];
  }

  field(id: number): number {
    return this.meta[id * M + 2];
  }

  /** The list's slots, in insertion order (empty when saturated). */
  slots(id: number): Int32Array {
    const m = id * M;
    const count = this.meta[m + 5];
    if (count <= 0) return new Int32Array(0);
    const out = new Int32Array(count);
    let block = this.meta[m + 6];
    let cap = 2;
    let n = 0;
    for (;;) {
      const page = this.page(block);
      const at = block & (PAGE - 1);
      const take = Math.min(cap, count - n);
      out.set(page.subarray(at, at + take), n);
      n += take;
      if (n >= count) return out;
      block = page[at + cap];
      cap = Math.min(2 * cap, MAX_BLOCK);
    }
  }

  /** The key's words, byte offset and length code (index-terms.ts encoding), for decoding it. */
  key(id: number): [Int32Array, number, number] {
    const m = id * M;
    return [this.keys, 4 * this.meta[m + 3], this.meta[m + 4]];
  }

  /** A block of `cap` slots plus one link, as a global position (page * PAGE + offset). */
  private block(cap: number): number {
    const need = cap + 1;
    if (this.pageUsed + need > PAGE) {
      this.pages.push(new Int32Array(PAGE));
      this.pageUsed = 0;
    }
    const at = (this.pages.length - 1) * PAGE + this.pageUsed;
    this.pageUsed += need;
    return at;
  }

  private page(pos: number): Int32Array {
    return this.pages[pos >>> 20];
  }

  private insert(id: number, lo: number): void {
    let i = lo & this.mask;
    while (this.table[i] !== 0) i = (i + 1) & this.mask;
    this.table[i] = id + 1;
  }

  private rehash(): void {
    this.table = new Int32Array(this.table.length * 2);
    this.mask = this.table.length - 1;
    for (let id = 0; id < this.lists; id++) this.insert(id, this.meta[id * M + 1]);
  }
}

function growInt32(a: Int32Array, need: number): Int32Array {
  let n = a.length * 2;
  while (n < need) n *= 2;
  const b = new Int32Array(n);
  b.set(a);
  return b;
}
