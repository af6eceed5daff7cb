import { promises as fsp, existsSync, renameSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import { fsyncDir, replayRecordLines } from './line-file.js';
import { frameParts } from './frame.js';
import { writeAll } from './journal.js';
import { piecesOf, type TxRecord, type Ver } from './records.js';

export const SNAPSHOT = 'snapshot.ndjson';
const TMP = 'snapshot.ndjson.tmp';
/** Versions serialized per write; between chunks the event loop runs, so writers keep going. */
const CHUNK = 2000;

/**
 * Writes every version in `log[0 .. upto)` to a new snapshot, atomically: a temporary file,
 * fsync'ed, renamed over the old snapshot, then the directory fsync'ed so the rename is durable.
 * A crash at any point leaves either the old snapshot or the new one, never a mix.
 * Each line has the journal's format (frame.ts), so recovery reads snapshot and journal alike.
 * Returns the snapshot's size in bytes.
 */
export async function writeSnapshot(dir: string, log: readonly Ver[], upto: number, fsync: boolean): Promise<number> {
  const tmp = join(dir, TMP);
  const fh = await fsp.open(tmp, 'w');
  let bytes = 0;
  try {
    for (let i = 0; i < upto; i += CHUNK) {
      // Views of the slabs, written with one gathered write per chunk: copying them into a
      // buffer first made that copy the main cost of compaction, on the store's thread.
      const parts: Buffer[] = [];
      for (let j = i; j < Math.min(upto, i + CHUNK); j++) {
        const ver = log[j];
        const e = ver.e;
        const pieces = piecesOf(ver);
        for (const b of frameParts(ver.seq, ver.lu, [{ t: e.t, id: e.id, v: ver.v, del: ver.b === undefined ? true : undefined }], [pieces])) parts.push(b);
      }
      bytes += await writeAll(fh, parts);
    }
    if (fsync) await fh.sync();
  } finally {
    await fh.close();
  }
  renameSync(tmp, join(dir, SNAPSHOT));
  if (fsync) fsyncDir(dir);
  return bytes;
}

/** Replays the snapshot, if any. A snapshot is never torn (it is renamed into place), so damage is an error. */
export async function readSnapshot(dir: string, onRecord: (rec: TxRecord) => void | Promise<void>, settle?: () => Promise<void>): Promise<number> {
  const path = join(dir, SNAPSHOT);
  if (existsSync(join(dir, TMP))) unlinkSync(join(dir, TMP)); // left by a crash mid-compaction
  if (!existsSync(path)) return 0;
  const { size, goodBytes } = await replayRecordLines(path, onRecord);
  if (goodBytes < size) await settle?.(); // an error in what came before is the one to report
  if (goodBytes < size) throw new Error(`Snapshot ${path} is damaged at byte ${goodBytes}; refusing to start`);
  return size;
}
