import { randomUUID } from 'node:crypto';
import { MongoClient, type ClientSession, type Collection, type Db } from 'mongodb';
import { FhirError, fhirError } from '../../fhir/errors.js';
import type { Resource } from '@medplum/fhirtypes';
import type {
  HistoryQuery, HistoryResult, ReindexOptions, ReindexSummary, ResourceStore, SearchIndex, StoreQuery, StoreSearchResult, StoreTx, TransactionOptions,
  VersionRecord,
} from '../types.js';
import { DEFAULT_REINDEX_BATCH, emptySummary, recompute } from '../reindex-summary.js';
import { changedWildcardIndex, indexSpecs, indexesToDrop, type ExistingIndex, type SearchIndexField } from './index-specs.js';
import {
  COLLECTIONS, INDEX_VERSION_ID, buildVersionDocs, indexVersionWrite, reindexScan, reindexUpdate, type MetaDoc, expiredOnceKeyFilter, historyKey, onceKeyDoc, type OnceKeyDoc, indexedDocFromDoc, lockUpdate, recordFromDoc, resourceKey, seqReservation,
  type HistoryDoc, type ResourceDoc,
} from './layout.js';
import { MongoTx, type MongoHost } from './mongo-tx.js';
import {
  CLIENT_OPTIONS, TX_OPTIONS, hiddenLookups, historyCount, historyFilter, historyOptions, predecessorTombstonesFilter, isRetryable, isTimeout, isUnavailable, searchFilter, searchOptions,
  transactionsSupported,
} from './queries.js';
import { mergeStagedPage } from './staged-merge.js';
import { readsTogether } from './session-order.js';
import { QUERY_TIME_LIMIT_MS } from '../time-limit.js';

export interface MongoStoreOptions {
  /** Search index fields from the search module; one `{t, field}` index each. */
  searchIndexFields?: readonly SearchIndexField[];
  /** How often a unit of work is retried after a transient conflict before answering 409. */
  maxAttempts?: number;
  /** Lease length of a standalone lock, ms. */
  leaseMs?: number;
}

interface CounterDoc { _id: string; n: number }
interface LockDoc { _id: string; n?: number; at: Date; owner?: string; until?: number }

const STANDALONE_MULTI =
  'This MongoDB server is a standalone: multi-document transactions need a replica set or a sharded cluster, ' +
  'so a transaction was refused and nothing was written. Run MongoDB as a replica set (a single node is enough: ' +
  'mongod --replSet rs0, then rs.initiate()).';

class RetryUnitOfWork extends Error {}
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * The MongoDB adapter: write concern majority, multi-document transactions (session.withTransaction,
 * retried on transient conflicts) on a replica set or sharded cluster; single-resource units of work
 * with an optimistic version check on a standalone server. Every query, index and update document
 * comes from the pure builders next to this file.
 */
export class MongoStore implements ResourceStore, MongoHost {
  readonly kind = 'mongodb' as const;
  private readonly client: MongoClient;
  private db!: Db;
  private resources!: Collection<ResourceDoc>;
  private historyCol!: Collection<HistoryDoc>;
  private counters!: Collection<CounterDoc>;
  private locks!: Collection<LockDoc>;
  private txSupported = false;
  private readonly maxAttempts: number;
  private readonly leaseMs: number;

  constructor(
    url: string,
    private readonly dbName: string,
    private readonly opts: MongoStoreOptions = {},
  ) {
    this.client = new MongoClient(url, CLIENT_OPTIONS);
    this.maxAttempts = opts.maxAttempts ?? 50;
    this.leaseMs = opts.leaseMs ?? 30_000;
  }

