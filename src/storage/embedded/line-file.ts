import { openSync, fstatSync, readSync, ftruncateSync, closeSync, fsyncSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { decodeLine } from './frame.js';
import type { TxRecord } from './records.js';

const CHUNK = 16 * 1024 * 1024;

/**
 * Reads a journal or snapshot file record by record (lines in the format of frame.ts), in bounded
 * chunks (a snapshot can be far larger than the biggest string V8 allows, so it is never read as
 * one string). Stops at the first line that is incomplete (no newline: a torn write) or does not
 * decode (garbage), and reports the byte offset where the good prefix ends.
 *
 * Every chunk is a buffer of its own that is never written again, so a record's payload views
 * stay valid after it is yielded: recovery keeps them as the stored bytes instead of copying them
 * (payloads.ts). A line cut by the chunk's end is carried into the next chunk, which is read
 * at least as large as what it carries (a line longer than a chunk costs no quadratic copying).
 * The generator's return value is that report.
 */
export function* recordLines(path: string, chunkBytes = CHUNK): Generator<TxRecord, { size: number; goodBytes: number }> {
  const fd = openSync(path, 'r');
  try {
    const size = fstatSync(fd).size;
    let carry: Buffer<ArrayBufferLike> = Buffer.alloc(0);
    let pos = 0; // file offset of carry[0]
    let good = 0;
    let readOff = 0;
    while (readOff < size) {
      const want = Math.min(Math.max(chunkBytes, carry.length), size - readOff);
      // Shared memory: worker threads read the indexes in it where they lie (replay.ts)
      const buf = Buffer.from(new SharedArrayBuffer(carry.length + want));
      carry.copy(buf, 0);
      let n = 0;
      while (n < want) n += readSync(fd, buf, carry.length + n, want - n, readOff + n);
      readOff += n;
      let start = 0;
      for (;;) {
        const nl = buf.indexOf(10, start);
        if (nl < 0) break;
        let rec: TxRecord;
        try {
          rec = decodeLine(buf, start, nl);
        } catch {
          return { size, goodBytes: good };
        }
        yield rec;
        start = nl + 1;
        good = pos + start;
      }
      carry = buf.subarray(start);
      pos += start;
    }
    return { size, goodBytes: good };
  } finally {
    closeSync(fd);
  }
}

/**
 * `recordLines` with a callback that may answer a promise: reading waits for it (recovery holds
 * back while worker threads catch up, so it never has the whole file's records in hand at once).
 */
export async function replayRecordLines(
  path: string, onRecord: (rec: TxRecord) => void | Promise<void>, chunkBytes = CHUNK,
): Promise<{ size: number; goodBytes: number }> {
  const it = recordLines(path, chunkBytes);
  try {
    for (;;) {
      const n = it.next();
      if (n.done) return n.value;
      const wait = onRecord(n.value);
      if (wait) await wait;
    }
  } finally {
    it.return({ size: 0, goodBytes: 0 }); // closes the file when onRecord threw
  }
}

/** Cuts a file back to `length` bytes and makes the cut durable. */
export function truncateDurably(path: string, length: number): void {
  const fd = openSync(path, 'r+');
  try {
    ftruncateSync(fd, length);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** fsyncDir off the event loop (for writes a request waits on). */
export async function fsyncDirAsync(dir: string): Promise<void> {
  const fh = await open(dir, 'r');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}

/** Makes file creations, renames and deletions inside `dir` durable (POSIX needs a directory fsync). */
export function fsyncDir(dir: string): void {
  const fd = openSync(dir, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}
