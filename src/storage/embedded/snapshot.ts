import { promises as fsp, existsSync, renameSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import { fsyncDir, readRecordLines } from './line-file.js';
import { frameHeader, frameSize, writeFrame } from './frame.js';
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
      // One buffer per chunk: a buffer per version made allocation the main cost of compaction
      const lines: Array<[Buffer, ReturnType<typeof piecesOf>]> = [];
      let size = 0;
      for (let j = i; j < Math.min(upto, i + CHUNK); j++) {
        const ver = log[j];
        const e = ver.e;
        const pieces = piecesOf(ver);
        const header = frameHeader(ver.seq, ver.lu, [{ t: e.t, id: e.id, v: ver.v, del: ver.b === undefined ? true : undefined }], [pieces]);
        size += frameSize(header, [pieces]);
        lines.push([header, pieces]);
      }
      const buf = Buffer.allocUnsafe(size);
      let pos = 0;
      for (const [header, pieces] of lines) pos = writeFrame(buf, pos, header, [pieces]);
      let off = 0;
      while (off < buf.length) off += (await fh.write(buf, off, buf.length - off)).bytesWritten;
      bytes += buf.length;
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
export function readSnapshot(dir: string, onRecord: (rec: TxRecord) => void): number {
  const path = join(dir, SNAPSHOT);
  if (existsSync(join(dir, TMP))) unlinkSync(join(dir, TMP)); // left by a crash mid-compaction
  if (!existsSync(path)) return 0;
  const { size, goodBytes } = readRecordLines(path, onRecord);
  if (goodBytes < size) throw new Error(`Snapshot ${path} is damaged at byte ${goodBytes}; refusing to start`);
  return size;
}
