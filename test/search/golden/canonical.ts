import { createHash } from 'node:crypto';

/**
 * The canonical form the golden index fixture stores: fields sorted by name (field order is free:
 * stores and queries address fields by name), each field's values IN THEIR ORDER, duplicates
 * kept, with the keys of object values (dates, quantities, regions) sorted. The stores treat a
 * field as a set (mingo and MongoDB sort a multi-valued field by its extreme values), but value
 * order is kept anyway: it costs the indexer nothing to reproduce, and then nothing that reads the
 * arrays can notice a change.
 */
export type Canonical = Record<string, unknown[]>;

function sortKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (v && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(v).sort()) out[k] = sortKeys((v as Record<string, unknown>)[k]);
    return out;
  }
  return v;
}

/** Throws when a top-level value is not an array (the embedded store's partial reader needs arrays). */
export function canonical(index: Record<string, unknown>): Canonical {
  const out: Canonical = {};
  for (const field of Object.keys(index).sort()) {
    const values = index[field];
    if (!Array.isArray(values)) throw new Error(`index field ${field} is not an array`);
    out[field] = values.map(sortKeys);
  }
  return out;
}

/** A long field stored by digest (a 100k-result report would not fit a fixture): count, SHA-256, first values. */
export interface Digest {
  n: number;
  sha256: string;
  head: unknown[];
}
export type Stored = Record<string, unknown[] | Digest>;
const LONG = 64;

export function compact(c: Canonical): Stored {
  const out: Stored = {};
  for (const [k, values] of Object.entries(c)) {
    out[k] = values.length <= LONG ? values : { n: values.length, sha256: createHash('sha256').update(JSON.stringify(values)).digest('hex'), head: values.slice(0, 8) };
  }
  return out;
}
