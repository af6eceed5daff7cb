import { availableParallelism } from 'node:os';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { Resource } from '@medplum/fhirtypes';
import { prepareChunk, unpackChunk, type Prepared, type PreparedChunk } from './prepare.js';
import { termsOfBytes } from './terms-of-bytes.js';
import type { Terms } from '../storage/embedded/index-terms.js';
import { mapLines, type MappedLines } from '../genomics/vcf/map-lines.js';
import type { RecordContext } from '../genomics/vcf/record-mapper.js';

/**
 * Validation and search indexing of bulk loads (VCF import, seeding) on worker threads, while the
 * main thread stores: they are pure CPU, about 170 µs per Variant together, and the store's commit
 * is the main thread's. Results come back in input order. Small batches while no worker runs, and
 * hosts where workers cannot start, are prepared inline: same function, same answers (prepare.ts).
 * Once the workers run, small batches go to them too: a VCF import's last batch holds its report,
 * whose tens of thousands of result references cost the main thread (which would also compile
 * the validators for it) more than all its per-line work. A VCF import sends
 * its data lines instead of resources (`mapVcfLines`): the workers map them as well, so the main
 * thread neither builds nor serializes them and the workers do not parse them (about 10% less CPU
 * in all for an import stored at 100k records, README). The same workers build the index terms of an embedded store's
 * recovery (`termsOf`).
 *
 * Size: FHIR_PREPARE_THREADS, default the number of cores (the main thread mostly waits on them).
 */
const CHUNK = 200;
const INLINE_BELOW = 64;
const IDLE_MS = 500;

/**
 * What a worker is sent (worker.ts) and what it answers. VCF data lines come with their import's
 * RecordContext only when that worker has not had it yet (`ctx`): an annotation table is sent once.
 */
export type WorkerRequest =
  | { json: string; ownBase: string }
  | { types: string[]; chunks: ArrayBufferLike[]; spans: Int32Array }
  | { lines: string[]; lineNos: Int32Array; ctx?: RecordContext };
export interface WorkerReply {
  chunk?: PreparedChunk;
  terms?: Terms;
  lines?: MappedLines;
  error?: string;
  /** The worker's heap after the work, in bytes (only with FHIR_PREPARE_HEAP_STATS=1, worker.ts). */
  heap?: HeapSample;
}

export interface HeapSample {
  /** V8's total_physical_size: heap pages resident, garbage included (what RSS sees). */
  physical: number;
  /** used_heap_size: live objects and garbage not yet collected. */
  used: number;
  /** external_memory: ArrayBuffers and external strings the isolate accounts for. */
  external: number;
}

interface Job {
  msg: WorkerRequest;
  /** The context the message needs the worker to hold (VCF lines). */
  ctx?: RecordContext;
  transfer: ArrayBuffer[];
  resolve: (out: WorkerReply) => void;
  reject: (e: Error) => void;
}

export class PreparePool {
  private readonly idle: Worker[] = [];
  private readonly all: Worker[] = [];
  private readonly queue: Job[] = [];
  private readonly running = new Map<Worker, Job>();
  /** The VCF RecordContext each worker holds. */
  private readonly held = new Map<Worker, RecordContext>();
  private failed = false;
  /** Resources and data lines prepared on this thread (observability: tests). */
  readonly inline = { resources: 0, lines: 0 };
  /** Each worker's largest heap sample (FHIR_PREPARE_HEAP_STATS=1), by thread id; kept across restarts. */
  private readonly peaks = new Map<number, HeapSample>();

  constructor(private readonly size: number) {}

  private spawn(): void {
    const self = fileURLToPath(import.meta.url);
    // Under a TypeScript loader (tests, tsx) the worker is the .ts source; compiled, it is .js.
    const file = self.replace(/pool\.(ts|js)$/, (_m, ext: string) => `worker.${ext}`);
    // A worker does not inherit the main thread's module loader: under tsx it registers its own.
    const boot = `import('tsx/esm/api').then((m) => { m.register(); return import(${JSON.stringify(pathToFileURL(file).href)}); })`;
    for (let i = 0; i < this.size; i++) {
      const w = file.endsWith('.ts') ? new Worker(boot, { eval: true }) : new Worker(file);
      w.unref(); // an idle pool never keeps the process alive
      w.on('message', (m: WorkerReply) => {
        const job = this.running.get(w)!;
        this.running.delete(w);
        if (m.heap) this.notePeak(w.threadId, m.heap);
        if (m.error) job.reject(new Error(`prepare worker: ${m.error}`));
        else job.resolve(m);
        this.next(w);
      });
      w.on('error', (e) => {
        // A dead worker fails its job and whatever waits; later calls prepare inline (slower, so say so).
        if (!this.failed) process.emitWarning(`A prepare worker failed (${e.message}); bulk loads and recovery run on the main thread from now on`);
        this.failed = true;
        this.running.get(w)?.reject(e);
        this.running.delete(w);
        for (const job of this.queue.splice(0)) job.reject(e);
      });
      w.on('exit', (code) => {
        // Exiting with work in hand (killed, out of memory) must fail that work, not leave it waiting.
        const job = this.running.get(w);
        if (!job) return;
        this.failed = true;
        this.running.delete(w);
        const e = new Error(`prepare worker exited (code ${code}) with work in hand`);
        job.reject(e);
        for (const queued of this.queue.splice(0)) queued.reject(e);
      });
      this.all.push(w);
      this.idle.push(w);
    }
  }

