import { promises as fsp, readdirSync } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { fsyncDir, replayRecordLines, truncateDurably } from './line-file.js';
import type { TxRecord } from './records.js';

export interface JournalOptions {
  /** fdatasync every batch (off only in throwaway tests). */
  fsync: boolean;
  /** Called after each fsync round with the number of records it made durable (tests count rounds). */
  onSync?: (records: number) => void;
}

interface Pending {
  /** A line, as the buffers it is made of (frame.ts `frameParts`). */
  line?: Buffer[];
  /** Control item: switch to this new segment once every earlier line is durable. */
  rotateTo?: string;
  resolve: () => void;
  reject: (e: unknown) => void;
}

const LEGACY = 'journal.ndjson';
const SEGMENT = /^journal-(\d{16})\.ndjson$/;

/**
 * Append-only journal of committed transactions, one line per transaction (frame.ts), split into
 * segments `journal-<first seq>.ndjson` so that compaction can switch to a fresh segment at once
 * and drop the old ones after the snapshot that covers them is durable.
 *
 * Durability: `append` resolves only after the bytes are fdatasync'ed. Group commit: whatever
 * arrives while one write + fsync runs goes out together in the next one, so 16 concurrent
 * writers cost about one fsync per round, not sixteen.
 * Recovery: a torn tail of the last segment (a crash mid-write leaves a line without its newline,
 * or garbage) is cut off at the last complete, parseable line; damage anywhere else is refused.
 */
export class Journal {
  private fh?: FileHandle;
  private current = '';
  private pending: Pending[] = [];
  private flushing = false;
  private failure: unknown;
  /** Live segment path -> size in bytes. */
  private readonly sizes = new Map<string, number>();

  constructor(
    readonly dir: string,
    private readonly opts: JournalOptions,
  ) {}

  static segmentName(firstSeq: number): string {
    return `journal-${String(firstSeq).padStart(16, '0')}.ndjson`;
  }

  /** Segment paths in replay order. */
  segments(): string[] {
    const names = readdirSync(this.dir).filter((n) => n === LEGACY || SEGMENT.test(n));
    names.sort((a, b) => (a === LEGACY ? -1 : b === LEGACY ? 1 : a < b ? -1 : a > b ? 1 : 0));
    return names.map((n) => join(this.dir, n));
  }

  /**
   * Replays every segment in order (reading waits on a promise `onRecord` answers; `settle`
   * applies what `onRecord` holds back). Returns how many torn bytes were cut off the last one.
   */
  async recover(onRecord: (rec: TxRecord) => void | Promise<void>, settle?: () => Promise<void>): Promise<{ truncatedBytes: number }> {
    const segs = this.segments();
    let truncatedBytes = 0;
    for (let i = 0; i < segs.length; i++) {
      const path = segs[i];
      const { size, goodBytes } = await replayRecordLines(path, onRecord);
      if (goodBytes < size) {
        // what was read before the damage is applied first: an error in it refuses the start
        // before the file is touched, as a replay record by record would
        await settle?.();
        if (i < segs.length - 1) throw new Error(`Journal segment ${path} is damaged at byte ${goodBytes}; refusing to start`);
        truncateDurably(path, goodBytes);
        truncatedBytes = size - goodBytes;
      }
      this.sizes.set(path, goodBytes);
    }
    return { truncatedBytes };
  }

  /** Opens the last segment for appending, or creates the first one. Call after recover(). */
  async open(nextSeq: number): Promise<void> {
    const segs = this.segments();
    const path = segs.length ? segs[segs.length - 1] : join(this.dir, Journal.segmentName(nextSeq));
    await this.openSegment(path);
  }

  private async openSegment(path: string): Promise<void> {
    const created = !this.sizes.has(path);
    this.fh = await fsp.open(path, 'a');
    this.current = path;
    if (created) {
      this.sizes.set(path, 0);
      fsyncDir(this.dir);
    }
  }

  /** Bytes held by live segments: what a compaction would fold into the snapshot. */
  get bytes(): number {
    let n = 0;
    for (const s of this.sizes.values()) n += s;
    return n;
  }

