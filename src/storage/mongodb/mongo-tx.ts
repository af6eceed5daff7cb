import type { ClientSession } from 'mongodb';
import type { Resource } from '@medplum/fhirtypes';
import { fhirError } from '../../fhir/errors.js';
import { storedJson } from '../stored-json.js';
import type { PreparedWrite, PutOptions, ResourceKey, SearchIndex, StoreQuery, StoreSearchResult, StoreTx, VersionRecord } from '../types.js';
import { buildVersionDocs, recordFromDoc, resourceKey, type ResourceDoc } from './layout.js';

/** What a transaction needs from the store (implemented by MongoStore). */
export interface MongoHost {
  readDoc(t: string, id: string, session?: ClientSession): Promise<ResourceDoc | undefined>;
  searchDocs(q: StoreQuery, session: ClientSession | undefined, staged?: ReadonlyMap<string, ResourceDoc>): Promise<StoreSearchResult>;
  nextSeq(): Promise<number>;
  /** Writes one version (current + history) inside the session. */
  writeInSession(docs: ReturnType<typeof buildVersionDocs>, session: ClientSession): Promise<void>;
  lockInSession(key: string, session: ClientSession): Promise<void>;
  /** Standalone: a lease lock, released when the unit of work ends. */
  acquireLease(key: string): Promise<() => Promise<void>>;
}

/** A write staged on a standalone server, applied at commit only if the resource is still at `expected`. */
export interface StagedWrite {
  expected: number;
  t: string;
  id: string;
  v: number;
  lu: number;
  json?: string;
  x?: SearchIndex;
}

/**
 * One unit of work on MongoDB. With a session (replica set / sharded cluster) every call runs
 * inside the multi-document transaction, so reads see the transaction's own writes natively.
 * Without one (standalone) writes are staged here and applied by the store at the end with an
 * optimistic version check, and locks are leases.
 */
export class MongoTx implements StoreTx {
  readonly staged = new Map<string, ResourceDoc>();
  readonly writes: StagedWrite[] = [];
  readonly releases: Array<() => Promise<void>> = [];

  constructor(
    private readonly host: MongoHost,
    readonly lu: number,
    private readonly session?: ClientSession,
  ) {}

  async read(resourceType: string, id: string): Promise<VersionRecord | undefined> {
    const doc = this.staged.get(resourceKey(resourceType, id)) ?? (await this.host.readDoc(resourceType, id, this.session));
    return doc && recordFromDoc(doc);
  }

  async search(query: StoreQuery): Promise<StoreSearchResult> {
    return this.host.searchDocs(query, this.session, this.staged.size ? this.staged : undefined);
  }

  private async nextVersion(t: string, id: string, opts?: PutOptions): Promise<number> {
    const cur = await this.read(t, id);
    const curV = cur?.versionId ?? 0;
    if (opts?.ifVersion !== undefined && opts.ifVersion !== curV) {
      throw fhirError('PRECONDITION_FAILED', `Version conflict on ${t}/${id}: expected version ${opts.ifVersion}, current is ${curV}`);
    }
    return curV + 1;
  }

  private async write(t: string, id: string, v: number, json: string | undefined, x: SearchIndex | undefined): Promise<VersionRecord> {
    if (this.session) {
      const docs = buildVersionDocs({ t, id, v, lu: this.lu, seq: await this.host.nextSeq(), json, x });
      await this.host.writeInSession(docs, this.session);
      return recordFromDoc(docs.current);
    }
    const docs = buildVersionDocs({ t, id, v, lu: this.lu, seq: Number.MAX_SAFE_INTEGER, json, x });
    this.writes.push({ expected: v - 1, t, id, v, lu: this.lu, json, x });
    this.staged.set(docs.current._id, docs.current);
    return recordFromDoc(docs.current);
  }

  async put(resource: Resource & { id: string }, index: SearchIndex, opts?: PutOptions): Promise<VersionRecord> {
    const v = await this.nextVersion(resource.resourceType, resource.id, opts);
    return this.write(resource.resourceType, resource.id, v, storedJson(resource, v, new Date(this.lu).toISOString()), index);
  }

  /**
   * The prepared stored body is taken when there is one (then `resource` may be only a key); the
   * index documents are built from the index object either way.
   */
  async putPrepared(resource: (Resource & { id: string }) | ResourceKey, prepared: PreparedWrite, opts?: PutOptions): Promise<VersionRecord> {
    const v = await this.nextVersion(resource.resourceType, resource.id, opts);
    const lu = new Date(this.lu).toISOString();
    const json = prepared.storedJson?.(v, lu) ?? storedJson(resource as Resource & { id: string }, v, lu);
    return this.write(resource.resourceType, resource.id, v, json, JSON.parse(prepared.indexJson) as SearchIndex);
  }

  async delete(resourceType: string, id: string, opts?: PutOptions): Promise<VersionRecord | undefined> {
    const cur = await this.read(resourceType, id);
    if (!cur || cur.deleted) {
      if (opts?.ifVersion !== undefined) await this.nextVersion(resourceType, id, opts);
      return undefined;
    }
    const v = await this.nextVersion(resourceType, id, opts);
    return this.write(resourceType, id, v, undefined, undefined);
  }

  async lock(key: string): Promise<void> {
    if (this.session) return this.host.lockInSession(key, this.session);
    this.releases.push(await this.host.acquireLease(key));
  }
}
