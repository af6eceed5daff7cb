import { existsSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { find } from '../../search/match-filter.js';
import { fhirError } from '../../fhir/errors.js';
import type { Resource } from '@medplum/fhirtypes';
import type {
  HistoryQuery, HistoryResult, ReindexOptions, ReindexSummary, ResourceStore, SearchIndex, StoreQuery, StoreSearchResult, StoreTx,
  TransactionOptions, VersionRecord,
} from '../types.js';
import { DEFAULT_REINDEX_BATCH, emptySummary, recompute } from '../reindex-summary.js';
import { readIndexVersion, writeIndexVersion } from './index-version-file.js';
import { withTimeLimit } from '../time-limit.js';
import { searchIndexesOf, type Picked } from './search-indexes.js';
import { EmbeddedTx, type TxHost } from './embedded-tx.js';
import type { StagedWrites } from './staged-writes.js';
import { hiddenEntries, historyPage } from './history.js';
import { acquireDirLock } from './dir-lock.js';
import { Journal } from './journal.js';
import { Compactor } from './compactor.js';
import { fsyncDir } from './line-file.js';
import { bodyOf, piecesOf, toRecord, type Entry, type OpRecord, type TxRecord, type Ver } from './records.js';
import { frameIndexParts, frameParts } from './frame.js';
import { candidateDoc, decodeIndex, fieldsOf, resultDoc, type CandidateDoc } from './index-docs.js';
import { OneTerms, RunTerms, type Terms } from './index-terms.js';
import { Payloads } from './payloads.js';
import type { Piece } from './frame.js';
import { readSnapshot } from './snapshot.js';
import { Replay, type TermsOfBytes } from './replay.js';
import { OnceKeys } from './once-keys.js';
import { sortDocs } from '../../search/sort-order.js';

export interface EmbeddedStoreOptions {
  /** fdatasync the journal (default true; turn off only in throwaway tests). */
  fsync?: boolean;
  /** Compact once the journal holds more than max(this, last snapshot size) bytes. Default 64 MiB. */
  compactBytes?: number;
  /** Called after each journal fsync round with the number of records it made durable. */
  onFsync?: (records: number) => void;
  /**
   * Builds recovered index terms elsewhere (worker threads: src/prepare/pool.ts), for start-ups
   * that replay at least `parallelRecoveryBytes` (default 64 MiB; smaller ones are not worth
   * starting threads for).
   */
  recoveryTerms?: TermsOfBytes;
  parallelRecoveryBytes?: number;
  /** Writes whose terms one job builds (default replay.ts JOB_OPS). */
  recoveryJobOps?: number;
}

export interface EmbeddedStats {
  seq: number;
  /** The last start-up: writes replayed, how many had their index terms built on worker threads, jobs that failed. */
  recovered: { writes: number; onWorkers: number; failedJobs: number };
  resources: number;
  journalBytes: number;
  snapshotBytes: number;
  compactions: number;
  lastCompactionError?: string;
}

const DEFAULT_COMPACT_BYTES = 64 * 1024 * 1024;
const DEFAULT_PARALLEL_RECOVERY_BYTES = 64 * 1024 * 1024;
const NO_BODY = [undefined, 0, 0] as const;
const EMPTY: Ver[] = [];

/**
 * The embedded, durable default store: everything lives in memory (resources as serialized JSON,
 * search documents only for live current versions), every committed transaction is one journal
 * line made durable by a grouped fdatasync before it is acknowledged, and a snapshot compacts the
 * journal at run time. Writers are serialized by one lock; readers never wait.
 */
export class EmbeddedStore implements ResourceStore, TxHost {
  readonly kind = 'embedded' as const;
  protected readonly byType = new Map<string, Map<string, Entry>>();
  /** Every version in commit order: log[seq - 1]. Versions are never removed, so indexes stay valid. */
  private readonly log: Ver[] = [];
  private readonly typeLog = new Map<string, Ver[]>();
  /** One string per resource type name, shared by every entry of that type. */
  private readonly typeNames = new Map<string, string>();
  private readonly payloads = new Payloads();
  private seq = 0;
  private lastLu = 0;
  private readonly journal: Journal;
  private writeChain: Promise<unknown> = Promise.resolve();
  private closed = false;
  private releaseLock?: () => void;
  /** Set when applying a commit to memory threw half-way: memory is no longer trustworthy. */
  private broken = false;
  private readonly compactor: Compactor;
  private readonly fsync: boolean;
  private readonly indexes = searchIndexesOf(this);
  /** Terms of single writes and recovered records (shared by runs of them), and of the versions they replace. */
  private readonly newTerms = new RunTerms();
  private readonly oldTerms = new OneTerms();
  private recovered = { writes: 0, onWorkers: 0, failedJobs: 0 };
  private onceKeys?: OnceKeys;

  constructor(
    private readonly dir: string,
    private readonly opts: EmbeddedStoreOptions = {},
  ) {
    this.fsync = opts.fsync !== false;
    this.journal = new Journal(dir, { fsync: this.fsync, onSync: opts.onFsync });
    this.compactor = new Compactor(dir, this.journal, opts.compactBytes ?? DEFAULT_COMPACT_BYTES, this.fsync);
    this.indexes.entryOf = (t, id) => this.byType.get(t)?.get(id);
  }

  /**
   * Bytes that opening the store replays (snapshot and journal segments): start-up takes about 13 s per
   * GB here, so the server says how much before it starts.
   */
  replayBytes(): number {
    if (!existsSync(this.dir)) return 0;
    let n = 0;
    for (const f of readdirSync(this.dir)) if (f.endsWith('.ndjson')) n += statSync(join(this.dir, f)).size;
    return n;
  }

  /** Recovery = snapshot, then every journal record after it (a torn journal tail is cut off). */
  async init(): Promise<void> {
    if (!existsSync(this.dir)) {
      mkdirSync(this.dir, { recursive: true });
      if (this.fsync) fsyncDir(dirname(resolve(this.dir))); // the new directory's own entry must survive a crash too
    }
    this.releaseLock = acquireDirLock(this.dir);
    try {
      this.onceKeys = new OnceKeys(this.dir, this.fsync);
      await this.onceKeys.load();
      const parallel = this.opts.recoveryTerms && this.replayBytes() >= (this.opts.parallelRecoveryBytes ?? DEFAULT_PARALLEL_RECOVERY_BYTES);
      const replay = new Replay((r) => this.apply(r), parallel ? this.opts.recoveryTerms : undefined, this.opts.recoveryJobOps);
      const settle = () => replay.finish();
      this.compactor.snapshotBytes = await readSnapshot(this.dir, (r) => replay.push(r), settle);
      // the journal may still hold records the snapshot covers; index records are replayed
      // whatever their place (applyIndexes: they check the version they replace)
      await this.journal.recover((r) => (r.rx || r.seq > replay.lastSeq ? replay.push(r) : undefined), settle);
      await replay.finish();
      this.recovered.writes = this.seq;
      this.recovered.failedJobs = replay.failedJobs;
      // Ready means ready: the first queries after a restart should not each sort what recovery
      // added to an interval index (a chromosome of a million variants: over 100 ms).
      this.indexes.sortPending();
      await this.journal.open(this.seq + 1);
    } catch (e) {
      this.releaseLock();
      throw e;
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.writeChain.catch(() => undefined);
    await this.compactor.finish(this.seq, this.log);
    await this.journal.close();
    await this.onceKeys?.close();
    this.releaseLock?.();
  }

  async claimOnce(key: string, expiresAtMs: number): Promise<boolean> {
    if (this.closed || !this.onceKeys) throw fhirError('UNAVAILABLE', 'The store is closing');
    return this.onceKeys.claim(key, expiresAtMs);
  }

  async ping(): Promise<boolean> {
    return !this.closed && !this.journal.failed && !this.broken;
  }

  stats(): EmbeddedStats {
    let resources = 0;
    for (const m of this.byType.values()) resources += m.size;
    return {
      seq: this.seq, recovered: this.recovered, resources, journalBytes: this.journal.bytes, snapshotBytes: this.compactor.snapshotBytes,
      compactions: this.compactor.compactions, lastCompactionError: this.compactor.lastError,
    };
  }

  /**
   * Fail-stop: after a journal write or fsync failed, memory may hold a commit the disk does not,
   * so nothing is answered from it any more; a restart recovers the durable state.
   */
  private assertHealthy(): void {
    if (this.journal.failed || this.broken) throw fhirError('UNAVAILABLE', 'The store failed to commit; the server needs a restart');
  }

  async read(resourceType: string, id: string): Promise<VersionRecord | undefined> {
    this.assertHealthy();
    return this.current(resourceType, id);
  }

  async vread(resourceType: string, id: string, versionId: number): Promise<VersionRecord | undefined> {
    this.assertHealthy();
    const ver = this.byType.get(resourceType)?.get(id)?.versions[versionId - 1];
    return ver && toRecord(ver);
  }

  async history(q: HistoryQuery): Promise<HistoryResult> {
    this.assertHealthy();
    const hidden = hiddenEntries(q, (t, id) => this.byType.get(t)?.get(id));
    if (q.resourceType && q.id) return historyPage(this.byType.get(q.resourceType)?.get(q.id)?.versions ?? EMPTY, q, hidden);
    return historyPage(q.resourceType ? (this.typeLog.get(q.resourceType) ?? EMPTY) : this.log, q, hidden);
  }

  async search(query: StoreQuery): Promise<StoreSearchResult> {
    this.assertHealthy();
    return withTimeLimit(query.maxTimeMs, () => this.runSearch(query, undefined));
  }

  /**
   * Candidate documents for a query, with the index fields it reads: picked by the in-memory
   * search indexes for a selective clause (search-indexes.ts), else every live document of the
   * types. `paged`: the indexes may answer the page itself.
   */
  protected candidates(query: StoreQuery, paged: boolean): Picked {
    const fields = fieldsOf(query);
    const picked = this.indexes.candidates(query, fields, paged);
    if (picked) return picked;
    const docs: CandidateDoc[] = [];
    for (const t of query.types ?? [...this.byType.keys()]) {
      const m = this.byType.get(t);
      if (!m) continue;
      for (const e of m.values()) if (e.xb !== undefined) docs.push(candidateDoc(e, fields));
    }
    return { docs, verified: false };
  }

  private runSearch(query: StoreQuery, staged: StagedWrites | undefined): StoreSearchResult {
    // A transaction's own writes are merged in: then the committed candidates come whole.
    const picked = this.candidates(query, !staged?.size);
    if (picked.paged) {
      const page = picked.docs; // exact answers are returned documents already (pickedDoc)
      return { records: page.map((d) => this.current(d.t, d.id)!), docs: page, total: picked.total };
    }
    let docs = picked.docs;
    let verified = picked.verified;
    if (staged?.size) {
      docs = docs.filter((d) => !staged.has(d.t, d.id));
      // the type from the op first: a prepared write makes its document only when it is read (embedded-tx.ts)
      for (const s of staged.values()) if ((!query.types || query.types.includes(s.op.t)) && s.doc) docs.push(s.doc);
      verified = false;
    }
    let matched = verified ? docs : (find(docs, query.filter).all() as unknown as CandidateDoc[]);
    const total = query.count ? matched.length : undefined;
    if (query.sort?.length) {
      // MongoDB's order (search/sort-order.ts): mingo sorts a repeating key descending by its lowest value
      matched = sortDocs(matched, query.sort);
    }
    const page = matched.slice(query.skip ?? 0, (query.skip ?? 0) + query.limit).map(resultDoc);
    const records = page.map((d) => staged?.get(d.t, d.id)?.record ?? this.current(d.t, d.id)!);
    return { records, docs: page, total };
  }

  supportsTransactions(): boolean {
    return true;
  }

  async transaction<T>(work: (tx: StoreTx) => Promise<T>, _opts?: TransactionOptions): Promise<T> {
    if (this.closed) throw fhirError('UNAVAILABLE', 'The store is closing');
    this.assertHealthy();
    let durable: Promise<void> | undefined;
    const run = async (): Promise<T> => {
      this.assertHealthy(); // an earlier commit in the queue may have failed meanwhile
      // One timestamp per transaction, never going backwards, so history order = time order.
      this.lastLu = Math.max(Date.now(), this.lastLu);
      const tx = new EmbeddedTx(this, this.lastLu);
      try {
        const result = await work(tx);
        if (tx.ops.length) {
          const rec: TxRecord = { seq: this.seq + 1, lu: tx.lu, ops: tx.ops };
          let line: Buffer[];
          try {
            // The line is framed from the slabs the commit was just copied into (frame.ts)
            const from = this.log.length;
            this.apply(rec);
            line = frameParts(rec.seq, rec.lu, rec.ops, this.log.slice(from).map(piecesOf));
          } catch (e) {
            this.broken = true;
            throw e;
          }
          durable = this.journal.append(line);
          this.compactor.maybeStart(this.seq, this.log);
        } else {
          // What this transaction read may still be in flight to disk: answer only once it is durable.
          durable = this.journal.barrier();
        }
        return result;
      } finally {
        tx.finished = true;
      }
    };
    const p = this.writeChain.then(run);
    // The lock is released as soon as memory is updated; the fsync is awaited outside it so
    // concurrent writers share one fsync (group commit). Acknowledgement waits for durability.
    this.writeChain = p.catch(() => undefined);
    const result = await p;
    if (durable) {
      await durable.catch(() => {
        // The commit is in memory but not on disk: never acknowledge it. The store now refuses
        // writes and reports not ready; a restart recovers the last durable state.
        throw fhirError('UNAVAILABLE', 'The write could not be made durable; the server needs a restart');
      });
    }
    return result;
  }

  /**
   * Recomputes the stored search index of every live current version (types.ts `reindex`). Each
   * batch is one index record (records.ts `rx`): applied to memory and journaled under the writer
   * lock like a commit, durable before the next batch starts. A crash leaves the batches before
   * it (new indexes) and none of the rest (old ones): the journal's torn tail is cut as always.
   * Compaction writes the current indexes into the snapshot, so it carries the new ones.
   */
  async reindex(indexOf: (r: Resource) => SearchIndex, opts: ReindexOptions = {}): Promise<ReindexSummary> {
    if (this.closed) throw fhirError('UNAVAILABLE', 'The store is closing');
    this.assertHealthy();
    const summary = emptySummary();
    const entries: Entry[] = [];
    for (const m of this.byType.values()) for (const e of m.values()) if (e.xb !== undefined) entries.push(e);
    const size = opts.batchSize ?? DEFAULT_REINDEX_BATCH;
    for (let i = 0; i < entries.length; i += size) {
      const batch = entries.slice(i, i + size);
      let durable: Promise<void> | undefined;
      const p = this.writeChain.then(() => {
        this.assertHealthy();
        durable = this.reindexBatch(batch, indexOf, summary);
      });
      this.writeChain = p.catch(() => undefined);
      await p;
      await durable?.catch(() => {
        throw fhirError('UNAVAILABLE', 'The new indexes could not be made durable; the server needs a restart');
      });
      opts.onProgress?.(summary);
    }
    if (opts.indexVersion && summary.failed === 0) writeIndexVersion(this.dir, opts.indexVersion, this.fsync);
    return summary;
  }

  /** One batch of a reindex, under the writer lock: the record of the changed indexes, applied and appended. */
  private reindexBatch(batch: Entry[], indexOf: (r: Resource) => SearchIndex, summary: ReindexSummary): Promise<void> | undefined {
    const ops: OpRecord[] = [];
    for (const e of batch) {
      if (e.xb === undefined) continue; // deleted since the run started
      const ver = e.versions[e.versions.length - 1];
      const next = recompute(summary, indexOf, e.t, e.id, bodyOf(ver)!, e.xb.toString('utf8', e.xo, e.xo + e.xn));
      if (next) ops.push({ t: e.t, id: e.id, v: ver.v, xj: next.xj, x: next.x });
    }
    if (!ops.length) return undefined;
    const rec: TxRecord = { seq: this.seq, lu: this.lastLu, rx: true, ops };
    let line: Buffer[];
    try {
      this.apply(rec);
      line = frameIndexParts(rec.seq, rec.lu, ops, ops.map((op) => {
        const e = this.byType.get(op.t)!.get(op.id)!;
        return [e.xb!, e.xo, e.xn] as Piece;
      }));
    } catch (e) {
      this.broken = true;
      throw e;
    }
    const durable = this.journal.append(line);
    this.compactor.maybeStart(this.seq, this.log);
    return durable;
  }

  async indexVersion(running: string): Promise<string | undefined> {
    const stored = readIndexVersion(this.dir);
    if (stored === undefined && this.seq === 0) {
      writeIndexVersion(this.dir, running, this.fsync);
      return running;
    }
    return stored;
  }

  /**
   * Applies an index record: the current version `v` of each resource gets its new index (its
   * old terms leave the search indexes as an update's would). During recovery a record may name
   * a version that is not current any more (the snapshot of a compaction that crashed before
   * removing its old journal segments holds later versions too): that version's own index wins.
   */
  private applyIndexes(rec: TxRecord): void {
    if (rec.seq > this.seq) throw new Error(`Journal gap: index record after sequence ${rec.seq}, store at ${this.seq}`);
    this.payloads.begin(rec);
    for (const op of rec.ops) {
      const e = this.byType.get(op.t)?.get(op.id);
      if (!e || e.xb === undefined || e.versions.length !== op.v) continue;
      const old = this.oldTerms.of(e.t, decodeIndex(e));
      const x = op.x ?? (JSON.parse(op.xjb ? op.xjb.toString('utf8') : op.xj!) as SearchIndex);
      const index = this.payloads.index(op, op.xjb ? undefined : op.xj);
      const [terms, r] = this.newTerms.of(e.t, x);
      [e.xb, e.xo, e.xn] = index;
      this.onApply(e, terms, r, { terms: old, r: 0 });
    }
  }

  /** Applies a committed transaction record to memory (at commit and on recovery). */
  private apply(rec: TxRecord): void {
    if (rec.rx) return this.applyIndexes(rec);
    if (rec.seq !== this.seq + 1) throw new Error(`Journal gap: expected sequence ${this.seq + 1}, found ${rec.seq}`);
    let seq = rec.seq;
    this.payloads.begin(rec);
    for (const op of rec.ops) {
      let m = this.byType.get(op.t);
      let typeLog = this.typeLog.get(op.t);
      if (!m || !typeLog) {
        this.byType.set(op.t, (m = new Map()));
        this.typeLog.set(op.t, (typeLog = []));
        this.typeNames.set(op.t, op.t);
      }
      let e = m.get(op.id);
      // Reuse the map's key strings: recovery parses a fresh copy of type and id on every line.
      if (!e) {
        m.set(op.id, (e = { t: this.typeNames.get(op.t)!, id: op.id, versions: EMPTY, xb: undefined, xo: 0, xn: 0, slot: -1 }));
        this.indexes.register(e);
      }
      if (op.v !== e.versions.length + 1) throw new Error(`Version gap on ${op.t}/${op.id}: found version ${op.v}`);
      const live = !op.del && (op.json !== undefined || op.jb !== undefined || op.pk !== undefined);
      const [b, o, n] = live ? this.payloads.body(op) : NO_BODY;
      const ver: Ver = { e, v: op.v, lu: rec.lu, seq, b, o, n };
      // The terms of the version replaced, when it was live: its keys are in the postings already.
      const old = e.xb !== undefined && live ? this.oldTerms.of(e.t, decodeIndex(e)) : undefined;
      if (e.versions === EMPTY) e.versions = [ver];
      else e.versions.push(ver);
      this.log.push(ver);
      typeLog.push(ver);
      if (!live) {
        e.xb = undefined;
        this.indexes.retire(e);
      } else {
        let terms: Terms;
        let r = 0;
        let index: Piece;
        if (op.pk) {
          index = this.payloads.index(op);
          terms = op.pk.batch.terms;
          r = op.pk.i;
          op.pk = undefined; // the batch may go once every write of it is applied
        } else if (op.rt) {
          index = this.payloads.index(op);
          [terms, r] = op.rt;
          op.rt = undefined;
          this.recovered.onWorkers++;
        } else {
          // A commit hands over the index object too; recovery has only its serialized form.
          const x = op.xjb
            ? (JSON.parse(op.xjb.toString('utf8')) as SearchIndex)
            : (op.x ?? (op.xj !== undefined ? (JSON.parse(op.xj) as SearchIndex) : {}));
          index = this.payloads.index(op, op.xjb ? undefined : (op.xj ?? JSON.stringify(x)));
          [terms, r] = this.newTerms.of(e.t, x);
        }
        [e.xb, e.xo, e.xn] = index;
        this.onApply(e, terms, r, old && { terms: old, r: 0 });
      }
      seq++;
    }
    this.seq = seq - 1;
    this.lastLu = Math.max(this.lastLu, rec.lu);
  }

  /**
   * Hook for in-memory search indexes: called for every applied live write with the terms of its
   * index (resource `r` of `terms`) and those of the live version it replaced, if any.
   */
  protected onApply(e: Entry, terms: Terms, r: number, old?: { terms: Terms; r: number }): void {
    this.indexes.apply(e, terms, r, old);
  }

  /** Current version (possibly a tombstone), committed state only. */
  current(t: string, id: string): VersionRecord | undefined {
    const v = this.byType.get(t)?.get(id)?.versions;
    return v?.length ? toRecord(v[v.length - 1]) : undefined;
  }

  searchWith(query: StoreQuery, staged: StagedWrites): StoreSearchResult {
    return this.runSearch(query, staged);
  }
}
