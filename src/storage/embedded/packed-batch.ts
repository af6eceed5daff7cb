import type { Resource } from '@medplum/fhirtypes';
import { storedJsonPieces } from '../stored-json.js';
import type { IndexedDoc, SearchIndex, VersionRecord } from '../types.js';
import { termsBuffers, TermsBuilder, type Terms } from './index-terms.js';

/**
 * Bulk-load writes prepared on a worker thread (src/prepare) in the form the embedded store takes
 * as is: per resource, its stored body as UTF-8 with room left for the two values that
 * `meta.versionId` and `meta.lastUpdated` fill at commit (stored-json.ts `storedJsonPieces`), then
 * its index JSON as UTF-8; and the batch's index terms (index-terms.ts). A batch is a few typed
 * arrays, moved (not copied) from the worker, so the store's thread neither parses nor serializes
 * JSON for it and the GC sees a handful of objects per batch, not hundreds per resource.
 *
 * When a transaction commits (nearly) all of a batch, the store fills the reserved room in place
 * and keeps the batch's buffer as the slab of those bodies and indexes (embedded-store.ts): no
 * copy at all. The room fits version 1 (`"1"`) and a lastUpdated of 24 characters (years 0-9999);
 * any other write, or a second write of one prepared resource, is assembled into the store's own
 * slabs from the pieces around the room (`writeBody`).
 */
export interface PackedBatch {
  types: string[];
  ids: string[];
  /** Per resource: stored body (with room for the two values) then index JSON, UTF-8. */
  bytes: Uint8Array;
  /** Per resource R ints (see `R`). */
  res: Int32Array;
  terms: Terms;
  /** Store side: the bytes as a Buffer, and which resources were filled in place. */
  buf?: Buffer;
  filled?: Uint8Array;
  valid?: number;
}

/**
 * Ints per resource in `res`: body offset, pieceLen0, pieceLen1, pieceLen2, flags (BODY: a packed
 * body, LU_FIRST: lastUpdated before versionId), index offset, index length (-1: no index, the
 * resource was invalid).
 */
const R = 7;
const BODY = 2;
const LU_FIRST = 1;
/** Room for `"1"` and for a JSON ISO instant such as `"2026-01-02T03:04:05.678Z"`. */
const V_ROOM = 3;
const LU_ROOM = 26;

/** One prepared write: resource `i` of `batch`. */
export interface PackedRef {
  readonly batch: PackedBatch;
  readonly i: number;
}

export function isPackedRef(p: unknown): p is PackedRef {
  const r = p as PackedRef | undefined;
  return !!r && typeof r.i === 'number' && !!r.batch && r.batch.res instanceof Int32Array && (r.batch.res[R * r.i + 4] & BODY) !== 0;
}

/** Whether resource `i` of the batch has an index (it was valid). */
export function hasIndex(b: PackedBatch, i: number): boolean {
  return b.res[R * i + 6] >= 0;
}

/** Builds a batch on the worker. */
export class PackedBatchWriter {
  private readonly types: string[] = [];
  private readonly ids: string[] = [];
  private bytes = Buffer.allocUnsafe(1 << 20);
  private used = 0;
  private res = new Int32Array(R * 256);
  private readonly terms = new TermsBuilder();

  /**
   * Room for `n` more bytes. A resource at least as large as the buffer gets exactly its room
   * (sizes still at least double from one such growth to the next); else the buffer doubles.
   */
  private room(n: number): void {
    if (this.used + n <= this.bytes.length) return;
    const b = Buffer.allocUnsafe(n >= this.bytes.length ? this.used + n : Math.max(2 * this.bytes.length, this.used + n));
    this.bytes.copy(b, 0, 0, this.used);
    this.bytes = b;
  }

  /** Writes `s` as UTF-8 (room for it reserved by `add`). */
  private write(s: string): number {
    const n = this.bytes.write(s, this.used, 'utf8');
    this.used += n;
    return n;
  }

  private skip(n: number): void {
    this.used += n;
  }

