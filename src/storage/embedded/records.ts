import type { SearchIndex, VersionRecord } from '../types.js';
import type { Piece } from './frame.js';
import type { PackedRef } from './packed-batch.js';
import type { Terms } from './index-terms.js';

/**
 * In-memory and on-disk shapes of the embedded store.
 *
 * Memory matters (a million Observations must fit): a version is a small record that points at
 * its resource entry instead of repeating resourceType and id, the tombstone flag is the absence
 * of a body (bodies live off-heap, see body-arena.ts), and the search document (`IndexedDoc`) exists only for the current, live version.
 * The public `VersionRecord` is materialized on demand by `toRecord`.
 */
export interface Ver {
  readonly e: Entry;
  readonly v: number;
  /** lastUpdated, epoch ms */
  readonly lu: number;
  readonly seq: number;
  /** Slab holding the serialized resource (with its final meta); undefined on a tombstone. */
  readonly b: Buffer | undefined;
  /** Byte offset and length of the body in `b`. */
  readonly o: number;
  readonly n: number;
}

/** The serialized resource of a version (decoded from its slab), undefined on a tombstone. */
export function bodyOf(ver: Ver): string | undefined {
  return ver.b?.toString('utf8', ver.o, ver.o + ver.n);
}

export interface Entry {
  readonly t: string;
  readonly id: string;
  /** versions[n - 1] is version n; created as a one-element literal so it has no spare capacity. */
  versions: Ver[];
  /**
   * The search index of the current version, serialized, in a slab like the bodies (set while
   * that version is live). As heap objects, a Variant's index is ~40 arrays of ~150 strings: at a
   * million resources the GC would trace tens of millions of objects on every major collection.
   * It is decoded only for the candidates a query verifies.
   */
  xb: Buffer | undefined;
  xo: number;
  xn: number;
  /** Position in the search indexes (search-indexes.ts), set once when the entry is created. */
  slot: number;
}

/** One write as journaled: enough to rebuild both the version history and the search document. */
export interface OpRecord {
  t: string;
  id: string;
  v: number;
  del?: true;
  /** The serialized resource (a commit) … */
  json?: string;
  /** … or its bytes, a view into the line being recovered (frame.ts). */
  jb?: Buffer;
  /** The search index: serialized (a commit), as bytes (recovery), or, in journals of earlier releases, only as `x`. */
  xj?: string;
  xjb?: Buffer;
  /** The search index as an object: set by a commit (it feeds the postings without a parse), never written. */
  x?: SearchIndex;
  /** A bulk-load write prepared on a worker (body, index bytes and terms; packed-batch.ts), never written as such. */
  pk?: PackedRef;
  /** Recovery: the terms of `xjb`, built off this thread (replay.ts): resource `rt[1]` of `rt[0]`. */
  rt?: [Terms, number];
}

/**
 * One committed transaction = one journal line. Its ops get sequence numbers seq, seq+1, …
 * An index record (`rx`, written by a reindex) is no transaction: its ops replace the stored
 * search index of the current version `v` of each resource, take no sequence number, and `seq`
 * is the last sequence number committed before it (see embedded-store.ts `applyIndexes`).
 */
export interface TxRecord {
  seq: number;
  lu: number;
  ops: OpRecord[];
  rx?: true;
}

export type SeqVersionRecord = VersionRecord & { seq: number };

/** The public record of a version; `withBody: false` skips decoding the body (metadata only). */
export function toRecord(ver: Ver, withBody = true): SeqVersionRecord {
  const r: SeqVersionRecord = {
    resourceType: ver.e.t,
    id: ver.e.id,
    versionId: ver.v,
    lastUpdated: new Date(ver.lu).toISOString(),
    deleted: ver.b === undefined,
    seq: ver.seq,
  };
  if (ver.b !== undefined && withBody) r.json = bodyOf(ver);
  return r;
}

/** Where one version's body and (for the live current version) search index lie, for frame.ts. */
export function piecesOf(ver: Ver): { body?: Piece; index?: Piece } {
  const e = ver.e;
  if (ver.b === undefined) return {};
  const body: Piece = [ver.b, ver.o, ver.n];
  return e.xb !== undefined && e.versions[e.versions.length - 1] === ver ? { body, index: [e.xb, e.xo, e.xn] } : { body };
}
