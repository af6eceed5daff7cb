import type { IndexedDoc, SearchIndex, VersionRecord } from '../types.js';

/**
 * Collection layout of the MongoDB adapter (pure; unit-tested without a server).
 * - `resources`: one document per resource = its current version: the IndexedDoc fields the
 *   search query documents refer to (t, id, v, lu, seq, x) + the serialized body. A deleted
 *   resource keeps a tombstone here (`d: true`, no body, no index) so read answers 410.
 * - `history`: every version ever written, current one included, keyed `Type/id/v`.
 * - `counters`: the commit sequence (`{ _id: 'seq', n }`).
 * - `locks`: one small document per lock key (conditional create/update serialization).
 * - `meta`: facts about the database as a whole (`{ _id: 'index-version', v }`: reindex).
 */
export const COLLECTIONS = { resources: 'resources', history: 'history', counters: 'counters', locks: 'locks', onceKeys: 'once_keys', meta: 'meta' } as const;

/**
 * `once_keys`: one document per used one-time key (a client assertion's hashed `jti`), `_id` the
 * key (unique: of two instances claiming it, one insert fails), removed by the TTL index once `exp`
 * has passed. A key whose document outlived its `exp` (the TTL monitor runs once a minute) is
 * claimable again: `expiredOnceKeyFilter` removes it first.
 */
export interface OnceKeyDoc {
  _id: string;
  exp: Date;
}
export const onceKeyDoc = (key: string, expiresAtMs: number): OnceKeyDoc => ({ _id: key, exp: new Date(expiresAtMs) });
export const expiredOnceKeyFilter = (key: string, now: number) => ({ _id: key, exp: { $lte: new Date(now) } });

export interface ResourceDoc extends IndexedDoc {
  _id: string;
  json?: string;
  d?: true;
}

export interface HistoryDoc {
  _id: string;
  t: string;
  id: string;
  v: number;
  lu: number;
  seq: number;
  json?: string;
  d?: true;
}

export const resourceKey = (t: string, id: string): string => `${t}/${id}`;
export const historyKey = (t: string, id: string, v: number): string => `${t}/${id}/${v}`;

export interface VersionWrite {
  t: string;
  id: string;
  v: number;
  lu: number;
  seq: number;
  /** Absent for a tombstone. */
  json?: string;
  x?: SearchIndex;
}

/** The current-version document and the history document of one write. */
export function buildVersionDocs(w: VersionWrite): { current: ResourceDoc; history: HistoryDoc } {
  const base = { t: w.t, id: w.id, v: w.v, lu: w.lu, seq: w.seq };
  if (w.json === undefined) {
    return {
      current: { _id: resourceKey(w.t, w.id), ...base, x: {}, d: true },
      history: { _id: historyKey(w.t, w.id, w.v), ...base, d: true },
    };
  }
  return {
    current: { _id: resourceKey(w.t, w.id), ...base, x: w.x ?? {}, json: w.json },
    history: { _id: historyKey(w.t, w.id, w.v), ...base, json: w.json },
  };
}

export function recordFromDoc(doc: ResourceDoc | HistoryDoc): VersionRecord & { seq: number } {
  const r: VersionRecord & { seq: number } = {
    resourceType: doc.t,
    id: doc.id,
    versionId: doc.v,
    lastUpdated: new Date(doc.lu).toISOString(),
    deleted: doc.d === true,
    seq: doc.seq,
  };
  if (doc.json !== undefined) r.json = doc.json;
  return r;
}

export function indexedDocFromDoc(doc: ResourceDoc): IndexedDoc {
  // a projected search (StoreQuery.read 'keys') may have left x out
  return { t: doc.t, id: doc.id, v: doc.v, lu: doc.lu, seq: doc.seq, x: doc.x ?? {} };
}

/** Reserves `n` commit sequence numbers; the answer's `n` is the last one reserved. */
export function seqReservation(n: number) {
  return {
    filter: { _id: 'seq' },
    update: { $inc: { n } },
    options: { upsert: true, returnDocument: 'after' as const },
  };
}

/**
 * Inside a transaction every locker writes the same document, so two transactions holding the
 * same key conflict (WriteConflict, a TransientTransactionError) and one of them is retried,
 * seeing the other's committed writes. `at` feeds a TTL index so unused keys go away.
 */
export function lockUpdate(key: string, now: Date) {
  return { filter: { _id: key }, update: { $inc: { n: 1 }, $set: { at: now } }, options: { upsert: true } };
}

/**
 * Reindex (types.ts `reindex`): every live current version, read in `_id` order with what the
 * recomputation needs (the history holds no index, so `resources` is all there is to update).
 */
export const reindexScan = {
  filter: { d: { $exists: false } },
  options: { projection: { _id: 1, t: 1, id: 1, v: 1, x: 1, json: 1 }, sort: { _id: 1 as const } },
};

/**
 * The update of one resource's index: only while `v` is still its current version, so a write
 * that commits meanwhile (its index computed by the running code already) is never overwritten.
 * Neither `v`, `lu` nor `seq` change: an index is not content.
 */
export function reindexUpdate(t: string, id: string, v: number, x: SearchIndex) {
  return { updateOne: { filter: { _id: resourceKey(t, id), v, d: { $exists: false } }, update: { $set: { x } } } };
}

export interface MetaDoc {
  _id: string;
  v: string;
}
export const INDEX_VERSION_ID = 'index-version';
export const indexVersionWrite = (version: string) => ({
  filter: { _id: INDEX_VERSION_ID }, replacement: { _id: INDEX_VERSION_ID, v: version } as MetaDoc, options: { upsert: true },
});