  async init(): Promise<void> {
    await this.client.connect();
    this.db = this.client.db(this.dbName);
    this.resources = this.db.collection(COLLECTIONS.resources);
    this.historyCol = this.db.collection(COLLECTIONS.history);
    this.counters = this.db.collection(COLLECTIONS.counters);
    this.locks = this.db.collection(COLLECTIONS.locks);
    this.txSupported = transactionsSupported(await this.db.admin().command({ hello: 1 }));
    for (const [name, specs] of Object.entries(indexSpecs(this.opts.searchIndexFields))) {
      if (!specs.length) continue;
      const col = this.db.collection(name);
      // (a collection not created yet has no indexes to list: the server answers NamespaceNotFound)
      const before = (await col.listIndexes().toArray().catch(() => [])) as ExistingIndex[];
      const changed = changedWildcardIndex(before, specs);
      if (changed) {
        await col.dropIndex(changed).catch(ignoreIndexNotFound);
        this.droppedIndexes.push(`${name}.${changed}`);
      }
      await col.createIndexes(specs);
      // the new indexes first, then the retired ones of ours (index-specs.ts indexesToDrop)
      if (this.opts.searchIndexFields === undefined) continue;
      for (const old of indexesToDrop(name, (await col.listIndexes().toArray()) as ExistingIndex[], this.opts.searchIndexFields)) {
        await col.dropIndex(old).catch(ignoreIndexNotFound);
        this.droppedIndexes.push(`${name}.${old}`);
      }
    }
  }

  /** Indexes init() dropped as obsolete (`collection.name`), for the start-up log. */
  readonly droppedIndexes: string[] = [];

  async close(): Promise<void> {
    await this.client.close();
  }

  async ping(): Promise<boolean> {
    try {
      await this.db.command({ ping: 1 });
      return true;
    } catch {
      return false;
    }
  }

  /** For tests: drops this store's database. */
  async dropDatabase(): Promise<void> {
    await this.db.dropDatabase();
  }

  supportsTransactions(): boolean {
    return this.txSupported;
  }

