import type { CountDocumentsOptions, Document, FindOptions, TransactionOptions as DriverTxOptions } from 'mongodb';
import type { HistoryQuery, StoreQuery } from '../types.js';
import { FIELD_PATH } from './index-specs.js';
import { historyKey } from './layout.js';
import { QUERY_TIME_LIMIT_MS } from '../time-limit.js';

/**
 * Query documents of the MongoDB adapter (pure; unit-tested without a server).
 * DESIGN.md: user input never becomes an operator or a field name. The search compiler builds
 * the filters; this module checks them once more against an allowlist before they reach MongoDB.
 */

const OPERATORS = new Set([
  '$and', '$or', '$nor', '$not', '$eq', '$ne', '$gt', '$gte', '$lt', '$lte', '$in', '$nin',
  '$exists', '$elemMatch', '$all', '$size', '$regex', '$options', '$type',
]);

/** Throws when a filter holds an operator outside the allowlist ($where, $expr, $function …) or an unknown field path. */
export function assertSafeFilter(filter: unknown, path = 'filter', inField = false): void {
  if (Array.isArray(filter)) {
    filter.forEach((f, i) => assertSafeFilter(f, `${path}[${i}]`, inField));
    return;
  }
  if (filter === null || typeof filter !== 'object' || filter instanceof RegExp || filter instanceof Date) return;
  for (const [k, v] of Object.entries(filter)) {
    if (k.startsWith('$')) {
      if (!OPERATORS.has(k)) throw new Error(`Query operator ${k} is not allowed (${path})`);
      assertSafeFilter(v, `${path}.${k}`, inField);
    } else if (inField) {
      // Inside $elemMatch the keys are sub-fields of an array element.
      if (!/^[A-Za-z0-9_-]+(?:\.[A-Za-z0-9_-]+)*$/.test(k)) throw new Error(`Field ${k} is not allowed (${path})`);
      assertSafeFilter(v, `${path}.${k}`, true);
    } else {
      if (!FIELD_PATH.test(k)) throw new Error(`Field ${k} is not allowed (${path})`);
      assertSafeFilter(v, `${path}.${k}`, true);
    }
  }
}

/** The StoreQuery filter scoped to its types, over live (non-deleted) resources. */
export function searchFilter(q: Pick<StoreQuery, 'types' | 'filter'>): Document {
  assertSafeFilter(q.filter);
  const parts: Document[] = [];
  if (q.types) parts.push({ t: q.types.length === 1 ? q.types[0] : { $in: q.types } });
  parts.push({ d: { $exists: false } });
  if (Object.keys(q.filter).length) parts.push(q.filter);
  return { $and: parts };
}

/**
 * The projection of a search that reads less than whole documents (StoreQuery.read): no body for
 * `'docs'` (a Variant's body is most of its document); for `'keys'` the scalars and the sort
 * fields (staged-merge.ts sorts committed documents with staged ones by them).
 */
export function searchProjection(q: Pick<StoreQuery, 'read' | 'sort'>): Document | undefined {
  if (q.read === 'docs') return { json: 0 };
  if (q.read !== 'keys') return undefined;
  const p: Document = { _id: 1, t: 1, id: 1, v: 1, lu: 1, seq: 1 };
  const paths = [...new Set((q.sort ?? []).map(([f]) => f).filter((f) => f.startsWith('x.') && FIELD_PATH.test(f)))];
  // MongoDB refuses a projection naming a path and one inside it (a path collision)
  for (const f of paths) if (!paths.some((o) => f.startsWith(`${o}.`))) p[f] = 1;
  return p;
}

/**
 * Sort (with `_id` as the tie-breaker so skip paging is stable, unless t and id already are), limit,
 * skip, time limit (the default one when the query states none). A query without a sort or a skip
 * sends no sort at all: its caller takes the matches in any order (StoreQuery), and an `_id` sort
 * there would be a blocking sort of every match (no `{t, …}` index ends in `_id`), whole documents
 * held in the server's sort memory: the genomics operations read up to 200,000 Variants that way.
 */
export function searchOptions(q: Pick<StoreQuery, 'sort' | 'limit' | 'skip' | 'maxTimeMs' | 'read'>): FindOptions & { sort: Array<[string, 1 | -1]> } {
  const sort: Array<[string, 1 | -1]> = [];
  for (const [field, dir] of q.sort ?? []) {
    if (!FIELD_PATH.test(field)) throw new Error(`Sort field ${field} is not allowed`);
    sort.push([field, dir === -1 ? -1 : 1]);
  }
  // `_id` is `t/id`: after t and id (unique together) it orders nothing more, and appending it
  // would keep every search from walking an index in order (no index ends in `_id`: a blocking sort).
  const total = sort.some(([f]) => f === '_id') || (sort.some(([f]) => f === 't') && sort.some(([f]) => f === 'id'));
  if (!total && (sort.length || q.skip)) sort.push(['_id', 1]);
  const opts: FindOptions & { sort: Array<[string, 1 | -1]> } = { sort, limit: q.limit };
  if (q.skip) opts.skip = q.skip;
  opts.maxTimeMS = Math.max(1, Math.ceil(q.maxTimeMs ?? QUERY_TIME_LIMIT_MS));
  const projection = searchProjection(q);
  if (projection) opts.projection = projection;
  return opts;
}

