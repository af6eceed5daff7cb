import type { Terms } from './index-terms.js';
import type { OpRecord, TxRecord } from './records.js';

/**
 * Index terms (index-terms.ts) of serialized search indexes: resource i is of type `types[i]`, its
 * UTF-8 JSON at `spans[3i + 1]`, `spans[3i + 2]` bytes long, in `chunks[spans[3i]]` (the read
 * chunks of line-file.ts, shared memory). What worker threads answer for recovery
 * (src/prepare/pool.ts `termsOf`); the store does not know where it runs.
 */
export type TermsOfBytes = (types: string[], chunks: ArrayBufferLike[], spans: Int32Array) => Promise<Terms>;

/** Recovered writes whose terms are built together (default), and jobs in flight at once (two workers, one queued each). */
export const JOB_OPS = 2000;
const IN_FLIGHT = 4;

/**
 * Start-up replay of the snapshot and journal, in commit order. Most of recovery's time (about
 * 85 µs per Variant) is parsing every serialized index and building its index terms: with a
 * `termsOf`, runs of records have that done on worker threads while this thread applies the
 * runs before them, and reading waits when IN_FLIGHT runs are pending (so the records in hand
 * stay bounded). The terms are the ones the store's thread would build (same builder), and the
 * records are applied in the same order, so the recovered state is the same; a job that fails
 * leaves its records to be applied the plain way.
 */
export class Replay {
  /** Sequence number of the last write handed in (a record's writes are numbered from its `seq` on). */
  lastSeq = 0;
  /** Jobs that failed (their writes were indexed on this thread). */
  failedJobs = 0;
  private run: TxRecord[] = [];
  private runOps = 0;
  private readonly pending: Array<{ recs: TxRecord[]; terms: Promise<Terms | undefined> }> = [];
  /** Runs are applied one after another, in order, whoever asks (reading, `finish`). */
  private applying: Promise<void> = Promise.resolve();

  constructor(
    private readonly apply: (rec: TxRecord) => void,
    private readonly termsOf?: TermsOfBytes,
    private readonly jobOps = JOB_OPS,
  ) {}

  push(rec: TxRecord): Promise<void> | void {
    if (!rec.rx) this.lastSeq = rec.seq + rec.ops.length - 1; // an index record takes no sequence number
    if (!this.termsOf) return this.apply(rec);
    this.run.push(rec);
    // every write counts, with an index or not (deletes, old versions, earlier journal formats):
    // otherwise records without one would pile up unapplied
    this.runOps += rec.ops.length;
    if (this.runOps >= this.jobOps) return this.dispatch();
  }

  /** Applies everything handed in so far (before start-up refuses a damaged file or cuts a torn tail). */
  async finish(): Promise<void> {
    if (this.run.length) this.dispatch();
    while (this.pending.length) await this.applyNext();
    await this.applying;
  }

  private dispatch(): Promise<void> | void {
    const recs = this.run;
    this.run = [];
    this.runOps = 0;
    const types: string[] = [];
    const chunks: ArrayBufferLike[] = [];
    const spans: number[] = [];
    for (const rec of recs) {
      for (const op of rec.ops) {
        if (!hasIndexBytes(op)) continue;
        const x = op.xjb!;
        if (chunks[chunks.length - 1] !== x.buffer) chunks.push(x.buffer);
        types.push(op.t);
        spans.push(chunks.length - 1, x.byteOffset, x.length);
      }
    }
    const terms = types.length ? this.termsOf!(types, chunks, Int32Array.from(spans)).catch((e: unknown) => this.failed(e)) : Promise.resolve(undefined);
    this.pending.push({ recs, terms });
    if (this.pending.length >= IN_FLIGHT) return this.applyNext();
  }

  private failed(e: unknown): undefined {
    // correct either way (this thread builds the terms), but a slow start should say why
    if (this.failedJobs++ === 0) process.emitWarning(`Recovery: index terms could not be built on a worker thread (${String((e as Error)?.message ?? e)}); building them on the store's thread`);
    return undefined;
  }

  private applyNext(): Promise<void> {
    const { recs, terms } = this.pending.shift()!;
    this.applying = this.applying.then(async () => {
      const t = await terms;
      let r = 0;
      for (const rec of recs) {
        if (t) for (const op of rec.ops) if (hasIndexBytes(op)) op.rt = [t, r++];
        this.apply(rec);
      }
    });
    return this.applying;
  }
}

/** A recovered live write whose index comes as bytes (what `TermsOfBytes` takes). */
function hasIndexBytes(op: OpRecord): boolean {
  return !op.del && op.jb !== undefined && op.xjb !== undefined;
}