  private notePeak(thread: number, h: HeapSample): void {
    const p = this.peaks.get(thread);
    this.peaks.set(thread, p ? { physical: Math.max(p.physical, h.physical), used: Math.max(p.used, h.used), external: Math.max(p.external, h.external) } : h);
  }

  /** The workers' heap peaks seen so far (empty unless FHIR_PREPARE_HEAP_STATS=1 when they started). */
  heapPeaks(): HeapSample[] {
    return [...this.peaks.values()];
  }

  private next(w: Worker): void {
    const job = this.queue.shift();
    if (!job) {
      this.idle.push(w);
      if (this.running.size === 0) this.idleSoon();
      return;
    }
    this.running.set(w, job);
    if (job.ctx && this.held.get(w) !== job.ctx) {
      this.held.set(w, job.ctx);
      w.postMessage({ ...job.msg, ctx: job.ctx }, job.transfer);
    } else w.postMessage(job.msg, job.transfer);
  }

  /**
   * Workers stop once the pool has been idle for a moment (and start again on the next bulk load):
   * an idle thread costs memory, and some hosts (test runners with loader hooks) wait for every
   * worker before exiting even when it is unref'ed.
   */
  private idleTimer?: NodeJS.Timeout;
  private idleSoon(): void {
    clearTimeout(this.idleTimer);
    this.idleTimer = setTimeout(() => {
      if (this.running.size === 0 && this.queue.length === 0) void this.close();
    }, IDLE_MS);
    this.idleTimer.unref();
  }

  private run(msg: WorkerRequest, transfer: ArrayBuffer[] = [], ctx?: RecordContext): Promise<WorkerReply> {
    return new Promise((resolve, reject) => {
      this.queue.push({ msg, transfer, ctx, resolve, reject });
      const w = this.idle.pop();
      if (w) this.next(w);
    });
  }

  /** Whether the workers are started (and none failed): a small batch then costs them a message, not a start. */
  private started(): boolean {
    return this.all.length > 0 && !this.failed;
  }

  /** Starts the workers if need be; false when they cannot run here (work is then done inline). */
  private ready(): boolean {
    if (!(this.size >= 1) || this.failed) return false;
    if (!this.all.length) {
      try {
        this.spawn();
      } catch {
        this.failed = true;
        return false;
      }
    }
    return true;
  }

  /** Issues, serialized index and packed write (prepare.ts) of every resource, in order; `ownBase` as for indexResource. */
  async prepareAll(resources: Resource[], ownBase: string): Promise<Prepared[]> {
    if ((resources.length < INLINE_BELOW && !this.started()) || !this.ready()) {
      this.inline.resources += resources.length;
      return unpackChunk(prepareChunk(resources, ownBase));
    }
    const parts: Array<Promise<Prepared[]>> = [];
    for (let i = 0; i < resources.length; i += CHUNK) {
      parts.push(this.run({ json: JSON.stringify(resources.slice(i, i + CHUNK)), ownBase }).then((m) => unpackChunk(m.chunk!)));
    }
    return (await Promise.all(parts)).flat();
  }

  /**
   * VCF data lines (text and line number) mapped, validated, indexed and packed (map-lines.ts), in
   * chunks, in order: the main thread of an import then only reads lines and keeps what spans records.
   */
  async mapVcfLines(ctx: RecordContext, texts: string[], lineNos: number[]): Promise<MappedLines[]> {
    if ((texts.length < INLINE_BELOW && !this.started()) || !this.ready()) {
      this.inline.lines += texts.length;
      return [mapLines(ctx, texts, lineNos)];
    }
    const parts: Array<Promise<MappedLines>> = [];
    for (let i = 0; i < texts.length; i += CHUNK) {
      const msg = { lines: texts.slice(i, i + CHUNK), lineNos: Int32Array.from(lineNos.slice(i, i + CHUNK)) };
      parts.push(this.run(msg, [msg.lineNos.buffer as ArrayBuffer], ctx).then((m) => m.lines!));
    }
    return Promise.all(parts);
  }

  /**
   * Index terms of serialized indexes (terms-of-bytes.ts), on a worker. Recovery's chunks are
   * shared memory (line-file.ts), read there in place; a plain buffer would be copied by postMessage.
   */
  readonly termsOf = async (types: string[], chunks: ArrayBufferLike[], spans: Int32Array): Promise<Terms> => {
    if (!this.ready()) return termsOfBytes(types, chunks, spans);
    return (await this.run({ types, chunks, spans })).terms!;
  };

  async close(): Promise<void> {
    clearTimeout(this.idleTimer);
    const workers = this.all.splice(0);
    this.idle.length = 0;
    this.held.clear();
    await Promise.all(workers.map((w) => w.terminate()));
  }
}

/** FHIR_PREPARE_THREADS: a whole number (0: no workers), else the number of cores. */
export function threadsSetting(v: string | undefined): number {
  const n = Number(v);
  return v !== undefined && v.trim() !== '' && Number.isInteger(n) && n >= 0 ? n : availableParallelism();
}

let shared: PreparePool | undefined;
/** The process-wide pool (workers start on first bulk use). */
export function preparePool(): PreparePool {
  shared ??= new PreparePool(threadsSetting(process.env.FHIR_PREPARE_THREADS));
  return shared;
}
