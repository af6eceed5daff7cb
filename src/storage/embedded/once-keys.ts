import { closeSync, existsSync, fsyncSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { fsyncDir } from './line-file.js';

/**
 * One-time keys (client assertion `jti`s, RFC 7523 §3) remembered durably until they expire, in
 * `DATA_DIR/once-keys.log`: one line `<expires-ms> <key>` appended and fsynced per claim, read
 * back at start (so a restart does not forget them) and rewritten without the expired ones when
 * it has grown. Claims are checked and recorded in memory synchronously, so two concurrent claims
 * of one key in this process cannot both win. The data directory is locked to one process
 * (dir-lock.ts), so instances cannot share it: instances that must refuse each other's replays
 * share a MongoDB store instead.
 */
const FILE = 'once-keys.log';
const KEY = /^[A-Za-z0-9_-]{1,128}$/;

export class OnceKeys {
  private readonly live = new Map<string, number>();
  private lines = 0;
  private fd: number | undefined;

  constructor(private readonly dir: string, private readonly fsync: boolean, private readonly maxEntries = 1_000_000) {}

  load(now = Date.now()): void {
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
    this.rewrite();
  }

  /** False when `key` is already claimed and unexpired (or too many are); otherwise records it durably. */
  claim(key: string, expiresAtMs: number, now = Date.now()): boolean {
    if (!KEY.test(key)) throw new Error('once-key must be a short base64url or hex string');
    const prev = this.live.get(key);
    if (prev !== undefined && prev > now) return false;
    if (this.live.size >= this.maxEntries) this.purge(now);
    if (this.live.size >= this.maxEntries) return false;
    this.live.set(key, expiresAtMs);
    if (this.lines > 2 * this.live.size + 10_000) {
      this.purge(now);
      this.rewrite();
      return true;
    }
    this.fd ??= openSync(join(this.dir, FILE), 'a');
    writeSync(this.fd, `${expiresAtMs} ${key}\n`);
    if (this.fsync) fsyncSync(this.fd);
    this.lines++;
    return true;
  }

  close(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }

  private purge(now: number): void {
    for (const [k, exp] of this.live) if (exp <= now) this.live.delete(k);
  }

  /** The file with the live keys only, renamed into place (never torn). */
  private rewrite(): void {
    this.close();
    const path = join(this.dir, FILE);
    const tmp = `${path}.tmp`;
    const fd = openSync(tmp, 'w');
    try {
      let text = '';
      for (const [k, exp] of this.live) text += `${exp} ${k}\n`;
      writeSync(fd, text);
      if (this.fsync) fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, path);
    if (this.fsync) fsyncDir(this.dir);
    this.lines = this.live.size;
  }
}
