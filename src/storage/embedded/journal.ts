import { promises as fsp, openSync, fstatSync, readSync, ftruncateSync, closeSync } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';

/**
 * Append-only journal of committed transactions, one JSON line per transaction.
 * Durability: `append` resolves only after the bytes are fdatasync'ed. Concurrent appends are
 * grouped: whatever arrives while one fsync runs goes out together in the next write + fsync, so
 * 16 concurrent writers cost about one fsync per round, not sixteen.
 * Recovery: a torn tail (a crash mid-write leaves a line without its newline, or garbage) is cut
 * off at the last complete, parseable line.
 */
export class Journal {
  private fh?: FileHandle;
  private pending: Array<{ line: string; resolve: () => void; reject: (e: unknown) => void }> = [];
  private flushing = false;
  private size = 0;

  constructor(
    readonly path: string,
    private readonly fsync: boolean,
  ) {}

  /** Reads every complete record, truncating a torn tail. Call before open(). */
  static recover(path: string): { records: unknown[]; truncatedBytes: number } {
    let fd: number;
    try {
      fd = openSync(path, 'r+');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return { records: [], truncatedBytes: 0 };
      throw e;
    }
    try {
      const size = fstatSync(fd).size;
      const buf = Buffer.allocUnsafe(size);
      let off = 0;
      while (off < size) off += readSync(fd, buf, off, size - off, off);
      const records: unknown[] = [];
      let start = 0;
      let good = 0;
      while (start < size) {
        const nl = buf.indexOf(10, start);
        if (nl < 0) break; // no newline: torn write
        try {
          records.push(JSON.parse(buf.toString('utf8', start, nl)));
        } catch {
          break; // garbage: everything after the last good line is discarded
        }
        start = nl + 1;
        good = start;
      }
      if (good < size) ftruncateSync(fd, good);
      return { records, truncatedBytes: size - good };
    } finally {
      closeSync(fd);
    }
  }

  async open(): Promise<void> {
    this.fh = await fsp.open(this.path, 'a');
    this.size = (await this.fh.stat()).size;
  }

  get bytes(): number {
    return this.size;
  }

  append(record: unknown): Promise<void> {
    const line = JSON.stringify(record) + '\n';
    return new Promise((resolve, reject) => {
      this.pending.push({ line, resolve, reject });
      if (!this.flushing) void this.flush();
    });
  }

  private async flush(): Promise<void> {
    this.flushing = true;
    while (this.pending.length) {
      const batch = this.pending;
      this.pending = [];
      try {
        const data = batch.map((b) => b.line).join('');
        await this.fh!.write(data);
        if (this.fsync) await this.fh!.datasync();
        this.size += Buffer.byteLength(data);
        for (const b of batch) b.resolve();
      } catch (e) {
        for (const b of batch) b.reject(e);
      }
    }
    this.flushing = false;
  }

  /** Waits for pending appends, then closes. */
  async close(): Promise<void> {
    while (this.flushing || this.pending.length) await new Promise((r) => setTimeout(r, 1));
    await this.fh?.close();
    this.fh = undefined;
  }

  /** Replaces the journal with an empty one (after a snapshot made its content redundant). */
  async reset(): Promise<void> {
    await this.close();
    await fsp.writeFile(this.path, '');
    await this.open();
  }
}
