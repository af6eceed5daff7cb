import type { IndexedDoc, SearchIndex, VersionRecord } from '../types.js';

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
}

/** The search document of an entry's live current version (decoded), undefined when deleted. */
export function docOf(e: Entry): IndexedDoc | undefined {
  if (e.xb === undefined) return undefined;
  const last = e.versions[e.versions.length - 1];
  return { t: e.t, id: e.id, v: last.v, lu: last.lu, seq: last.seq, x: JSON.parse(e.xb.toString('utf8', e.xo, e.xo + e.xn)) as SearchIndex };
}

/** The serialized search index of an entry's live current version. */
export function indexJsonOf(e: Entry): string | undefined {
  return e.xb?.toString('utf8', e.xo, e.xo + e.xn);
}

/** One write as journaled: enough to rebuild both the version history and the search document. */
export interface OpRecord {
  t: string;
  id: string;
  v: number;
  del?: true;
  json?: string;
  /** The search index, serialized (what is journaled and kept in memory). */
  xj?: string;
  /**
   * The search index as an object: set in memory by a commit (it feeds the postings without a
   * parse), never written; journals of earlier releases carried it instead of `xj`.
   */
  x?: SearchIndex;
}

/** One committed transaction = one journal line. Its ops get sequence numbers seq, seq+1, … */
export interface TxRecord {
  seq: number;
  lu: number;
  ops: OpRecord[];
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

/** The journal/snapshot record of one stored version (the search index only for the live one). */
export function toOp(ver: Ver): OpRecord {
  const e = ver.e;
  if (ver.b === undefined) return { t: e.t, id: e.id, v: ver.v, del: true };
  const op: OpRecord = { t: e.t, id: e.id, v: ver.v, json: bodyOf(ver) };
  if (e.xb !== undefined && e.versions[e.versions.length - 1] === ver) op.xj = indexJsonOf(e);
  return op;
}

/** One journal or snapshot line: the record without the in-memory `x` objects. */
export function recordLine(rec: TxRecord): string {
  const ops = rec.ops.map((op) => (op.del ? { t: op.t, id: op.id, v: op.v, del: true } : { t: op.t, id: op.id, v: op.v, json: op.json, xj: op.xj }));
  return JSON.stringify({ seq: rec.seq, lu: rec.lu, ops }) + '\n';
}
