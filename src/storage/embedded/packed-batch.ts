import type { Resource } from '@medplum/fhirtypes';
import { storedJsonPieces } from '../stored-json.js';
import type { SearchIndex } from '../types.js';
import { TermsBuilder, type Terms } from './index-terms.js';

/**
 * Bulk-load writes prepared on a worker thread (src/prepare) in the form the embedded store takes
 * with plain copies: per resource, its stored body as UTF-8 with the two holes that
 * `meta.versionId` and `meta.lastUpdated` fill at commit (stored-json.ts `storedJsonPieces`), its
 * index JSON as UTF-8, and its index terms (index-terms.ts). All of a batch sits in a few typed
 * arrays, moved (not copied) from the worker, so the store's thread never parses nor serializes
 * JSON for them and the GC sees a handful of objects per batch, not hundreds per resource.
 */
export interface PackedBatch {
  types: string[];
  ids: string[];
  /** Stored bodies (pieces back to back) and index JSON, UTF-8. */
  bytes: Uint8Array;
  /** Per resource R ints (see `RES`); pieceLen0 = -1 when the resource has no packed write. */
  res: Int32Array;
  terms: Terms;
}

/** Ints per resource in `res`: offset, pieceLen0, pieceLen1, pieceLen2, lastUpdatedFirst, indexLen. */
const R = 6;

/** One prepared write: resource `i` of `batch`. */
export interface PackedRef {
  readonly batch: PackedBatch;
  readonly i: number;
}

export function isPackedRef(p: unknown): p is PackedRef {
  const r = p as PackedRef | undefined;
  return !!r && typeof r.i === 'number' && !!r.batch && r.batch.res instanceof Int32Array && r.batch.res[R * r.i + 1] >= 0;
}

/** Builds a batch on the worker. */
export class PackedBatchWriter {
  private readonly types: string[] = [];
  private readonly ids: string[] = [];
  private bytes = Buffer.allocUnsafe(1 << 20);
  private used = 0;
  private res = new Int32Array(R * 256);
  private readonly terms = new TermsBuilder();

  private room(n: number): void {
    if (this.used + n <= this.bytes.length) return;
    const b = Buffer.allocUnsafe(Math.max(2 * this.bytes.length, this.used + n));
    this.bytes.copy(b, 0, 0, this.used);
    this.bytes = b;
  }

  private write(s: string): number {
    this.room(3 * s.length);
    const n = this.bytes.write(s, this.used, 'utf8');
    this.used += n;
    return n;
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
    const body = index && indexJson !== undefined ? storedJsonPieces(resource) : undefined;
    this.terms.add(resource.resourceType, body ? index : undefined);
    if (!body) {
      this.res[at + 1] = -1;
      return;
    }
    this.res[at] = this.used;
    this.res[at + 1] = this.write(body.pieces[0]);
    this.res[at + 2] = this.write(body.pieces[1]);
    this.res[at + 3] = this.write(body.pieces[2]);
    this.res[at + 4] = body.lastUpdatedFirst ? 1 : 0;
    this.res[at + 5] = this.write(indexJson!);
  }

  finish(): PackedBatch {
    const n = this.types.length;
    return {
      types: this.types, ids: this.ids, bytes: new Uint8Array(this.bytes.subarray(0, this.used)),
      res: this.res.slice(0, R * n), terms: this.terms.finish(),
    };
  }
}

/** The buffers of a batch, for `postMessage`'s transfer list. */
export function transferablesOf(b: PackedBatch): ArrayBuffer[] {
  const t = b.terms;
  return [b.bytes, b.res, t.post, t.keys, t.rng, t.rngKey, t.res].map((a) => a.buffer as ArrayBuffer);
}

/** The index JSON bytes of a prepared write. */
export function indexBytesOf(p: PackedRef): Buffer {
  const r = p.batch.res;
  const at = R * p.i;
  const from = r[at] + r[at + 1] + r[at + 2] + r[at + 3];
  return Buffer.from(p.batch.bytes.buffer, p.batch.bytes.byteOffset + from, r[at + 5]);
}

export function indexJsonOf(p: PackedRef): string {
  return indexBytesOf(p).toString('utf8');
}

/** Byte length of the stored body of version `v` committed at `luJson` (a JSON string of ASCII). */
export function bodyLength(p: PackedRef, v: number, luJson: string): number {
  const r = p.batch.res;
  const at = R * p.i;
  return r[at + 1] + r[at + 2] + r[at + 3] + digits(v) + 2 + luJson.length;
}

function digits(v: number): number {
  let n = 1;
  while (v >= 10) {
    v = Math.floor(v / 10);
    n++;
  }
  return n;
}

/** Writes the stored body of version `v` at `out[off..]` (room for `bodyLength` bytes). */
export function writeBody(p: PackedRef, v: number, luJson: string, out: Uint8Array, off: number): void {
  const r = p.batch.res;
  const bytes = p.batch.bytes;
  const at = R * p.i;
  let from = r[at];
  const luFirst = r[at + 4] === 1;
  for (let k = 0; k < 3; k++) {
    const n = r[at + 1 + k];
    out.set(bytes.subarray(from, from + n), off);
    from += n;
    off += n;
    if (k === 2) break;
    if ((k === 0) !== luFirst) off = writeVersion(out, off, v);
    else off = writeAscii(out, off, luJson);
  }
}

function writeVersion(out: Uint8Array, off: number, v: number): number {
  const s = String(v);
  out[off++] = 34;
  off = writeAscii(out, off, s);
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