  /** Set once a write or fsync failed: the journal refuses further work (the process must restart). */
  get failed(): unknown {
    return this.failure;
  }

  /** Appends one line (ending in a newline: see frame.ts), whole or as its parts in order. */
  append(line: Buffer | Buffer[]): Promise<void> {
    return this.enqueue({ line: Array.isArray(line) ? line : [line] });
  }

  /** Resolves once everything appended so far is durable. */
  barrier(): Promise<void> {
    if (!this.flushing && !this.pending.length) return this.failure ? Promise.reject(this.failure) : Promise.resolve();
    return this.enqueue({});
  }

  /**
   * Starts a new segment for every record appended after this call; resolves with the paths of
   * the previous segments once all their records are durable and the new segment exists.
   */
  async rotate(nextSeq: number): Promise<string[]> {
    const path = join(this.dir, Journal.segmentName(nextSeq));
    const old = [...this.sizes.keys()];
    await this.enqueue({ rotateTo: path });
    return old.filter((p) => p !== path);
  }

  /** Forgets segments whose content a durable snapshot now holds (the caller deletes the files). */
  forget(paths: string[]): void {
    for (const p of paths) if (p !== this.current) this.sizes.delete(p);
  }

  private enqueue(item: Omit<Pending, 'resolve' | 'reject'>): Promise<void> {
    if (this.failure) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => {
      this.pending.push({ ...item, resolve, reject });
      if (!this.flushing) void this.flush();
    });
  }

  private async flush(): Promise<void> {
    this.flushing = true;
    while (this.pending.length) {
      let n = 0;
      while (n < this.pending.length && this.pending[n].line !== undefined) n++;
      const batch = n ? this.pending.splice(0, n) : this.pending.splice(0, 1);
      try {
        if (this.failure) throw this.failure;
        if (n) await this.writeBatch(batch);
        else if (batch[0].rotateTo) await this.switchTo(batch[0].rotateTo);
        for (const b of batch) b.resolve();
        // With concurrent writers, let the ones just acknowledged commit their next transaction
        // before the next round starts, so rounds carry every writer instead of alternating halves.
        if (n > 1) await new Promise((r) => setImmediate(r));
      } catch (e) {
        // After a failed write or fsync the file state is unknown (fsync errors are not retryable):
        // fail this batch and everything after it.
        this.failure ??= e;
        for (const b of batch) b.reject(e);
      }
    }
    this.flushing = false;
  }

  private async writeBatch(batch: Pending[]): Promise<void> {
    const parts = batch.length === 1 ? batch[0].line! : batch.flatMap((b) => b.line!);
    const bytes = await writeAll(this.fh!, parts);
    if (this.opts.fsync) {
      await this.fh!.datasync();
      this.opts.onSync?.(batch.length);
    }
    this.sizes.set(this.current, (this.sizes.get(this.current) ?? 0) + bytes);
  }

  private async switchTo(path: string): Promise<void> {
    await this.fh!.close();
    await this.openSegment(path);
  }

  /** Waits for pending appends, then closes. */
  async close(): Promise<void> {
    await this.barrier().catch(() => undefined);
    await this.fh?.close();
    this.fh = undefined;
  }
}

/**
 * Writes every buffer in order with gathered writes (libuv splits them at IOV_MAX); a short write
 * goes on from where it stopped. Returns the bytes written.
 */
export async function writeAll(fh: FileHandle, parts: Buffer[]): Promise<number> {
  let total = 0;
  for (const p of parts) total += p.length;
  let done = 0;
  let rest = parts;
  while (done < total) {
    const n = (await fh.writev(rest)).bytesWritten;
    if (n <= 0) throw new Error('write made no progress');
    done += n;
    if (done >= total) break;
    // drop the buffers written whole, cut the one written in part
    let skip = n;
    let i = 0;
    while (skip >= rest[i].length) skip -= rest[i++].length;
    rest = [rest[i].subarray(skip), ...rest.slice(i + 1)];
  }
  return total;
}
