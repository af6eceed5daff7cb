import { closeSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import { join } from 'node:path';

/**
 * One process at a time per data directory. Two processes appending to one journal would each
 * hold a different in-memory state and corrupt the data (e.g. `npm run import-vcf` or
 * `npm run seed` pointed at the directory of a running server). The lock file holds the owner's
 * pid; a lock left by a process that no longer exists (kill -9, power loss) is taken over.
 */
export const LOCK_FILE = 'LOCK';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export function acquireDirLock(dir: string): () => void {
  const path = join(dir, LOCK_FILE);
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const fd = openSync(path, 'wx', 0o600);
      writeSync(fd, String(process.pid));
      closeSync(fd);
      let released = false;
      return () => {
        if (released) return;
        released = true;
        try {
          unlinkSync(path);
        } catch {
          /* already gone */
        }
      };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      const owner = Number(readFileSync(path, 'utf8').trim());
      // Our own pid: a store of this process that was never closed (tests simulating a crash).
      if (Number.isInteger(owner) && owner > 0 && owner !== process.pid && alive(owner)) {
        throw new Error(
          `The data directory ${dir} is in use by process ${owner} (a running server?). ` +
            'Stop it first, or send the data through its HTTP API ($import-vcf; npm run seed does so by itself).',
        );
      }
      unlinkSync(path); // stale: its owner is gone
    }
  }
  throw new Error(`Could not lock the data directory ${dir}`);
}
