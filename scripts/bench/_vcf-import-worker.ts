/**
 * One stage of the VCF import bench, in its own process so that its memory is measured alone:
 *   node --import tsx scripts/bench/_vcf-import-worker.ts STAGE FILE
 * Stages: read (lines only), parse (+ record/genotype parsing), map (+ FHIR mapping), validate
 * (+ validateResource), index (+ indexResource), all on one thread; prepare (the import without its
 * store: validation, indexing and packing on the prepare pool's workers); store (importVcf into a fresh embedded store, one
 * transaction, fsync on; with BENCH_VCF_BATCH=N, the CLI's --batch-size path: a validating pre-pass, then
 * transactions of N resources). Prints one JSON line: ms (wall), cpuMs (this process, user+system),
 * records, variants, resources, rssGrowthMb (peak RSS growth: the kernel's peak where it can be
 * reset, else sampled every 20 ms) and sampledGrowthMb (the sampled one, for comparison); where it
 * goes: mainHeapMb (this thread's V8 heap at its sampled peak, against mainHeapAtStartMb),
 * mainExternalMb, and workerHeapsMb (each prepare worker's heap after its largest chunk; the bench
 * sets FHIR_PREPARE_HEAP_STATS=1 for that, pool.ts).
 * Stage prepare-warm (FILE WARMUP): the prepare stage's growth in a process whose prepare pool is
 * already running: it imports WARMUP first (nothing stored), then takes the baseline and resets the
 * peak, and imports FILE while the pool is still up (it stops after 500 ms idle, pool.ts). What it
 * measures is what the import itself adds to a running process, not the cost of starting the pool.
 */
import { createReadStream, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readLines } from '../../src/genomics/vcf/line-reader.js';
import { parseRecord, sampleValue } from '../../src/genomics/vcf/record.js';
import { parseGenotype } from '../../src/genomics/vcf/genotype.js';
import { emptySummary, mapVcf } from '../../src/genomics/vcf/map-vcf.js';
import { importVcf, nullSink, runImport } from '../../src/genomics/vcf/import.js';
import { hasErrors, validateResource } from '../../src/validation/validate.js';
import { importVcfBatched } from '../../src/genomics/vcf/import-batched.js';
import { indexResource, RELATIVE_REFS_ONLY } from '../../src/search/search-service.js';
import { EmbeddedStore } from '../../src/storage/embedded/embedded-store.js';
import { preparePool } from '../../src/prepare/pool.js';

const [stage, file, warmup] = process.argv.slice(2);
const opts = { patient: 'bench1' };
if (stage === 'prepare-warm') {
  // Starts the workers and compiles what an import runs, on the main thread and on the workers.
  await runImport(createReadStream(warmup), opts, nullSink());
  if (!(preparePool() as unknown as { all: unknown[] }).all.length) throw new Error('the prepare pool stopped before the measured import');
}
global.gc?.();
// The peak is the kernel's (VmHWM, reset here through clear_refs): sampling RSS from this thread
// misses what the worker threads' heaps reach between two samples, or while this thread is busy.
const exactPeak = resetPeakRss();
const { rss: rss0, heapTotal: heap0 } = process.memoryUsage();
let peak = rss0;
// Where the growth is: this thread's V8 heap and external memory (sampled with the RSS; the
// workers' heaps are not in memoryUsage(), they report their own: FHIR_PREPARE_HEAP_STATS).
const main = { heap: 0, external: 0 };
const timer = setInterval(() => {
  const m = process.memoryUsage();
  peak = Math.max(peak, m.rss);
  main.heap = Math.max(main.heap, m.heapTotal);
  main.external = Math.max(main.external, m.external);
}, 20);
const t0 = performance.now();
const cpu0 = process.cpuUsage();
let records = 0;
let variants = 0;
let resources = 0;
let closeMs = 0;

if (stage === 'read' || stage === 'parse') {
  for await (const l of readLines(createReadStream(file)).lines) {
    if (l.startsWith('#')) continue;
    records++;
    if (stage === 'parse') {
      const r = parseRecord(l, records, 1, 0);
      parseGenotype(sampleValue(r, 'GT') ?? '.', r.alts.length, records);
    }
  }
} else if (stage === 'map') {
  const s = emptySummary();
  for await (const _r of mapVcf(readLines(createReadStream(file)), opts, s)) resources++;
  records = s.records;
  variants = s.variants;
} else if (stage === 'validate' || stage === 'index') {
  // On this thread, one stage after the other: the CPU cost of each, and the pipeline's memory
  // without worker threads.
  const s = emptySummary();
  for await (const r of mapVcf(readLines(createReadStream(file)), opts, s)) {
    resources++;
    if (hasErrors(validateResource(r))) throw new Error(`invalid ${r.resourceType}/${r.id}`);
    if (stage === 'index') indexResource(r, RELATIVE_REFS_ONLY);
  }
  ({ records, variants } = s);
} else if (stage === 'prepare' || stage === 'prepare-warm') {
  // What the import does short of storing: validation, indexing and packing on the prepare pool.
  const s = await runImport(createReadStream(file), opts, nullSink());
  ({ records, variants, resources } = s);
} else if (stage === 'store') {
  const dir = mkdtempSync(join(tmpdir(), 'vcf-bench-'));
  const store = new EmbeddedStore(dir, { fsync: true });
  await store.init();
  const batch = Number(process.env.BENCH_VCF_BATCH ?? 0);
  const s = batch > 0 ? await importVcfBatched(store, () => createReadStream(file), opts, batch) : await importVcf(store, () => createReadStream(file), opts);
  ({ records, variants, resources } = s);
  const c0 = performance.now();
  await store.close();
  closeMs = performance.now() - c0;
  rmSync(dir, { recursive: true, force: true });
} else {
  throw new Error(`unknown stage ${stage}`);
}
const ms = performance.now() - t0 - closeMs;
const cpu = process.cpuUsage(cpu0);
const cpuMs = (cpu.user + cpu.system) / 1000;
clearInterval(timer);
peak = Math.max(peak, process.memoryUsage().rss);
const sampledGrowthMb = (peak - rss0) / 1e6;
const hwm = exactPeak ? peakRss() : undefined;
const rssGrowthMb = hwm !== undefined ? (hwm - rss0) / 1e6 : sampledGrowthMb;
const mb = (b: number) => Math.round(b / 1e5) / 10;
const memory = {
  mainHeapMb: mb(main.heap), mainHeapAtStartMb: mb(heap0), mainExternalMb: mb(main.external),
  workerHeapsMb: preparePool().heapPeaks().map((h) => ({ physical: mb(h.physical), used: mb(h.used), external: mb(h.external) })),
};
console.log(JSON.stringify({ ms, cpuMs, heapAfterMb: process.memoryUsage().heapUsed / 1e6, closeMs, records, variants, resources, rssGrowthMb, sampledGrowthMb, ...memory }));

/** Resets the process's peak RSS (Linux: `5` to /proc/self/clear_refs); false where that cannot be done. */
function resetPeakRss(): boolean {
  try {
    writeFileSync('/proc/self/clear_refs', '5');
    return peakRss() !== undefined;
  } catch {
    return false;
  }
}

/** VmHWM of /proc/self/status, in bytes. */
function peakRss(): number | undefined {
  const m = /^VmHWM:\s+(\d+) kB/m.exec(readFileSync('/proc/self/status', 'utf8'));
  return m ? Number(m[1]) * 1024 : undefined;
}
