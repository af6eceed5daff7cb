import type { IndexDescription } from 'mongodb';
import { COLLECTIONS } from './layout.js';

/**
 * A search index wanted by the search module: one IndexedDoc field path (`x.code`), or several
 * for a compound index. Each becomes an index on `resources` prefixed by `t`, because every
 * search is scoped to resource types.
 */
export type SearchIndexField = string | string[];

/** Field paths the adapter accepts in index specs and query documents (never user input). */
export const FIELD_PATH = /^(?:_id|t|id|v|lu|seq|d|x(?:\.[A-Za-z0-9_-]+)+)$/;

/** Seconds before an unused lock document is removed by MongoDB's TTL monitor. */
export const LOCK_TTL_SECONDS = 3600;

function searchIndex(field: SearchIndexField): IndexDescription {
  const fields = Array.isArray(field) ? field : [field];
  if (!fields.length) throw new Error('empty search index field list');
  const key: Record<string, 1> = { t: 1 };
  for (const f of fields) {
    if (!FIELD_PATH.test(f) || !f.startsWith('x.')) throw new Error(`Refusing search index on field path "${f}"`);
    key[f] = 1;
  }
  return { key, name: `t_${fields.join('_')}` };
}

/**
 * Every index, per collection, created at start-up with createIndexes (idempotent: an index that
 * already exists with the same name and key is left alone).
 */
export function indexSpecs(searchFields: readonly SearchIndexField[] = []): Record<string, IndexDescription[]> {
  return {
    [COLLECTIONS.resources]: [
      { key: { t: 1, id: 1 }, name: 't_id', unique: true },
      { key: { t: 1, lu: 1 }, name: 't_lu' },
      ...searchFields.map(searchIndex),
    ],
    [COLLECTIONS.history]: [
      { key: { t: 1, id: 1, v: 1 }, name: 't_id_v', unique: true },
      { key: { seq: 1 }, name: 'seq' },
      { key: { t: 1, seq: 1 }, name: 't_seq' },
    ],
    [COLLECTIONS.locks]: [{ key: { at: 1 }, name: 'at_ttl', expireAfterSeconds: LOCK_TTL_SECONDS }],
    // `_id` is the (unique) key; documents go once their `exp` instant has passed
    [COLLECTIONS.onceKeys]: [{ key: { exp: 1 }, name: 'exp_ttl', expireAfterSeconds: 0 }],
  };
}
