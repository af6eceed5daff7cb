import type { Resource } from '@medplum/fhirtypes';
import { fhirError } from '../../fhir/errors.js';
import { storedJson } from '../stored-json.js';
import type { IndexedDoc, PreparedWrite, PutOptions, ResourceKey, SearchIndex, StoreQuery, StoreSearchResult, StoreTx, VersionRecord } from '../types.js';
import type { OpRecord } from './records.js';
import { isPackedRef, PackedDoc, PackedRecord, packedId, packedType, type PackedRef } from './packed-batch.js';
import { StagedWrites, type Staged } from './staged-writes.js';

export type { Staged } from './staged-writes.js';

/** What a transaction needs from its store (reads of committed state). */
export interface TxHost {
  current(t: string, id: string): VersionRecord | undefined;
  searchWith(query: StoreQuery, staged: StagedWrites): StoreSearchResult;
}

/**
 * One embedded transaction: writes are staged here (so reads inside the transaction see them)
 * and become one journal record at commit. The store runs every transaction under its single
 * writer lock, so `lock()` has nothing more to do.
 */
export class EmbeddedTx implements StoreTx {
  /** Latest staged state per resource (what reads inside the transaction see). */
  readonly staged = new StagedWrites();
  /** Every staged write in order: two writes of one resource keep both versions. */
  readonly ops: OpRecord[] = [];
  /** Set at commit or abort: a late write through a leaked tx must not be silently lost. */
  finished = false;
  private luIso?: string;

  constructor(
    private readonly host: TxHost,
    readonly lu: number,
  ) {}

  async read(resourceType: string, id: string): Promise<VersionRecord | undefined> {
    return this.staged.get(resourceType, id)?.record ?? this.host.current(resourceType, id);
  }

  async search(query: StoreQuery): Promise<StoreSearchResult> {
    return this.host.searchWith(query, this.staged);
  }

  private nextVersion(t: string, id: string, opts?: PutOptions): number {
    if (this.finished) throw new Error('write through a finished transaction');
    const cur = this.staged.get(t, id)?.record ?? this.host.current(t, id);
    const curV = cur?.versionId ?? 0;
    if (opts?.ifVersion !== undefined && opts.ifVersion !== curV) {
      throw fhirError('PRECONDITION_FAILED', `Version conflict on ${t}/${id}: expected version ${opts.ifVersion}, current is ${curV}`);
    }
    return curV + 1;
  }

  private lastUpdated(): string {
    return (this.luIso ??= new Date(this.lu).toISOString());
  }

  async put(resource: Resource & { id: string }, index: SearchIndex, opts?: PutOptions): Promise<VersionRecord> {
    const t = resource.resourceType;
    const v = this.nextVersion(t, resource.id, opts);
    const lastUpdated = this.lastUpdated();
    const id = resource.id;
    const json = storedJson(resource, v, lastUpdated);
    const op: OpRecord = { t, id, v, json, xj: opts?.indexJson ?? JSON.stringify(index), x: index };
    const record: VersionRecord = { resourceType: t, id, versionId: v, lastUpdated, deleted: false, json };
    this.staged.set(t, id, { op, record, doc: { t, id, v, lu: this.lu, seq: Number.MAX_SAFE_INTEGER, x: index } });
    this.ops.push(op);
    return record;
  }

  /**
   * The write a worker prepared (packed-batch.ts) is taken as is: body, index bytes and terms are
   * copied at commit, nothing is parsed or serialized here. The record's body and the staged
   * document's index are decoded only if someone reads them. Anything else (a write prepared
   * inline without a packed form, or for another resource) takes the plain path: `resource` is then
   * the whole resource (only a write with its packed form may name it by type and id).
   */
  async putPrepared(resource: (Resource & { id: string }) | ResourceKey, prepared: PreparedWrite, opts?: PutOptions): Promise<VersionRecord> {
    const pk = prepared.packed;
    const t = resource.resourceType;
    const id = resource.id;
    if (!isPackedRef(pk) || packedType(pk) !== t || packedId(pk) !== id) {
      return this.put(resource as Resource & { id: string }, JSON.parse(prepared.indexJson) as SearchIndex, { ...opts, indexJson: prepared.indexJson });
    }
    const v = this.nextVersion(t, id, opts);
    const lastUpdated = this.lastUpdated();
    const staged = new StagedPacked({ t, id, v, pk }, lastUpdated, this.lu);
    this.staged.set(t, id, staged);
    this.ops.push(staged.op);
    return staged;
  }

  async delete(resourceType: string, id: string, opts?: PutOptions): Promise<VersionRecord | undefined> {
    const cur = await this.read(resourceType, id);
    if (!cur || cur.deleted) {
      if (opts?.ifVersion !== undefined) this.nextVersion(resourceType, id, opts);
      return undefined;
    }
    const v = this.nextVersion(resourceType, id, opts);
    const lastUpdated = this.lastUpdated();
    const op: OpRecord = { t: resourceType, id, v, del: true };
    const record: VersionRecord = { resourceType, id, versionId: v, lastUpdated, deleted: true };
    this.staged.set(resourceType, id, { op, record });
    this.ops.push(op);
    return record;
  }

  async lock(_key: string): Promise<void> {
    // Every embedded transaction already holds the single writer lock.
  }
}

/**
 * A prepared write as staged, which is also the record it answers: its document is made only
 * when a search inside the transaction reads it. With its op, two objects per write instead of four
 * (op, staged entry, record, document) that every write of an import keeps alive until the
 * commit, each copied by the GC on its way to the old generation.
 */
class StagedPacked extends PackedRecord implements Staged {
  #doc?: PackedDoc;
  constructor(
    readonly op: OpRecord & { pk: PackedRef },
    lastUpdated: string,
    private readonly lu: number,
  ) {
    super(op.t, op.id, op.v, lastUpdated, op.pk);
  }

  get record(): PackedRecord {
    return this;
  }

  get doc(): PackedDoc {
    return (this.#doc ??= new PackedDoc(this.resourceType, this.id, this.versionId, this.lu, this.op.pk));
  }
}
