import type { Resource } from '@medplum/fhirtypes';

/**
 * The one storage contract. Two adapters implement it (embedded, MongoDB) and one contract test
 * suite (test/storage/contract.ts) runs against both. Everything that is not a driver call
 * (query documents, index specs, update documents) is built by shared pure functions so that it
 * is unit-tested even where no MongoDB server exists.
 */

/** One version of one resource, as stored. Tombstones (deletes) have `deleted: true` and no body. */
export interface VersionRecord {
  resourceType: string;
  id: string;
  /** 1, 2, 3 … assigned by the store, never by the client. */
  versionId: number;
  /** ISO instant with milliseconds, assigned by the store at commit. */
  lastUpdated: string;
  deleted: boolean;
  /** The resource serialized with its final `meta`; absent on tombstones. Served as is on reads. */
  json?: string;
}

/**
 * Search index values computed at write time from SearchParameter expressions (src/search owns
 * the shape). Stored beside the resource; the query documents built by the search compiler refer
 * to its fields. Keys are search parameter codes; values are arrays of normalized entries.
 */
/** Every top-level value is an array (the embedded store reads single fields out of the bytes by that shape: index-docs.ts). */
export type SearchIndex = Record<string, unknown>;

/**
 * The document that search query documents run over (MongoDB collection `resources` holds it,
 * the embedded store keeps it in memory). `x` carries the SearchIndex.
 */
export interface IndexedDoc {
  /** resourceType */
  t: string;
  id: string;
  /** current versionId */
  v: number;
  /** lastUpdated as epoch milliseconds (sortable, range-comparable) */
  lu: number;
  /** commit sequence number: strictly increasing across the store; used for stable paging */
  seq: number;
  x: SearchIndex;
}

export type SortSpec = Array<[field: string, direction: 1 | -1]>;

/** A compiled search, as a MongoDB query document over `IndexedDoc`s. */
export interface StoreQuery {
  /** One type, several types (`_type`), or all types when absent. */
  types?: string[];
  /** MongoDB filter document over IndexedDoc fields (e.g. `{ 'x.code': 'http://loinc.org|69548-6' }`). */
  filter: Record<string, unknown>;
  sort?: SortSpec;
  /** Maximum number of records to return. */
  limit: number;
  skip?: number;
  /** Also count every match (for `_total=accurate`). */
  count?: boolean;
  /** Abort with a TIMEOUT FhirError when running longer than this many milliseconds. */
  maxTimeMs?: number;
  /**
   * What the caller reads of the matches, so that a store that must ship them (MongoDB) can send
   * less: `'docs'`, the IndexedDocs only (`records[i].json` may be absent); `'keys'`, also of the
   * docs only t, id, v, lu, seq and the sort fields (`x` may be empty). Absent: everything. A
   * store may always answer with more.
   */
  read?: 'docs' | 'keys';
}

export interface StoreSearchResult {
  /** Current versions of the matching resources, in sort order. */
  records: VersionRecord[];
  /** The IndexedDocs of the matches (same order), for keyset paging cursors. */
  docs: IndexedDoc[];
  total?: number;
}

export interface HistoryQuery {
  resourceType?: string;
  id?: string;
  /** Only versions with lastUpdated >= since (epoch ms). */
  since?: number;
  /** Only versions with lastUpdated <= at (epoch ms), for `_at`. */
  before?: number;
  limit: number;
  /** Keyset cursor: return versions strictly older (in history order) than this commit sequence. */
  beforeSeq?: number;
  /**
   * false: the caller shows no total, so a store where counting costs (MongoDB: a count over the
   * whole history collection) leaves `total` out. Counted when absent.
   */
  total?: boolean;
  /**
   * Resources (ids by type) whose versions are left out, of the records and the total alike: the
   * built-in definitions' ids, which stored data cannot shadow (src/fhir/rest/built-ins.ts). A
   * store that holds none of them runs the query unchanged.
   */
  hide?: Readonly<Record<string, readonly string[]>>;
}

export interface HistoryResult {
  /**
   * Newest first. `afterDeletion`: the version before this one is a tombstone, so this version
   * re-created the resource (history entries tell a re-creation, 201, from an update, 200).
   */
  records: Array<VersionRecord & { seq: number; afterDeletion?: true }>;
  /** Versions matching the query without its cursor; may be missing when the query said `total: false`. */
  total?: number;
}

export interface PutOptions {
  /** Version-aware update: the current versionId must equal this (0 = must not exist yet). */
  ifVersion?: number;
  /** JSON.stringify(index), when the caller has it already (bulk loads prepared on worker threads). */
  indexJson?: string;
}

/**
 * A write prepared off the store's thread for a bulk load (src/prepare): the resource's search
 * index serialized, and optionally an adapter's own precomputed form of the whole write (the
 * embedded store's: stored body, index bytes and index terms, src/storage/embedded/packed-batch.ts).
 * Adapters that do not know `packed` parse `indexJson`.
 */
export interface PreparedWrite {
  /** JSON.stringify(indexResource(resource)). */
  readonly indexJson: string;
  readonly packed?: unknown;
  /**
   * `storedJson(resource, versionId, lastUpdated)` as prepared (stored-json.ts), or undefined when the
   * preparer did not keep it. A write that has it needs no resource object (putPrepared).
   */
  storedJson?(versionId: number, lastUpdated: string): string | undefined;
}

/** What names a resource. */
export interface ResourceKey {
  readonly resourceType: string;
  readonly id: string;
}

