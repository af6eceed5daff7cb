import type { ProgressInfo } from './types.js';

/** Where progress goes: process.stderr, or a test's stand-in. */
export interface ProgressOut {
  isTTY?: boolean;
  columns?: number;
  write(s: string): unknown;
}

export interface ProgressReporter {
  /** The import read this far (ImportHooks.onProgress). */
  update(p: ProgressInfo): void;
  /** The import committed: the one 100% line. */
  finish(p: Pick<ProgressInfo, 'records' | 'variants'>): void;
  /** The import failed: end the bar's line so the error starts on its own. */
  abort(): void;
}

const BAR = 30;
/** A terminal that does not say its width is taken to be this wide. */
const DEFAULT_COLUMNS = 80;
/** Between two plain (log) lines. */
const PLAIN_EVERY_MS = 5000;

/**
 * The import-vcf CLI's progress: a bar redrawn in place on a terminal, a plain line every few
 * seconds elsewhere (a log or a pipe gets no carriage returns or escapes).
 *
 * The fraction is of the input's bytes (compressed bytes for a gzip file, against the file's size):
 * records are counted only once mapped, while the reader runs ahead (worker windows, stream buffers,
 * gunzip's input), so the bytes of a whole file are read well before its last record is counted,
 * and storing and committing come after that. So a running import shows at most 99%, and 100% is
 * printed once, by finish(), when the import is stored.
 * A redrawn line longer than the terminal wraps, and `\r` then returns to its last row only: every
 * redraw would leave a line behind. It is cut to the terminal's width.
 */
export function progressReporter(out: ProgressOut, totalBytes: number, now: () => number = Date.now): ProgressReporter {
  const started = now();
  let shown = 0;
  let lastPlain = -Infinity; // the first update prints: the log shows the import is running
  let drawn = false;
  let finished = false;
  const stats = (p: Pick<ProgressInfo, 'records' | 'variants'>) => {
    const secs = (now() - started) / 1000;
    const rate = secs > 0 ? Math.round(p.records / secs) : 0;
    const n = (x: number) => x.toLocaleString('en-US');
    return `${n(p.records)} records, ${n(p.variants)} variants, ${n(rate)} records/s`;
  };
  const line = (pct: number, text: string): string => {
    if (!out.isTTY) return `progress: ${pct}% ${text}\n`;
    const width = Math.max(1, (out.columns || DEFAULT_COLUMNS) - 1);
    const tail = ` ${String(pct).padStart(3)}% ${text}`;
    const bar = Math.min(BAR, width - tail.length - 2);
    const head = bar >= 10 ? `[${'#'.repeat(Math.round((pct / 100) * bar))}${'.'.repeat(bar - Math.round((pct / 100) * bar))}]` : '';
    return `\r${(head + tail).trimStart().slice(0, width)}\x1b[K`;
  };
  return {
    update(p) {
      if (finished) return;
      // floor, not rounding: 99.6% is not done
      const pct = totalBytes > 0 ? Math.min(99, Math.floor((p.bytesRead / totalBytes) * 100)) : 0;
      // a retried transaction (MongoDB) reads the file again: the bar does not go back
      shown = Math.max(shown, pct);
      if (out.isTTY) {
        out.write(line(shown, stats(p)));
        drawn = true;
      } else if (now() - lastPlain >= PLAIN_EVERY_MS) {
        lastPlain = now();
        out.write(line(shown, stats(p)));
      }
    },
    finish(p) {
      if (finished) return;
      finished = true;
      out.write(line(100, stats(p)) + (out.isTTY ? '\n' : ''));
    },
    abort() {
      if (finished) return;
      finished = true;
      if (drawn) out.write('\n');
    },
  };
}
