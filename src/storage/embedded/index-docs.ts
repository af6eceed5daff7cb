import type { IndexedDoc, SearchIndex, StoreQuery } from '../types.js';
import type { Entry } from './records.js';

/**
 * Search documents of the embedded store, decoded from the serialized index an entry keeps in a
 * slab (records.ts). Verifying a candidate needs only the fields its query names, so it gets a
 * partial document: those fields are cut out of the bytes and parsed, not the whole index (a
 * Variant's is ~5 KB, ~40 fields). The documents a search returns decode the whole index lazily,
 * on first access (includes and paging cursors read it; most pages never do).
 */

/** A document for verification, pointing back at its entry. */
export type CandidateDoc = IndexedDoc & { readonly entry?: Entry };

/** The top-level index fields a query reads (filter and sort), or undefined when it needs them all. */
export function fieldsOf(query: StoreQuery): string[] | undefined {
  const out = new Set<string>();
  const walk = (filter: unknown): boolean => {
    if (!filter || typeof filter !== 'object') return true;
    for (const [k, v] of Object.entries(filter as Record<string, unknown>)) {
      if (k === '$and' || k === '$or' || k === '$nor') {
        if (!Array.isArray(v) || !v.every(walk)) return false;
      } else if (k.startsWith('x.')) out.add(k.slice(2).split('.')[0]);
      else if (k === 'x' || k.startsWith('$')) return false; // a whole-index or unknown operator: decode all
    }
    return true;
  };
  if (!walk(query.filter)) return undefined;
  for (const [k] of query.sort ?? []) {
    if (k === 'x') return undefined;
    if (k.startsWith('x.')) out.add(k.slice(2).split('.')[0]);
  }
  return [...out];
}

function meta(e: Entry): { v: number; lu: number; seq: number } {
  return e.versions[e.versions.length - 1];
}

/** The whole index of a live entry. */
export function decodeIndex(e: Entry): SearchIndex {
  return JSON.parse(e.xb!.toString('utf8', e.xo, e.xo + e.xn)) as SearchIndex;
}

const QUOTE = 34;
const BACKSLASH = 92;

/** End (exclusive) of the JSON array or object starting at `i`, skipping over strings. */
function valueEnd(b: Buffer, i: number, end: number): number {
  let depth = 0;
  for (; i < end; i++) {
    const c = b[i];
    if (c === QUOTE) {
      for (i++; i < end && b[i] !== QUOTE; i++) if (b[i] === BACKSLASH) i++;
    } else if (c === 91 || c === 123) depth++;
    else if ((c === 93 || c === 125) && --depth === 0) return i + 1;
  }
  return -1;
}

/**
 * Only `fields` of a live entry's index. A key is found as `"name":[` right after `{` or `,`:
 * inside a JSON string its quotes would be escaped; nested objects (dates, regions, quantities,
 * composites) use keys such as `s` or `c0` that are no parameter's name, and mostly scalar values.
 */
export function partialIndex(e: Entry, fields: string[]): SearchIndex {
  // A view of just this index: a search of the whole slab could run megabytes past it.
  const b = e.xb!.subarray(e.xo, e.xo + e.xn);
  const x: SearchIndex = {};
  for (const f of fields) {
    const key = `"${f}":`;
    const len = Buffer.byteLength(key);
    // Top-level values are arrays: a nested object's key (`{"s":1}`) is skipped by that too.
    let at = b.indexOf(key);
    while (at > 0 && ((b[at - 1] !== 123 && b[at - 1] !== 44) || b[at + len] !== 91)) at = b.indexOf(key, at + 1);
    if (at <= 0) continue;
    const from = at + len;
    const to = valueEnd(b, from, b.length);
    if (to < 0) return decodeIndex(e); // not the shape this reader expects: fall back to the whole index
    x[f] = JSON.parse(b.toString('utf8', from, to)) as unknown[];
  }
  return x;
}

/** A candidate to verify: every field when `fields` is undefined, else only those. */
export function candidateDoc(e: Entry, fields: string[] | undefined): CandidateDoc {
  const m = meta(e);
  return { t: e.t, id: e.id, v: m.v, lu: m.lu, seq: m.seq, x: fields ? partialIndex(e, fields) : decodeIndex(e), entry: e };
}

/** A returned document: the whole index, decoded on first access (from the bytes of that version). */
class LazyDoc implements IndexedDoc {
  readonly v: number;
  readonly lu: number;
  readonly seq: number;
  readonly #bytes: Buffer;
  #x?: SearchIndex;
  constructor(
    readonly t: string,
    readonly id: string,
    e: Entry,
  ) {
    const m = meta(e);
    this.v = m.v;
    this.lu = m.lu;
    this.seq = m.seq;
    this.#bytes = e.xb!.subarray(e.xo, e.xo + e.xn);
  }
  get x(): SearchIndex {
    return (this.#x ??= JSON.parse(this.#bytes.toString('utf8')) as SearchIndex);
  }
}

/** The full document of a verified candidate (staged documents are already whole). */
export function resultDoc(d: CandidateDoc): IndexedDoc {
  return d.entry ? new LazyDoc(d.t, d.id, d.entry) : d;
}

/** A document for an exact answer: nothing decoded (the whole index on first access, as resultDoc's). */
export function pickedDoc(e: Entry): CandidateDoc {
  return new LazyDoc(e.t, e.id, e);
}
