import { paddedBytes } from './key-hash.js';
import { grow } from './index-terms.js';

/**
 * The posting lists of the embedded store's search indexes, in typed arrays: a million Variants
 * carry some eighty million postings under a few million distinct keys, which as JS Maps of
 * string -> number[] cost more memory than the documents and made every major GC trace millions
 * of objects. Here they cost about 5 bytes a posting and nothing to the GC:
 *  - an open-addressing table from the key's hash (key-hash.ts) to a list id;
 *  - per list one 64-byte row: hash, field id, the key's length and first 20 bytes (the rest in
 *    an arena of 32-bit words), count, blocks and last slot. A key is compared on every hash hit,
 *    so two keys never share a list; a lookup and an append touch the table, the row and the
 *    list's tail block, nothing else;
 *  - list contents in blocks (2, 4, 8 … 1024 slots, chained) carved out of 4 MiB pages.
 * Lists are append-only, like the Map-based lists before them (search-indexes.ts).
 */
const SHIFT = 20;
const PAGE = 1 << SHIFT; // Int32s per page
const MAX_BLOCK = 1024;
/** Row: hi, lo, field, len, count, head, tail, used, cap, last, keyOff, then INLINE key words. */
const ROW = 16;
const INLINE = 5;
const SATURATED = -1;

export class PostingStore {
  private table: Int32Array = new Int32Array(1 << 12);
  private mask = this.table.length - 1;
  private rows: Int32Array = new Int32Array(ROW * 1024);
  private lists = 0;
  /** Key words past the INLINE first ones. */
  private keys: Int32Array = new Int32Array(1 << 12);
  private keysUsed = 0;
  private readonly pages: Int32Array[] = [new Int32Array(PAGE)];
  private pageUsed = 0;

  constructor(private readonly saturation: number) {}


  /**
   * The list of a key, or -1. The key's code units are in `keys` from byte `off` (a multiple of 4),
   * zero-padded words as index-terms.ts encodes them; `len` is its length code (< 0: UTF-16).
   */
  find(hi: number, lo: number, field: number, keys: Int32Array, off: number, len: number): number {
    const rows = this.rows;
    for (let i = lo & this.mask; ; i = (i + 1) & this.mask) {
      const id = this.table[i] - 1;
      if (id < 0) return -1;
      const r = id * ROW;
      if (rows[r] === hi && rows[r + 1] === lo && rows[r + 2] === field && rows[r + 3] === len && this.sameKey(r, keys, off >> 2, len)) return id;
    }
  }

  private sameKey(r: number, keys: Int32Array, from: number, len: number): boolean {
    const words = paddedBytes(len) >> 2;
    const rows = this.rows;
    const inline = Math.min(words, INLINE);
    for (let w = 0; w < inline; w++) if (rows[r + 11 + w] !== keys[from + w]) return false;
    const at = rows[r + 10] - INLINE;
    for (let w = INLINE; w < words; w++) if (this.keys[at + w] !== keys[from + w]) return false;
    return true;
  }

  /** A new list holding `slot` (the key must not have one yet: `find` first). */
  create(hi: number, lo: number, field: number, keys: Int32Array, off: number, len: number, slot: number): number {
    if (2 * (this.lists + 1) > this.table.length) this.rehash();
    const id = this.lists++;
    if (this.rows.length < ROW * this.lists) this.rows = grow(this.rows, ROW * this.lists);
    const words = paddedBytes(len) >> 2;
    const from = off >> 2;
    const block = this.block(2);
    this.pages[block >>> SHIFT][block & (PAGE - 1)] = slot;
    const r = id * ROW;
    const rows = this.rows;
    rows[r] = hi;
    rows[r + 1] = lo;
    rows[r + 2] = field;
    rows[r + 3] = len;
    rows[r + 4] = 1;
    rows[r + 5] = block;
    rows[r + 6] = block;
    rows[r + 7] = 1;
    rows[r + 8] = 2;
    rows[r + 9] = slot;
    for (let w = 0; w < Math.min(words, INLINE); w++) rows[r + 11 + w] = keys[from + w];
    if (words > INLINE) {
      const more = words - INLINE;
      if (this.keys.length < this.keysUsed + more) this.keys = grow(this.keys, this.keysUsed + more);
      this.keys.set(keys.subarray(from + INLINE, from + words), this.keysUsed);
      rows[r + 10] = this.keysUsed;
      this.keysUsed += more;
    }
    this.insert(id, lo);
    return id;
  }

  /**
   * Adds `slot` to a list. Mirrors the Map-based lists exactly: a list already `saturation` long
   * is dropped instead (a value on a large share of documents selects nothing), and a slot equal
   * to the list's last one is not added twice.
   */
  append(id: number, slot: number): void {
    const r = id * ROW;
    const rows = this.rows;
    const count = rows[r + 4];
    if (count === SATURATED) return;
    if (count >= this.saturation) {
      rows[r + 4] = SATURATED;
      return;
    }
    if (rows[r + 9] === slot) return;
    let tail = rows[r + 6];
    let used = rows[r + 7];
    const cap = rows[r + 8];
    if (used === cap) {
      const next = Math.min(2 * cap, MAX_BLOCK);
      const block = this.block(next);
      // the link to the next block sits right after the full block's slots
      this.pages[tail >>> SHIFT][(tail & (PAGE - 1)) + cap] = block;
      tail = block;
      used = 0;
      rows[r + 6] = block;
      rows[r + 8] = next;
    }
    this.pages[tail >>> SHIFT][(tail & (PAGE - 1)) + used] = slot;
    rows[r + 7] = used + 1;
    rows[r + 4] = count + 1;
    rows[r + 9] = slot;
  }

  /** Slots in the list (-1: saturated). */
  count(id: number): number {
    return this.rows[id * ROW + 4];
  }

  /** The list's slots, in insertion order (empty when saturated). */
  slots(id: number): Int32Array {
    const r = id * ROW;
    const count = this.rows[r + 4];
    if (count <= 0) return new Int32Array(0);
    const out = new Int32Array(count);
    let block = this.rows[r + 5];
    let cap = 2;
    let n = 0;
    for (;;) {
      const page = this.pages[block >>> SHIFT];
      const at = block & (PAGE - 1);
      const take = Math.min(cap, count - n);
      out.set(page.subarray(at, at + take), n);
      n += take;
      if (n >= count) return out;
      block = page[at + cap];
      cap = Math.min(2 * cap, MAX_BLOCK);
    }
  }

  /** The key's words (a copy), byte offset 0 and length code (index-terms.ts encoding), for decoding it. */
  key(id: number): [Int32Array, number, number] {
    const r = id * ROW;
    const len = this.rows[r + 3];
    const words = paddedBytes(len) >> 2;
    const out = new Int32Array(words);
    for (let w = 0; w < Math.min(words, INLINE); w++) out[w] = this.rows[r + 11 + w];
    if (words > INLINE) out.set(this.keys.subarray(this.rows[r + 10], this.rows[r + 10] + words - INLINE), INLINE);
    return [out, 0, len];
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

  private insert(id: number, lo: number): void {
    let i = lo & this.mask;
    while (this.table[i] !== 0) i = (i + 1) & this.mask;
    this.table[i] = id + 1;
  }

  private rehash(): void {
    this.table = new Int32Array(this.table.length * 2);
    this.mask = this.table.length - 1;
    for (let id = 0; id < this.lists; id++) this.insert(id, this.rows[id * ROW + 1]);
  }
}