  /** Appends resource `resource` with its index (undefined: invalid, nothing packed). */
  add(resource: Resource & { id: string }, index: SearchIndex | undefined, indexJson: string | undefined): void {
    const i = this.types.length;
    this.types.push(resource.resourceType);
    this.ids.push(resource.id);
    if (this.res.length < R * (i + 1)) {
      const r = new Int32Array(2 * this.res.length);
      r.set(this.res);
      this.res = r;
    }
    const at = R * i;
    const valid = index !== undefined && indexJson !== undefined;
    // no packed body when the content itself holds a marker: the store serializes that one
    const body = valid ? storedJsonPieces(resource) : undefined;
    this.terms.add(resource.resourceType, body ? index : undefined);
    const json = valid ? indexJson : '';
    this.room(body ? roomOf(body.pieces[0], body.pieces[1], body.pieces[2], json) + V_ROOM + LU_ROOM : roomOf('', '', '', json));
    this.res[at + 4] = 0;
    if (body) {
      const luFirst = body.lastUpdatedFirst;
      this.res[at] = this.used;
      this.res[at + 1] = this.write(body.pieces[0]);
      this.skip(luFirst ? LU_ROOM : V_ROOM);
      this.res[at + 2] = this.write(body.pieces[1]);
      this.skip(luFirst ? V_ROOM : LU_ROOM);
      this.res[at + 3] = this.write(body.pieces[2]);
      this.res[at + 4] = BODY | (luFirst ? LU_FIRST : 0);
    }
    this.res[at + 5] = this.used;
    this.res[at + 6] = valid ? this.write(indexJson) : -1;
  }

  finish(): PackedBatch {
    const n = this.types.length;
    // A buffer grown to its exact size (a large resource last) is sent as it is, not copied
    // (the store keeps it as the bodies' slab: any spare room would stay with them).
    const b = this.bytes;
    const full = this.used === b.length && b.byteOffset === 0 && b.buffer.byteLength === this.used;
    return {
      types: this.types, ids: this.ids, bytes: full ? new Uint8Array(b.buffer, 0, this.used) : new Uint8Array(b.subarray(0, this.used)),
      res: this.res.slice(0, R * n), terms: this.terms.finish(),
    };
  }
}

/** Above this many bytes (3 per code unit, at most) a resource's strings are measured exactly. */
const EXACT_ABOVE = 1 << 20;

/**
 * Bytes to reserve for the strings as UTF-8: 3 per code unit for a small resource; the exact length
 * for a large one (a GenomicReport of 100,000 results: ~17 MB), so that the buffer grows once, to
 * its size, instead of to 3 times it and then again (the room is copied at each growth).
 */
function roomOf(a: string, b: string, c: string, d: string): number {
  const units = a.length + b.length + c.length + d.length;
  if (3 * units <= EXACT_ABOVE) return 3 * units;
  return Buffer.byteLength(a, 'utf8') + Buffer.byteLength(b, 'utf8') + Buffer.byteLength(c, 'utf8') + Buffer.byteLength(d, 'utf8');
}

/** The buffers of a batch, for `postMessage`'s transfer list. */
export function transferablesOf(b: PackedBatch): ArrayBuffer[] {
  return [b.bytes.buffer as ArrayBuffer, b.res.buffer as ArrayBuffer, ...termsBuffers(b.terms)];
}

/** The batch's bytes as a Buffer (made once). */
export function batchBuffer(b: PackedBatch): Buffer {
  return (b.buf ??= Buffer.from(b.bytes.buffer, b.bytes.byteOffset, b.bytes.byteLength));
}

/** Resources of the batch with a packed write. */
export function validCount(b: PackedBatch): number {
  if (b.valid === undefined) {
    let n = 0;
    for (let i = 0; i < b.types.length; i++) if (b.res[R * i + 4] & BODY) n++;
    b.valid = n;
  }
  return b.valid;
}

/** Where the stored body starts in the batch's bytes, and its length when filled in place. */
export function bodyStart(p: PackedRef): number {
  return p.batch.res[R * p.i];
}

export function filledLength(p: PackedRef): number {
  const r = p.batch.res;
  const at = R * p.i;
  return r[at + 1] + r[at + 2] + r[at + 3] + V_ROOM + LU_ROOM;
}

/** Where the index JSON starts in the batch's bytes, and its length. */
export function indexStart(p: PackedRef): number {
  return p.batch.res[R * p.i + 5];
}

export function indexLength(p: PackedRef): number {
  return p.batch.res[R * p.i + 6];
}

/** The index JSON bytes of resource `i` of a batch (with an index). */
export function indexBytesOf(p: PackedRef): Buffer {
  const from = indexStart(p);
  return batchBuffer(p.batch).subarray(from, from + indexLength(p));
}