/**
 * The unit of atomic work. The embedded store runs a transaction under its single writer lock and
 * journals all its writes as one record; MongoDB runs it as a multi-document transaction.
 * Reads inside a transaction see the transaction's own earlier writes.
 */
export interface StoreTx {
  read(resourceType: string, id: string): Promise<VersionRecord | undefined>;
  search(query: StoreQuery): Promise<StoreSearchResult>;
  /**
   * Writes a new version. The store sets `id`, `meta.versionId` and `meta.lastUpdated` on the stored
   * copy (the caller's object is not mutated) and returns the new record.
   * Throws FhirError PRECONDITION_FAILED when `ifVersion` does not match.
   */
  put(resource: Resource & { id: string }, index: SearchIndex, opts?: PutOptions): Promise<VersionRecord>;
  /**
   * `put(resource, JSON.parse(prepared.indexJson), opts)`, for bulk loads: same stored state, same
   * record, but the work done when `prepared` was made (from this very resource, unchanged since)
   * is not done again. `resource` may be only its type and id when `prepared` carries its stored
   * body (the embedded store's packed form, or `storedJson`): bulk loads whose resources were
   * made on a worker thread (VCF import) have no resource object on the store's thread.
   */
  putPrepared(resource: (Resource & { id: string }) | ResourceKey, prepared: PreparedWrite, opts?: PutOptions): Promise<VersionRecord>;
  /** Writes a tombstone; returns undefined when there was nothing (or only a tombstone) to delete. */
  delete(resourceType: string, id: string, opts?: PutOptions): Promise<VersionRecord | undefined>;
  /**
   * Serializes this transaction against every other transaction that takes the same key (used for
   * conditional create/update: N identical concurrent requests create exactly one resource).
   */
  lock(key: string): Promise<void>;
}

export interface TransactionOptions {
  /** True when the work may write several resources and must be all-or-nothing (Bundle transaction). */
  multi?: boolean;
}

/** What `reindex` did: counts over the current live versions it read. */
export interface ReindexSummary {
  read: number;
  /** Versions whose stored index differed from the recomputed one, and was replaced. */
  changed: number;
  unchanged: number;
  /** Versions today's code could not index (their old index is kept); the first few in `errors`. */
  failed: number;
  errors: Array<{ resourceType: string; id: string; message: string }>;
  byType: Record<string, { read: number; changed: number }>;
}

export interface ReindexOptions {
  /** Resources per journal record / bulkWrite (default 500). */
  batchSize?: number;
  /** Called after each batch with the running totals. */
  onProgress?: (sofar: ReindexSummary) => void;
  /** Recorded as the store's index version once every resource was read and nothing failed. */
  indexVersion?: string;
}

export interface ResourceStore {
  readonly kind: 'embedded' | 'mongodb';
  init(): Promise<void>;
  /** Bytes `init` replays from local files, when the store knows (the embedded store's journal and snapshot). */
  replayBytes?(): number;
  /** Indexes `init` dropped because the running code no longer defines them (MongoDB: `collection.name`). */
  readonly droppedIndexes?: readonly string[];
  /** Flushes and closes; after it resolves no write is pending. */
  close(): Promise<void>;
  /** Readiness: resolves true when the store answers. */
  ping(): Promise<boolean>;
  /** Current version (possibly a tombstone). */
  read(resourceType: string, id: string): Promise<VersionRecord | undefined>;
  vread(resourceType: string, id: string, versionId: number): Promise<VersionRecord | undefined>;
  history(query: HistoryQuery): Promise<HistoryResult>;
  search(query: StoreQuery): Promise<StoreSearchResult>;
  /**
   * Runs `work` atomically and durably: it resolves only after every write is durable (journal
   * fsync / write concern majority). If `work` throws, nothing it wrote is kept.
   * `work` may run more than once (MongoDB retries it after a transient write conflict), so it must
   * have no effects outside `tx`. On a store without transactions `multi: true` is refused with
   * FhirError TRANSACTIONS_UNSUPPORTED before anything runs, and work writing more than one
   * version is refused at commit, with nothing written.
   */
  transaction<T>(work: (tx: StoreTx) => Promise<T>, opts?: TransactionOptions): Promise<T>;
  /** Whether multi-resource transactions are possible (false on a standalone MongoDB). */
  supportsTransactions(): boolean;
  /**
   * Records a one-time key (a client assertion's `jti`, hashed) durably until `expiresAtMs`;
   * resolves false when it is already recorded and unexpired: a replay, refused across restarts
   * and, on a shared MongoDB, across instances. Resource-free: not a FHIR resource, not in history.
   */
  claimOnce?(key: string, expiresAtMs: number): Promise<boolean>;
  /**
   * Recomputes the search index of every current live version from its stored JSON with
   * `indexOf` and stores it where it differs. Not a write: no new version, versionId, lastUpdated
   * and history stay as they are. Each batch is atomic and durable before the next starts, so an
   * interrupted run leaves every resource with its old or its new index; running it again
   * finishes the job (idempotent: a second run changes nothing).
   */
  reindex(indexOf: (resource: Resource) => SearchIndex, opts?: ReindexOptions): Promise<ReindexSummary>;
  /**
   * The index version recorded by the last complete `reindex` (src/search/index-version.ts), or
   * undefined. A store that holds no resource at all records `running` first: nothing in it is stale.
   */
  indexVersion(running: string): Promise<string | undefined>;
}
