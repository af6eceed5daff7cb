import { BodyArena } from './body-arena.js';
import type { Piece } from './frame.js';
import type { OpRecord, TxRecord } from './records.js';
import {
  batchBuffer, bodyLength, bodyStart, filledLength, fillInPlace, indexBytesOf, indexLength, indexStart, validCount, writeBody, type PackedBatch,
} from './packed-batch.js';

/**
 * Where a committed write's payloads (serialized resource, serialized search index) are kept in
 * memory: copied into the body arena's slabs, or, for a prepared batch (packed-batch.ts) the
 * transaction writes nearly whole, left in the batch's own buffer, its meta values filled in
 * place, so a bulk load copies nothing. A batch written only in part (an import that finds most
 * resources unchanged) is copied, so that a few writes never keep a whole batch alive.
 */
export class Payloads {
  private readonly arena = new BodyArena();
  private adopted?: Set<PackedBatch>;
  private lu = 0;
  private luJson?: string;

  /** Starts applying a transaction record. */
  begin(rec: TxRecord): void {
    this.lu = rec.lu;
    this.luJson = undefined;
    this.adopted = adoptedBatches(rec);
  }

  /** The body of a live write (a commit's, or one recovered from a line). */
  body(op: OpRecord): Piece {
    const pk = op.pk;
    if (pk) {
      const luJson = (this.luJson ??= JSON.stringify(new Date(this.lu).toISOString()));
      if (this.adopted?.has(pk.batch) && fillInPlace(pk, op.v, luJson)) return [batchBuffer(pk.batch), bodyStart(pk), filledLength(pk)];
      const o = this.arena.alloc(bodyLength(pk, op.v, luJson));
      writeBody(pk, op.v, luJson, this.arena.lastSlab, o);
      return [this.arena.lastSlab, o, this.arena.lastLength];
    }
    if (op.jb) return this.recovered(op.jb);
    const o = this.arena.store(op.json!);
    return [this.arena.lastSlab, o, this.arena.lastLength];
  }

  /**
   * Bytes read back from the journal or snapshot (line-file.ts): kept where they were read, in
   * the read chunk, which nothing writes again. Copying them into slabs cost recovery a fifth of
   * its time (a second copy of every byte, into memory touched for the first time).
   */
  private chunkOf?: ArrayBufferLike;
  private chunk?: Buffer;
  private recovered(view: Buffer): Piece {
    if (view.buffer !== this.chunkOf) {
      this.chunkOf = view.buffer;
      this.chunk = Buffer.from(view.buffer);
    }
    return [this.chunk!, view.byteOffset, view.length];
  }

  /** The index bytes of a live write; `json` is its serialized index when the op has no bytes of it. */
  index(op: OpRecord, json?: string): Piece {
    const pk = op.pk;
    if (pk && this.adopted?.has(pk.batch)) return [batchBuffer(pk.batch), indexStart(pk), indexLength(pk)];
    if (!pk && op.xjb) return this.recovered(op.xjb);
    const o = pk ? this.arena.storeBytes(indexBytesOf(pk)) : this.arena.store(json!);
    return [this.arena.lastSlab, o, this.arena.lastLength];
  }
}

function adoptedBatches(rec: TxRecord): Set<PackedBatch> | undefined {
  let counts: Map<PackedBatch, number> | undefined;
  for (const op of rec.ops) {
    if (!op.pk) continue;
    counts ??= new Map();
    counts.set(op.pk.batch, (counts.get(op.pk.batch) ?? 0) + 1);
  }
  if (!counts) return undefined;
  const out = new Set<PackedBatch>();
  for (const [b, n] of counts) if (n >= 0.9 * validCount(b)) out.add(b);
  return out;
}