  async claimOnce(key: string, expiresAtMs: number): Promise<boolean> {
    const col = this.db.collection<OnceKeyDoc>(COLLECTIONS.onceKeys);
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        await this.guard(() => col.insertOne(onceKeyDoc(key, expiresAtMs), { writeConcern: { w: 'majority' } }));
        return true;
      } catch (err) {
        if ((err as { code?: number }).code !== 11000) throw err;
        // used before: claimable again only if that use has expired (and the TTL monitor lags)
        const gone = await this.guard(() => col.deleteOne(expiredOnceKeyFilter(key, Date.now()), { writeConcern: { w: 'majority' } }));
        if (!gone.deletedCount) return false;
      }
    }
    return false;
  }

  async read(resourceType: string, id: string): Promise<VersionRecord | undefined> {
    const doc = await this.guard(() => this.readDoc(resourceType, id));
    return doc && recordFromDoc(doc);
  }

  async vread(resourceType: string, id: string, versionId: number): Promise<VersionRecord | undefined> {
    const doc = await this.guard(() => this.historyCol.findOne({ _id: historyKey(resourceType, id, versionId) }));
    if (doc) return recordFromDoc(doc);
    // Standalone: a crash between the two writes of a version can leave it only in `resources`.
    const cur = await this.guard(() => this.readDoc(resourceType, id));
    return cur?.v === versionId ? recordFromDoc(cur) : undefined;
  }

  async history(q: HistoryQuery): Promise<HistoryResult> {
    return this.guard(async () => {
      const held = await Promise.all(hiddenLookups(q).map(async ({ t, filter }) => ({ t, ids: (await this.historyCol.distinct('id', filter, { maxTimeMS: QUERY_TIME_LIMIT_MS })) as string[] })));
      const docs = await this.historyCol.find(historyFilter(q, true, held), historyOptions(q)).toArray();
      const count = historyCount(q, held);
      const total = count ? await this.historyCol.countDocuments(count.filter, count.options) : undefined;
      const records: HistoryResult['records'] = docs.map(recordFromDoc);
      const filter = predecessorTombstonesFilter(docs);
      if (filter) {
        const tombstones = new Set((await this.historyCol.find(filter, { projection: { _id: 1 }, maxTimeMS: QUERY_TIME_LIMIT_MS }).toArray()).map((d) => d._id));
        for (let i = 0; i < docs.length; i++) {
          if (tombstones.has(historyKey(docs[i].t, docs[i].id, docs[i].v - 1))) records[i].afterDeletion = true;
        }
      }
      return { records, total };
    });
  }

  async search(query: StoreQuery): Promise<StoreSearchResult> {
    return this.guard(() => this.searchDocs(query, undefined));
  }

  async transaction<T>(work: (tx: StoreTx) => Promise<T>, opts?: TransactionOptions): Promise<T> {
    if (!this.txSupported && opts?.multi) throw fhirError('TRANSACTIONS_UNSUPPORTED', STANDALONE_MULTI);
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.guard(() => (this.txSupported ? this.runInTransaction(work) : this.runStandalone(work)));
      } catch (e) {
        const conflict = e instanceof RetryUnitOfWork || (!(e instanceof FhirError) && isRetryable(e));
        if (!conflict) throw e;
        if (attempt >= this.maxAttempts) throw fhirError('CONFLICT', 'Too many concurrent writes to the same resource; try again');
        await sleep(Math.min(100, 2 ** Math.min(attempt, 6)) * Math.random());
      }
    }
  }

  private async runInTransaction<T>(work: (tx: StoreTx) => Promise<T>): Promise<T> {
    const session = this.client.startSession();
    try {
      let result!: T;
      await session.withTransaction(async () => {
        result = await work(new MongoTx(this, Date.now(), session));
      }, TX_OPTIONS);
      return result;
    } finally {
      await session.endSession();
    }
  }

  private async runStandalone<T>(work: (tx: StoreTx) => Promise<T>): Promise<T> {
    const tx = new MongoTx(this, Date.now());
    try {
      const result = await work(tx);
      if (tx.writes.length > 1) throw fhirError('TRANSACTIONS_UNSUPPORTED', STANDALONE_MULTI);
      const w = tx.writes[0];
      if (w) {
        const docs = buildVersionDocs({ ...w, seq: await this.nextSeq() });
        if (w.expected === 0) {
          try {
            await this.resources.insertOne(docs.current);
          } catch (e) {
            if ((e as { code?: number }).code === 11000) throw new RetryUnitOfWork();
            throw e;
          }
        } else {
          const r = await this.resources.replaceOne({ _id: docs.current._id, v: w.expected }, docs.current);
          if (r.matchedCount === 0) throw new RetryUnitOfWork();
        }
        // The version check above decided the winner; only the winner writes this history entry.
        await this.historyCol.replaceOne({ _id: docs.history._id }, docs.history, { upsert: true });
      }
      return result;
    } finally {
      for (const release of tx.releases) await release().catch(() => undefined);
    }
  }

  /** Maps driver failures onto the error catalog; FhirErrors and conflicts pass through. */
  private async guard<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (e) {
      if (e instanceof FhirError || e instanceof RetryUnitOfWork || isRetryable(e)) throw e;
      if (isTimeout(e)) throw fhirError('TIMEOUT', 'The query ran longer than its time limit; narrow it');
      if (isUnavailable(e)) throw fhirError('UNAVAILABLE', 'The database is not reachable');
      throw e;
    }
  }

  /**
   * Types.ts `reindex`: `resources` read in `_id` order, the changed indexes written with one
   * unordered bulkWrite per batch (each update is atomic on its document; a crash leaves each
   * resource with its old or new index). Safe while servers run: an update applies only while
   * its version is current (layout.ts `reindexUpdate`).
   */
  async reindex(indexOf: (r: Resource) => SearchIndex, opts: ReindexOptions = {}): Promise<ReindexSummary> {
    const summary = emptySummary();
    const size = opts.batchSize ?? DEFAULT_REINDEX_BATCH;
    let updates: Array<ReturnType<typeof reindexUpdate>> = [];
    let inBatch = 0;
    const flush = async () => {
      if (updates.length) await this.guard(() => this.resources.bulkWrite(updates, { ordered: false }));
      updates = [];
      inBatch = 0;
      opts.onProgress?.(summary);
    };
    const cursor = this.resources.find(reindexScan.filter, reindexScan.options).batchSize(size);
    for await (const doc of cursor) {
      if (doc.json === undefined) continue;
      const next = recompute(summary, indexOf, doc.t, doc.id, doc.json, JSON.stringify(doc.x ?? {}));
      if (next) updates.push(reindexUpdate(doc.t, doc.id, doc.v, next.x));
      if (++inBatch >= size) await flush();
    }
    await flush();
    if (opts.indexVersion && summary.failed === 0) {
      const w = indexVersionWrite(opts.indexVersion);
      await this.guard(() => this.db.collection<MetaDoc>(COLLECTIONS.meta).replaceOne(w.filter, w.replacement, w.options));
    }
    return summary;
  }

  async indexVersion(running: string): Promise<string | undefined> {
    const meta = this.db.collection<MetaDoc>(COLLECTIONS.meta);
    const doc = await this.guard(() => meta.findOne({ _id: INDEX_VERSION_ID }));
    if (doc) return doc.v;
    if (await this.guard(() => this.resources.findOne({}, { projection: { _id: 1 } }))) return undefined;
    const w = indexVersionWrite(running);
    await this.guard(() => meta.replaceOne(w.filter, w.replacement, w.options));
    return running;
  }

  // ---- MongoHost (used by MongoTx) ----

  async readDoc(t: string, id: string, session?: ClientSession): Promise<ResourceDoc | undefined> {
    return (await this.resources.findOne({ _id: resourceKey(t, id) }, { session })) ?? undefined;
  }

  async searchDocs(q: StoreQuery, session?: ClientSession, staged?: ReadonlyMap<string, ResourceDoc>): Promise<StoreSearchResult> {
    const filter = searchFilter(q);
    const options = searchOptions(q);
    const extra = staged?.size ?? 0;
    const want = q.limit + (staged ? (q.skip ?? 0) + extra : 0);
    const findOpts = staged ? { ...options, skip: undefined, limit: want } : options;
    const [found, committedTotal] = await readsTogether(
      session,
      () => (want > 0 ? this.resources.find(filter, { ...findOpts, session }).toArray() : Promise.resolve([] as ResourceDoc[])),
      () => (q.count ? this.resources.countDocuments(filter, { session, maxTimeMS: options.maxTimeMS }) : Promise.resolve(undefined)),
    );
    let docs = found as ResourceDoc[];
    let total = committedTotal;
    if (staged) {
      docs = mergeStagedPage(docs, staged, q);
      if (total !== undefined) {
        const keys = [...staged.keys()];
        const shadowed = await this.resources.countDocuments({ $and: [filter, { _id: { $in: keys } }] }, { maxTimeMS: options.maxTimeMS });
        total += mergeStagedPage([], staged, { ...q, skip: 0, limit: extra }).length - shadowed;
      }
    }
    return { records: docs.map(recordFromDoc), docs: docs.map(indexedDocFromDoc), total };
  }

  /** Commit sequence: a counter outside any transaction, so it never conflicts (gaps are allowed). */
  async nextSeq(): Promise<number> {
    const r = seqReservation(1);
    const doc = await this.counters.findOneAndUpdate(r.filter, r.update, r.options);
    return doc!.n;
  }

  async writeInSession(docs: ReturnType<typeof buildVersionDocs>, session: ClientSession): Promise<void> {
    await this.resources.replaceOne({ _id: docs.current._id }, docs.current, { upsert: true, session });
    await this.historyCol.insertOne(docs.history, { session });
  }

  async lockInSession(key: string, session: ClientSession): Promise<void> {
    const l = lockUpdate(key, new Date());
    await this.locks.updateOne(l.filter, l.update, { ...l.options, session });
  }

  async acquireLease(key: string): Promise<() => Promise<void>> {
    const owner = randomUUID();
    const deadline = Date.now() + this.leaseMs;
    for (let attempt = 0; ; attempt++) {
      const now = Date.now();
      try {
        await this.locks.insertOne({ _id: key, owner, until: now + this.leaseMs, at: new Date(now) });
        break;
      } catch (e) {
        if ((e as { code?: number }).code !== 11000) throw e;
        // Take over a lease whose holder died without releasing it.
        const taken = await this.locks.findOneAndUpdate(
          { _id: key, until: { $lt: now } },
          { $set: { owner, until: now + this.leaseMs, at: new Date(now) } },
        );
        if (taken) break;
      }
      if (Date.now() > deadline) throw fhirError('CONFLICT', `Lock ${key} stayed busy; try again`);
      await sleep(Math.min(50, 2 + attempt * 2) * (0.5 + Math.random()));
    }
    return async () => {
      await this.locks.deleteOne({ _id: key, owner });
    };
  }
}

/** Another instance starting up at the same time may have dropped the index first. */
function ignoreIndexNotFound(e: { codeName?: string }): void {
  if (e?.codeName !== 'IndexNotFound') throw e;
}
