/**
 * Hash and encoding of posting keys (resource type, index field, posting key: index-terms.ts
 * `postingKey`). The posting table (posting-store.ts) is keyed on the hash instead of on millions
 * of JS strings; the hash only places a key there, and on a hit the key's code units are compared
 * too, so two keys never share a list and the hash needs no more than a good spread. Prepare
 * workers and the store's thread compute it with this same code, so they agree.
 *
 * A key's code units are written one byte each when all are below 256 (latin1), else two
 * (UTF-16LE), zero-padded to whole 32-bit words so keys compare word by word; the length code is
 * the byte length, or its complement (~n) for UTF-16. The hash is left in `hashHi` / `hashLo` (no
 * tuple allocated per key).
 */
export let hashHi = 0;
export let hashLo = 0;
/** Set by `encodePostingKey`: the value had a token system (its key differs from it). */
export let keyedValue = false;
/** Returned by `encodePostingKey` for a value with a code unit >= 256: use `encodeHashed`. */
export const WIDE = -0x80000000;

let seed = 0;
const seeds = new Map<string, Map<string, number>>();

function mix(h: number): number {
  // murmur3 fmix32
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return (h ^ (h >>> 16)) | 0;
}

function finish(a: number, n: number): void {
  hashLo = mix(a ^ n);
  hashHi = mix(Math.imul(a, 0x9e3779b1) ^ Math.imul(n, 0x85ebca6b));
}

/** Starts the keys of one (type, field): the per-key work is then only the key's own characters. */
export function hashField(type: string, field: string): void {
  let byField = seeds.get(type);
  if (!byField) seeds.set(type, (byField = new Map()));
  let s = byField.get(field);
  if (s === undefined) {
    s = 0x811c9dc5 | 0;
    const both = `${type}\u0000${field}\u0000`;
    for (let i = 0; i < both.length; i++) s = Math.imul(s ^ both.charCodeAt(i), 0x01000193);
    byField.set(field, s);
  }
  seed = s;
}

/** Room `encodePostingKey` / `encodeHashed` need at `out[at..]` for a key or value of `length` code units. */
export function roomFor(length: number): number {
  return 2 * length + 4;
}

/**
 * Hashes `key` (under the (type, field) last given to `hashField`) and writes its code units at
 * `out[at..]` (`at` a multiple of 4); returns the length code.
 */
export function encodeHashed(key: string, out: Uint8Array, at: number): number {
  let a = seed;
  const n = key.length;
  let wide = false;
  for (let i = 0; i < n; i++) {
    const c = key.charCodeAt(i);
    if (c > 255) wide = true;
    else out[at + i] = c;
    a = Math.imul(a ^ c, 0x01000193);
  }
  finish(a, n);
  let len = n;
  if (wide) {
    len = 2 * n;
    for (let i = 0; i < n; i++) {
      const c = key.charCodeAt(i);
      out[at + 2 * i] = c & 0xff;
      out[at + 2 * i + 1] = c >>> 8;
    }
  }
  pad(out, at, len);
  return wide ? ~len : len;
}

function pad(out: Uint8Array, at: number, len: number): void {
  for (let i = len; i & 3; i++) out[at + i] = 0;
}

/**
 * `encodeHashed(postingKey(v))` without making the key string, in one pass: each `$`-separated
 * part is written from after its last `|` (index-terms.ts `postingKey`), and the hash restarts
 * from its state at the part's start whenever a `|` discards what the part held. Returns WIDE
 * (nothing usable written) for a value with a code unit >= 256.
 */
export function encodePostingKey(v: string, out: Uint8Array, at: number): number {
  let pos = at;
  let part = at;
  let a = seed;
  let partA = seed;
  let keyed = false;
  for (let i = 0; i < v.length; i++) {
    const c = v.charCodeAt(i);
    if (c === 124) {
      // `|`: what came before it in this part is a system
      pos = part;
      a = partA;
      keyed = true;
    } else if (c > 255) return WIDE;
    else {
      out[pos++] = c;
      a = Math.imul(a ^ c, 0x01000193);
      if (c === 36) {
        // `$`: a new part
        part = pos;
        partA = a;
      }
    }
  }
  keyedValue = keyed;
  const n = pos - at;
  finish(a, n);
  pad(out, at, n);
  return n;
}

/** Bytes a key's code units take once padded, from its length code. */
export function paddedBytes(code: number): number {
  return ((code < 0 ? ~code : code) + 3) & ~3;
}
