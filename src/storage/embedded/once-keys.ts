import { existsSync, readFileSync } from 'node:fs';
import { open, rename, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { fsyncDirAsync } from './line-file.js';

/**
 * One-time keys (client assertion `jti`s, RFC 7523 §3) remembered durably until they expire, in
 * `DATA_DIR/once-keys.log`: one line `<expires-ms> <key>` per claim, read back at start (so a
 * restart does not forget them) and rewritten without the expired ones when it has grown. Claims
 * are checked and recorded in memory synchronously, so two concurrent claims of one key in this
 * process cannot both win; a claim is answered once its line is on disk. The appends are grouped:
 * the claims made while a write and fdatasync run share the next one, and none of it runs on the
 * event loop (a synchronous fsync per token request held every other request for its duration). The data directory is locked to one process
 * (dir-lock.ts), so instances cannot share it: instances that must refuse each other's replays
 * share a MongoDB store instead.
 */
const FILE = 'once-keys.log';
const KEY = /^[A-Za-z0-9_-]{1,128}$/;

export class OnceKeys {
  private readonly live = new Map<string, number>();
  private lines = 0;
  /** lines claimed and not yet in a write round */
  private pending: string[] = [];
  /** the round that will take the pending lines (not started yet) */
  private queued: Promise<void> | undefined;
  /** the rounds in order: one write and fdatasync at a time */
  private chain: Promise<void> = Promise.resolve();
  private fh: FileHandle | undefined;
  private roundCount = 0;

  constructor(private readonly dir: string, private readonly fsync: boolean, private readonly maxEntries = 1_000_000) {}

  async load(now = Date.now()): Promise<void> {
    const path = join(this.dir, FILE);
    if (existsSync(path)) {
      for (const line of readFileSync(path, 'utf8').split('\n')) {
        const sp = line.indexOf(' ');
        const exp = Number(line.slice(0, sp));
        const key = line.slice(sp + 1);
        // a torn last line (a crash mid-append) is skipped: that claim was never acknowledged
        if (sp > 0 && Number.isFinite(exp) && KEY.test(key) && exp > now) this.live.set(key, Math.max(exp, this.live.get(key) ?? 0));
      }
    }
    await this.rewrite();
  }

  /** False when `key` is already claimed and unexpired (or too many are); otherwise records it durably. */
  async claim(key: string, expiresAtMs: number, now = Date.now()): Promise<boolean> {
    if (!KEY.test(key)) throw new Error('once-key must be a short base64url or hex string');
    const prev = this.live.get(key);
    if (prev !== undefined && prev > now) return false;
    if (this.live.size >= this.maxEntries) this.purge(now);
    if (this.live.size >= this.maxEntries) return false;
    this.live.set(key, expiresAtMs);
    this.pending.push(`${expiresAtMs} ${key}\n`);
    await this.nextRound();
    return true;
  }

  /** Write rounds run so far (for tests: concurrent claims share one). */
  get rounds(): number {
    return this.roundCount;
  }

  async close(): Promise<void> {
    await this.chain;
    await this.fh?.close();
    this.fh = undefined;
  }

  /** The round that will write the lines pending now: the queued one, or a new one after the running one. */
  private nextRound(): Promise<void> {
    if (this.queued) return this.queued;
    const round = this.chain.then(() => {
      this.queued = undefined;
      return this.writeRound();
    });
    this.queued = round;
    this.chain = round.catch(() => undefined);
    return round;
  }

  private async writeRound(): Promise<void> {
    const text = this.pending.join('');
    const n = this.pending.length;
    this.pending = [];
    this.roundCount++;
    if (this.lines + n > 2 * this.live.size + 10_000) {
      // grown: the live keys only (they include this round's), written beside and renamed in
      this.purge(Date.now());
      await this.fh?.close();
      this.fh = undefined;
      await this.rewrite();
      return;
    }
    this.fh ??= await open(join(this.dir, FILE), 'a');
    await this.fh.write(text);
    if (this.fsync) await this.fh.datasync();
    this.lines += n;
  }

  private purge(now: number): void {
    for (const [k, exp] of this.live) if (exp <= now) this.live.delete(k);
  }

  /** The file with the live keys only, renamed into place (never torn). */
  private async rewrite(): Promise<void> {
    const path = join(this.dir, FILE);
    const tmp = `${path}.tmp`;
    const fh = await open(tmp, 'w');
    try {
      let text = '';
      for (const [k, exp] of this.live) text += `${exp} ${k}\n`;
      await fh.write(text);
      if (this.fsync) await fh.datasync();
    } finally {
      await fh.close();
    }
    await rename(tmp, path);
    if (this.fsync) await fsyncDirAsync(this.dir);
    this.lines = this.live.size;
  }
}
