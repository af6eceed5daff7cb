import { promises as fsp } from 'node:fs';
import type { Journal } from './journal.js';
import { fsyncDir } from './line-file.js';
import type { Ver } from './records.js';
import { writeSnapshot } from './snapshot.js';

/**
 * Journal compaction. Triggered when the live journal segments hold more than
 * max(compactBytes, size of the last snapshot) bytes, so rewriting the snapshot costs O(1)
 * amortized per journaled byte.
 *
 * Steps: switch the journal to a fresh segment at the current sequence S (called under the
 * writer lock, so at a transaction boundary); write versions 1..S to a new snapshot in chunks
 * while writers keep appending to the new segment; rename it into place; drop the old segments.
 * A crash at any step leaves a snapshot (old or new) plus segments that cover everything after
 * it; recovery skips records the snapshot already holds.
 */
export class Compactor {
  snapshotBytes = 0;
  compactions = 0;
  lastError?: string;
  private running?: Promise<void>;
  private retryAt = 0;

  constructor(
    private readonly dir: string,
    private readonly journal: Journal,
    private readonly compactBytes: number,
    private readonly fsync: boolean,
  ) {}

  private due(): boolean {
    return !this.journal.failed && this.journal.bytes > Math.max(this.compactBytes, this.snapshotBytes);
  }

  /** Called under the writer lock right after a commit was appended; never waits. */
  maybeStart(seq: number, log: readonly Ver[]): void {
    if (this.running || !this.due() || Date.now() < this.retryAt) return;
    this.running = this.run(seq, log)
      .catch((e: unknown) => {
        // The journal is intact, so nothing is lost; try again a minute later (e.g. after a full disk).
        this.lastError = String(e);
        this.retryAt = Date.now() + 60_000;
      })
      .finally(() => {
        this.running = undefined;
      });
  }

  /** At close: waits for a running compaction, then compacts once more if due. */
  async finish(seq: number, log: readonly Ver[]): Promise<void> {
    await this.running;
    if (this.due()) await this.run(seq, log).catch(() => undefined);
  }

  private async run(upto: number, log: readonly Ver[]): Promise<void> {
    const old = await this.journal.rotate(upto + 1);
    this.snapshotBytes = await writeSnapshot(this.dir, log, upto, this.fsync);
    this.journal.forget(old);
    for (const p of old) {
      try {
        // off the store's thread: freeing a large file's blocks takes the kernel a while
        await fsp.unlink(p);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
      }
    }
    if (this.fsync) fsyncDir(this.dir);
    this.compactions++;
    this.lastError = undefined;
  }
}