/** Resources of `HistoryQuery.hide` the history collection holds: ids by type. */
export type HeldHidden = ReadonlyArray<{ t: string; ids: readonly string[] }>;

/**
 * The lookups that find which of `q.hide`'s resources the history collection holds, one
 * `distinct('id', filter)` per type, on the unique `{t, id, v}` index: only those are excluded
 * (historyFilter), so a store that holds none, the usual case, runs its history query unchanged.
 */
export function hiddenLookups(q: HistoryQuery): Array<{ t: string; filter: Document }> {
  const out: Array<{ t: string; filter: Document }> = [];
  for (const [t, all] of Object.entries(q.hide ?? {})) {
    if (q.resourceType !== undefined && q.resourceType !== t) continue;
    const ids = q.id === undefined ? [...all] : all.filter((id) => id === q.id);
    if (ids.length) out.push({ t, filter: { t, id: { $in: ids } } });
  }
  return out;
}

/** History filter: total counts ignore the paging cursor, the page applies it; `held` is left out of both. */
export function historyFilter(q: HistoryQuery, withCursor: boolean, held: HeldHidden = []): Document {
  const f: Document = {};
  if (q.resourceType) f.t = q.resourceType;
  if (q.resourceType && q.id) f.id = q.id;
  if (q.since !== undefined || q.before !== undefined) {
    f.lu = {};
    if (q.since !== undefined) f.lu.$gte = q.since;
    if (q.before !== undefined) f.lu.$lte = q.before;
  }
  if (withCursor && q.beforeSeq !== undefined) f.seq = { $lt: q.beforeSeq };
  const hidden = held.filter((h) => h.ids.length);
  if (hidden.length) f.$nor = hidden.map((h) => ({ t: h.t, id: { $in: [...h.ids] } }));
  return f;
}

/**
 * Newest first. One resource's versions by `v` (its versions' seq grow with v: a version is
 * written only over the committed one before it), which the unique `{t, id, v}` index hands out
 * walked backwards; a seq sort there would sort them in memory (no index starts `{t, id, seq}`).
 */
export function historyOptions(q: HistoryQuery): FindOptions {
  const sort: Record<string, -1> = q.resourceType && q.id ? { v: -1 } : { seq: -1 };
  return { sort, limit: q.limit, maxTimeMS: QUERY_TIME_LIMIT_MS };
}

/**
 * The count behind a history page's total, or undefined when the caller shows none (`total:
 * false`): on a system history that count reads every entry of the collection's index, so it
 * runs only for the pages that print it (history.ts: the first page, or `_total` asked).
 */
export function historyCount(q: HistoryQuery, held: HeldHidden = []): { filter: Document; options: CountDocumentsOptions } | undefined {
  if (q.total === false) return undefined;
  return { filter: historyFilter(q, false, held), options: { maxTimeMS: QUERY_TIME_LIMIT_MS } };
}

/**
 * The one query that finds which versions of a history page follow a tombstone (afterDeletion):
 * the tombstones among their predecessors' history documents.
 */
export function predecessorTombstonesFilter(page: ReadonlyArray<{ t: string; id: string; v: number; d?: true }>): Document | undefined {
  const keys = page.filter((d) => d.v > 1 && d.d !== true).map((d) => historyKey(d.t, d.id, d.v - 1));
  return keys.length ? { _id: { $in: keys }, d: true } : undefined;
}

/** Transactions need a replica set member (setName) or a mongos (msg: 'isdbgrid'). */
export function transactionsSupported(hello: Document): boolean {
  return Boolean(hello.setName) || hello.msg === 'isdbgrid';
}

/** Snapshot reads, majority writes: a committed transaction survives a primary failover. */
export const TX_OPTIONS: DriverTxOptions = {
  readConcern: { level: 'snapshot' },
  writeConcern: { w: 'majority' },
  readPreference: 'primary',
};

export const CLIENT_OPTIONS = { writeConcern: { w: 'majority' as const }, retryWrites: true, serverSelectionTimeoutMS: 10_000 };

/** Errors worth running the whole transaction again for (the driver labels most of them). */
export function isRetryable(e: unknown): boolean {
  const err = e as { code?: number; hasErrorLabel?: (l: string) => boolean };
  if (typeof err?.hasErrorLabel === 'function' && err.hasErrorLabel('TransientTransactionError')) return true;
  // 11000 DuplicateKey: two transactions inserted the same new resource or lock; 112 WriteConflict.
  return err?.code === 11000 || err?.code === 112;
}

export const isTimeout = (e: unknown): boolean => (e as { code?: number })?.code === 50; // MaxTimeMSExpired

export function isUnavailable(e: unknown): boolean {
  const name = (e as { name?: string })?.name ?? '';
  return /MongoServerSelectionError|MongoNetwork|MongoTopologyClosedError|MongoNotConnectedError/.test(name);
}
