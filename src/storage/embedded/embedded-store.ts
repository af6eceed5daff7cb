import { mkdirSync, renameSync, writeFileSync, openSync, fsyncSync, closeSync, readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { find } from 'mingo';
import type { Resource } from '@medplum/fhirtypes';
import { fhirError } from '../../fhir/errors.js';
import type {
  HistoryQuery, HistoryResult, IndexedDoc, PutOptions, ResourceStore, SearchIndex, StoreQuery,
  StoreSearchResult, StoreTx, TransactionOptions, VersionRecord,
} from '../types.js';
import { Journal } from './journal.js';
import { withTimeLimit } from '../time-limit.js';

type Version = VersionRecord & { seq: number };
interface Entry {
  versions: Version[];
  /** Present while the resource is live (not deleted). */
  doc?: IndexedDoc;
}
/** One write as journaled: enough to rebuild both the version history and the search document. */
interface OpRecord {
  t: string;
  id: string;
  v: number;
  del?: true;
  json?: string;
  x?: SearchIndex;
}
interface TxRecord {
  seq: number;
  lu: number;
  ops: OpRecord[];
}

const COMPACT_BYTES = 256 * 1024 * 1024;

/**
 * The embedded, durable default store: everything lives in memory (resources as serialized JSON,
 * search documents as small objects), every committed transaction is one fsync'ed journal line,
 * and a snapshot compacts the journal. Writers are serialized by one lock; readers never wait.
 */
export class EmbeddedStore implements ResourceStore {
  readonly kind = 'embedded' as const;
  private readonly byType = new Map<string, Map<string, Entry>>();
  /** Every version in commit order, for type and system history. */
  private readonly log: Array<{ seq: number; t: string; id: string; v: number; lu: number }> = [];
  private seq = 0;
  private lastLu = 0;
  private journal: Journal;
  private writeChain: Promise<unknown> = Promise.resolve();
  private closed = false;

  constructor(
    private readonly dir: string,
    private readonly opts: { fsync?: boolean } = {},
  ) {
    this.journal = new Journal(join(dir, 'journal.ndjson'), opts.fsync !== false);
  }

  async init(): Promise<void> {
    mkdirSync(this.dir, { recursive: true });
    const snapPath = join(this.dir, 'snapshot.ndjson');
    if (existsSync(snapPath)) {
      const text = readFileSync(snapPath, 'utf8');
      for (const line of text.split('\n')) if (line) this.apply(JSON.parse(line) as TxRecord);
    }
    const { records } = Journal.recover(this.journal.path);
    for (const r of records as TxRecord[]) if (r.seq > this.seq) this.apply(r);
    await this.journal.open();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.writeChain.catch(() => undefined);
    if (this.journal.bytes > COMPACT_BYTES) this.writeSnapshot();
    await this.journal.close();
  }

  async ping(): Promise<boolean> {
    return !this.closed;
  }

  async read(resourceType: string, id: string): Promise<VersionRecord | undefined> {
    const versions = this.byType.get(resourceType)?.get(id)?.versions;
    return versions?.[versions.length - 1];
  }

  async vread(resourceType: string, id: string, versionId: number): Promise<VersionRecord | undefined> {
    return this.byType.get(resourceType)?.get(id)?.versions[versionId - 1];
  }

  async history(q: HistoryQuery): Promise<HistoryResult> {
    let all: Version[];
    if (q.resourceType && q.id) {
      all = [...(this.byType.get(q.resourceType)?.get(q.id)?.versions ?? [])].reverse();
    } else {
      all = [];
      for (let i = this.log.length - 1; i >= 0; i--) {
        const l = this.log[i];
        if (q.resourceType && l.t !== q.resourceType) continue;
        all.push(this.byType.get(l.t)!.get(l.id)!.versions[l.v - 1]);
      }
    }
    const matching = all.filter((v) => {
      const lu = Date.parse(v.lastUpdated);
      return (q.since === undefined || lu >= q.since) && (q.before === undefined || lu <= q.before);
    });
    const page = matching.filter((v) => q.beforeSeq === undefined || v.seq < q.beforeSeq).slice(0, q.limit);
    return { records: page, total: matching.length };
  }

  async search(query: StoreQuery): Promise<StoreSearchResult> {
    return withTimeLimit(query.maxTimeMs, () => this.runSearch(query, undefined));
  }

  /** Candidate documents for a query. The search engine narrows this with in-memory indexes. */
  protected candidates(query: StoreQuery): Iterable<IndexedDoc> {
    const types = query.types ?? [...this.byType.keys()];
    const self = this;
    return (function* () {
      for (const t of types) {
        const m = self.byType.get(t);
        if (!m) continue;
        for (const e of m.values()) if (e.doc) yield e.doc;
      }
    })();
  }

  private runSearch(query: StoreQuery, staged: Map<string, Staged> | undefined): StoreSearchResult {
    let docs: IndexedDoc[] = [...this.candidates(query)];
    if (staged?.size) {
      const keys = new Set(staged.keys());
      docs = docs.filter((d) => !keys.has(`${d.t}/${d.id}`));
      for (const s of staged.values()) if (s.doc && (!query.types || query.types.includes(s.doc.t))) docs.push(s.doc);
    }
    const cursor = find(docs, query.filter);
    let matched = cursor.all() as unknown as IndexedDoc[];
    const total = query.count ? matched.length : undefined;
    if (query.sort?.length) {
      matched = find(matched, {}).sort(Object.fromEntries(query.sort)).all() as unknown as IndexedDoc[];
    }
    const page = matched.slice(query.skip ?? 0, (query.skip ?? 0) + query.limit);
    const records = page.map((d) => {
      const s = staged?.get(`${d.t}/${d.id}`);
      if (s) return s.record;
      const v = this.byType.get(d.t)!.get(d.id)!.versions;
      return v[v.length - 1];
    });
    return { records, docs: page, total };
  }

  supportsTransactions(): boolean {
    return true;
  }

  async transaction<T>(work: (tx: StoreTx) => Promise<T>, _opts?: TransactionOptions): Promise<T> {
    if (this.closed) throw fhirError('UNAVAILABLE', 'The store is closing');
    let durable: Promise<void> | undefined;
    const run = async (): Promise<T> => {
      // One timestamp per transaction, never going backwards, so history order = time order.
      this.lastLu = Math.max(Date.now(), this.lastLu);
      const tx = new EmbeddedTx(this, this.lastLu);
      const result = await work(tx);
      if (tx.staged.size) {
        const rec: TxRecord = { seq: this.seq + 1, lu: tx.lu, ops: [...tx.staged.values()].map((s) => s.op) };
        this.apply(rec);
        durable = this.journal.append(rec);
      }
      return result;
    };
    const p = this.writeChain.then(run);
    // The lock is released as soon as memory is updated; the fsync is awaited outside it so
    // concurrent writers share one fsync (group commit). Acknowledgement waits for durability.
    this.writeChain = p.catch(() => undefined);
    const result = await p;
    if (durable) await durable;
    return result;
  }

  /** Applies a committed transaction record to memory (at commit and on recovery). */
  private apply(rec: TxRecord): void {
    let seq = rec.seq;
    const lastUpdated = new Date(rec.lu).toISOString();
    for (const op of rec.ops) {
      let m = this.byType.get(op.t);
      if (!m) this.byType.set(op.t, (m = new Map()));
      let e = m.get(op.id);
      if (!e) m.set(op.id, (e = { versions: [] }));
      const version: Version = { resourceType: op.t, id: op.id, versionId: op.v, lastUpdated, deleted: !!op.del, json: op.json, seq };
      e.versions.push(version);
      e.doc = op.del ? undefined : { t: op.t, id: op.id, v: op.v, lu: rec.lu, seq, x: op.x ?? {} };
      this.log.push({ seq, t: op.t, id: op.id, v: op.v, lu: rec.lu });
      this.lastLu = Math.max(this.lastLu, rec.lu);
      this.onApply(op.t, op.id, e.versions.length > 1 ? e.versions[e.versions.length - 2] : undefined, e.doc);
      seq++;
    }
    this.seq = Math.max(this.seq, seq - 1);
  }

  /** Hook for in-memory search indexes: called for every applied write. */
  protected onApply(_type: string, _id: string, _previous: Version | undefined, _doc: IndexedDoc | undefined): void {}

  /** Writes every version to a new snapshot (atomically, by rename) and empties the journal. */
  private writeSnapshot(): void {
    const tmp = join(this.dir, 'snapshot.ndjson.tmp');
    const lines: string[] = [];
    for (const l of this.log) {
      const v = this.byType.get(l.t)!.get(l.id)!.versions[l.v - 1];
      const e = this.byType.get(l.t)!.get(l.id)!;
      const x = !v.deleted && e.doc && e.doc.v === v.versionId ? e.doc.x : undefined;
      const op: OpRecord = { t: l.t, id: l.id, v: l.v, ...(v.deleted ? { del: true as const } : { json: v.json }), ...(x ? { x } : {}) };
      lines.push(JSON.stringify({ seq: l.seq, lu: l.lu, ops: [op] } satisfies TxRecord));
    }
    writeFileSync(tmp, lines.join('\n') + '\n');
    const fd = openSync(tmp, 'r');
    fsyncSync(fd);
    closeSync(fd);
    renameSync(tmp, join(this.dir, 'snapshot.ndjson'));
    writeFileSync(this.journal.path, '');
  }

  /** @internal used by EmbeddedTx */
  _current(t: string, id: string): Version | undefined {
    const v = this.byType.get(t)?.get(id)?.versions;
    return v?.[v.length - 1];
  }
  /** @internal */
  _search(query: StoreQuery, staged: Map<string, Staged>): StoreSearchResult {
    return this.runSearch(query, staged);
  }
}

interface Staged {
  op: OpRecord;
  record: VersionRecord;
  doc?: IndexedDoc;
}

class EmbeddedTx implements StoreTx {
  readonly staged = new Map<string, Staged>();
  constructor(
    private readonly store: EmbeddedStore,
    readonly lu: number,
  ) {}

  async read(resourceType: string, id: string): Promise<VersionRecord | undefined> {
    return this.staged.get(`${resourceType}/${id}`)?.record ?? this.store._current(resourceType, id);
  }

  async search(query: StoreQuery): Promise<StoreSearchResult> {
    return this.store._search(query, this.staged);
  }

  private nextVersion(t: string, id: string, opts?: PutOptions): number {
    const cur = this.staged.get(`${t}/${id}`)?.record ?? this.store._current(t, id);
    const curV = cur?.versionId ?? 0;
    if (opts?.ifVersion !== undefined && opts.ifVersion !== curV) {
      throw fhirError('PRECONDITION_FAILED', `Version conflict on ${t}/${id}: expected version ${opts.ifVersion}, current is ${curV}`);
    }
    return curV + 1;
  }

  async put(resource: Resource & { id: string }, index: SearchIndex, opts?: PutOptions): Promise<VersionRecord> {
    const t = resource.resourceType;
    const v = this.nextVersion(t, resource.id, opts);
    const lastUpdated = new Date(this.lu).toISOString();
    const { resourceType, id, meta, ...rest } = resource;
    const stored = { resourceType, id, meta: { ...meta, versionId: String(v), lastUpdated }, ...rest };
    const json = JSON.stringify(stored);
    const op: OpRecord = { t, id, v, json, x: index };
    const record: VersionRecord = { resourceType: t, id, versionId: v, lastUpdated, deleted: false, json };
    this.staged.set(`${t}/${id}`, { op, record, doc: { t, id, v, lu: Date.parse(lastUpdated), seq: Number.MAX_SAFE_INTEGER, x: index } });
    return record;
  }

  async delete(resourceType: string, id: string, opts?: PutOptions): Promise<VersionRecord | undefined> {
    const cur = await this.read(resourceType, id);
    if (!cur || cur.deleted) {
      if (opts?.ifVersion !== undefined && opts.ifVersion !== (cur?.versionId ?? 0)) this.nextVersion(resourceType, id, opts);
      return undefined;
    }
    const v = this.nextVersion(resourceType, id, opts);
    const lastUpdated = new Date(this.lu).toISOString();
    const op: OpRecord = { t: resourceType, id, v, del: true };
    const record: VersionRecord = { resourceType, id, versionId: v, lastUpdated, deleted: true };
    this.staged.set(`${resourceType}/${id}`, { op, record });
    return record;
  }

  async lock(_key: string): Promise<void> {
    // Every embedded transaction already holds the single writer lock.
  }
}
