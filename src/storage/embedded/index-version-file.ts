import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fsyncDir } from './line-file.js';

/**
 * The store's index version (src/search/index-version.ts) in a file of its own beside the
 * journal: `{"indexVersion":"…"}`. Replaced atomically (temporary file, rename, directory fsync),
 * and only after the reindex it describes is durable: a crash before leaves the old version, so
 * the start-up warning stays until a complete run.
 */
export const INDEX_VERSION_FILE = 'index-version.json';

export function readIndexVersion(dir: string): string | undefined {
  const path = join(dir, INDEX_VERSION_FILE);
  if (!existsSync(path)) return undefined;
  const v = (JSON.parse(readFileSync(path, 'utf8')) as { indexVersion?: unknown }).indexVersion;
  return typeof v === 'string' ? v : undefined;
}

export function writeIndexVersion(dir: string, version: string, fsync: boolean): void {
  const path = join(dir, INDEX_VERSION_FILE);
  const tmp = `${path}.tmp`;
  writeFileSync(tmp, `${JSON.stringify({ indexVersion: version })}\n`, { flush: fsync });
  renameSync(tmp, path);
  if (fsync) fsyncDir(dir);
}