export function indexJsonOf(p: PackedRef): string {
  return indexBytesOf(p).toString('utf8');
}

/**
 * Writes version `v`'s values (lastUpdated as the JSON string `luJson`) into the room the body
 * left for them, when they fit and this resource was not filled before; false otherwise.
 */
export function fillInPlace(p: PackedRef, v: number, luJson: string): boolean {
  const b = p.batch;
  if (v > 9 || luJson.length !== LU_ROOM) return false;
  b.filled ??= new Uint8Array(b.types.length);
  if (b.filled[p.i]) return false;
  b.filled[p.i] = 1;
  const r = b.res;
  const at = R * p.i;
  const luFirst = (r[at + 4] & LU_FIRST) !== 0;
  const first = r[at] + r[at + 1];
  const second = first + (luFirst ? LU_ROOM : V_ROOM) + r[at + 2];
  writeValue(b.bytes, luFirst ? second : first, v);
  writeAscii(b.bytes, luFirst ? first : second, luJson);
  return true;
}

/** Byte length of the stored body of version `v` committed at `luJson` (a JSON string of ASCII). */
export function bodyLength(p: PackedRef, v: number, luJson: string): number {
  const r = p.batch.res;
  const at = R * p.i;
  return r[at + 1] + r[at + 2] + r[at + 3] + String(v).length + 2 + luJson.length;
}

/** Writes the stored body of version `v` at `out[off..]` (room for `bodyLength` bytes), from the pieces around the room. */
export function writeBody(p: PackedRef, v: number, luJson: string, out: Uint8Array, off: number): void {
  const r = p.batch.res;
  const bytes = p.batch.bytes;
  const at = R * p.i;
  let from = r[at];
  const luFirst = (r[at + 4] & LU_FIRST) !== 0;
  for (let k = 0; k < 3; k++) {
    const n = r[at + 1 + k];
    out.set(bytes.subarray(from, from + n), off);
    from += n;
    off += n;
    if (k === 2) break;
    const version = (k === 0) !== luFirst;
    from += version ? V_ROOM : LU_ROOM;
    off = version ? writeValue(out, off, v) : writeAscii(out, off, luJson);
  }
}

function writeValue(out: Uint8Array, off: number, v: number): number {
  out[off++] = 34;
  off = writeAscii(out, off, String(v));
  out[off++] = 34;
  return off;
}

function writeAscii(out: Uint8Array, off: number, s: string): number {
  for (let i = 0; i < s.length; i++) out[off + i] = s.charCodeAt(i);
  return off + s.length;
}

/** The stored body of version `v`, as a string (a staged read before commit). */
export function bodyString(p: PackedRef, v: number, luJson: string): string {
  const out = Buffer.allocUnsafe(bodyLength(p, v, luJson));
  writeBody(p, v, luJson, out, 0);
  return out.toString('utf8');
}

export function packedType(p: PackedRef): string {
  return p.batch.types[p.i];
}

export function packedId(p: PackedRef): string {
  return p.batch.ids[p.i];
}

/**
 * The record a prepared write answers: its body is serialized only if someone reads it (bulk
 * loads never do). A class, not an object literal with a getter: those are built by the runtime,
 * slowly, and a bulk load makes millions. (`json` is a prototype getter: spread or JSON.stringify
 * of the record leave it out.)
 */
export class PackedRecord implements VersionRecord {
  readonly deleted = false;
  #json?: string;
  constructor(
    readonly resourceType: string,
    readonly id: string,
    readonly versionId: number,
    readonly lastUpdated: string,
    private readonly pk: PackedRef,
  ) {}

  get json(): string {
    return (this.#json ??= bodyString(this.pk, this.versionId, JSON.stringify(this.lastUpdated)));
  }
}

/** The staged search document of a prepared write: its index is parsed only if a search in the transaction reads it. */
export class PackedDoc implements IndexedDoc {
  readonly seq = Number.MAX_SAFE_INTEGER;
  #x?: SearchIndex;
  constructor(
    readonly t: string,
    readonly id: string,
    readonly v: number,
    readonly lu: number,
    private readonly pk: PackedRef,
  ) {}

  get x(): SearchIndex {
    return (this.#x ??= JSON.parse(indexJsonOf(this.pk)) as SearchIndex);
  }
}
