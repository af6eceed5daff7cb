/**
 * VCF import bench (issue 4): end-to-end throughput (parse -> map -> validate -> index -> store,
 * durable) and the cost of each stage, each stage in its own process so its peak RSS growth is its
 * own. Sizes: BENCH_VCF_VARIANTS (default 1,000,000) for the streaming stages (read, parse, map),
 * BENCH_VCF_STORE_VARIANTS (default: the same) for validate/index/store. The embedded store keeps
 * all its data in memory, so the store stage's RSS growth is mostly the stored data itself (about
 * 10 KB per variant); the stages before it show what the pipeline alone holds. Peaks are the
 * kernel's (VmHWM), so a worker heap's short peak between two samples is counted. The prepare
 * stage is measured twice: from the process's start (the workers start within it, as they do for
 * a server's import that follows no other bulk load by 500 ms), and with the pool running already,
 * at BENCH_VCF_WARM_VARIANTS (default 20,000) and 10 times that.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BenchLine, BenchModule } from '../bench.js';
import { generateVcf } from './_vcf-gen.js';

const here = dirname(fileURLToPath(import.meta.url));
const N = Number(process.env.BENCH_VCF_VARIANTS ?? 1_000_000);
const M = Math.min(N, Number(process.env.BENCH_VCF_STORE_VARIANTS ?? N));
/** Smaller of the two sizes imported with the prepare pool running (the other is 10 times it). */
const WARM_SMALL = Number(process.env.BENCH_VCF_WARM_VARIANTS ?? 20_000);
const STAGE_TIMEOUT_MS = Number(process.env.BENCH_VCF_TIMEOUT_MS ?? 15 * 60_000);

interface StageResult { ms: number; cpuMs: number; heapAfterMb: number; closeMs: number; records: number; variants: number; resources: number; rssGrowthMb: number; sampledGrowthMb: number;
  mainHeapMb: number; mainHeapAtStartMb: number; mainExternalMb: number; workerHeapsMb: Array<{ physical: number; used: number; external: number }> }

// Past this many variants the store stage takes the CLI's --batch-size path (one transaction per
// BATCH resources): one transaction of a million variants would be one multi-gigabyte journal line.
const BATCH = M > 100_000 ? 20_000 : 0;

function stage(name: string, file: string, ...more: string[]): StageResult {
  const r = spawnSync(process.execPath, ['--max-old-space-size=16000', '--import', 'tsx', join(here, '_vcf-import-worker.ts'), name, file, ...more], {
    encoding: 'utf8', timeout: STAGE_TIMEOUT_MS, maxBuffer: 1 << 20, env: { ...process.env, BENCH_VCF_BATCH: String(BATCH), FHIR_PREPARE_HEAP_STATS: '1' },
  });
  if (r.status !== 0) throw new Error(`stage ${name} failed (${r.signal ?? r.status}): ${r.stderr.slice(-2000)}`);
  return JSON.parse(r.stdout.trim().split('\n').pop()!) as StageResult;
}

/**
 * Where a stage's peak went: the main thread's heap growth (sampled), its external memory, and each
 * prepare worker's heap (resident pages, garbage included) after its largest chunk. What is left of
 * the RSS growth is code, malloc arenas and the isolates' own overhead.
 */
function memoryLines(label: string, s: StageResult): BenchLine[] {
  const workers = s.workerHeapsMb.reduce((n, w) => n + w.physical, 0);
  return [
    { name: `  ${label}: main heap growth / external`, value: s.mainHeapMb - s.mainHeapAtStartMb, unit: `MB / ${s.mainExternalMb.toFixed(0)} MB` },
    { name: `  ${label}: worker heaps (${s.workerHeapsMb.length}, each: ${s.workerHeapsMb.map((w) => `${w.physical.toFixed(0)} (${w.used.toFixed(0)} used)`).join(', ')})`, value: workers, unit: 'MB' },
  ];
}

const bench: BenchModule = {
  title: `VCF import: ${N.toLocaleString('en-US')} records streamed, ${M.toLocaleString('en-US')} stored`,
  async run(): Promise<BenchLine[]> {
    const dir = mkdtempSync(join(tmpdir(), 'vcf-bench-'));
    try {
      const big = join(dir, 'big.vcf');
      const small = M === N ? big : join(dir, 'small.vcf');
      await generateVcf(big, N);
      if (small !== big) await generateVcf(small, M);
      const lines: BenchLine[] = [];
      const read = stage('read', big);
      const parse = stage('parse', big);
      const map = stage('map', big);
      // Stage costs use CPU time (less disturbed by other processes on a shared machine than wall
      // time); throughputs use wall time.
      const perRec = (s: StageResult) => (s.cpuMs * 1000) / s.records;
      lines.push({ name: `file size (${N.toLocaleString('en-US')} records)`, value: statSync(big).size / 1e6, unit: 'MB' });
      lines.push({ name: 'read lines (baseline)', value: perRec(read), unit: 'µs/record (CPU)' });
      lines.push({ name: 'parse (records, genotypes)', value: perRec(parse) - perRec(read), unit: 'µs/record (CPU)', ratio: parse.ms / read.ms, baseline: 'read' });
      lines.push({ name: 'map to FHIR', value: perRec(map) - perRec(parse), unit: 'µs/record (CPU)', ratio: map.ms / read.ms, baseline: 'read' });
      lines.push({ name: 'parse+map throughput', value: (map.variants / map.ms) * 1000, unit: 'variants/s' });
      lines.push({ name: `parse+map peak RSS growth @${N.toLocaleString('en-US')}`, value: map.rssGrowthMb, unit: 'MB', target: '< 300 MB' });
      const mapSmall = small === big ? map : stage('map', small);
      const validate = stage('validate', small);
      const index = stage('index', small);
      const prepare = stage('prepare', small);
      const store = stage('store', small);
      const perVar = (s: StageResult) => (s.cpuMs * 1000) / s.variants;
      lines.push({ name: `validate (validateResource, one thread) @${M.toLocaleString('en-US')}`, value: perVar(validate) - perVar(mapSmall), unit: 'µs/variant (CPU)' });
      lines.push({ name: 'search indexing (indexResource, one thread)', value: perVar(index) - perVar(validate), unit: 'µs/variant (CPU)' });
      lines.push({ name: 'prepare on worker threads (validate, index, pack for the store)', value: perVar(prepare) - perVar(mapSmall), unit: 'µs/variant (CPU)', ratio: perVar(prepare) / perVar(index), baseline: 'map+validate+index on one thread' });
      lines.push({ name: BATCH ? `store (transactions of ${BATCH.toLocaleString('en-US')}, fsync; + checking pre-pass)` : 'store (1 transaction, fsync)', value: perVar(store) - perVar(prepare), unit: 'µs/variant (CPU)' });
      lines.push({ name: 'store: heap in use after commit', value: store.heapAfterMb, unit: 'MB' });
      lines.push({ name: 'store close (journal compaction)', value: store.closeMs, unit: 'ms' });
      lines.push({ name: 'end-to-end throughput', value: (store.variants / store.ms) * 1000, unit: 'variants/s', ratio: store.ms / mapSmall.ms, baseline: 'parse+map', target: '>= 20,000 variants/s' });
      lines.push({ name: 'parse+map+validate+index peak RSS growth (one thread)', value: index.rssGrowthMb, unit: 'MB' });
      // The kernel's peak (VmHWM, _vcf-import-worker.ts); the store's data is not in this stage.
      lines.push({ name: `import without the store (prepare pool) peak RSS growth @${M.toLocaleString('en-US')}`, value: prepare.rssGrowthMb, unit: 'MB', target: '< 300 MB' });
      lines.push({ name: '  the same sampled every 20 ms (as measured before)', value: prepare.sampledGrowthMb, unit: 'MB' });
      lines.push(...memoryLines('where', prepare));
      // Most of that is fixed: compiled validators and indexers in the main thread and in each
      // worker. What grows with the file is the difference from a tenth of its size.
      const tenth = join(dir, 'tenth.vcf');
      const T = Math.max(1000, Math.floor(M / 10));
      await generateVcf(tenth, T);
      const prepareTenth = stage('prepare', tenth);
      lines.push({ name: `  same @${T.toLocaleString('en-US')} (the fixed part)`, value: prepareTenth.rssGrowthMb, unit: 'MB' });
      lines.push({ name: '  growth with file size (difference)', value: prepare.rssGrowthMb - prepareTenth.rssGrowthMb, unit: 'MB' });
      // The same import in a process whose prepare pool is running already (a server importing
      // again within 500 ms of its last bulk load; pool.ts): what the import adds, without the
      // start of the workers. Two sizes a factor 10 apart show what grows with the file.
      const warm = join(dir, 'warm.vcf');
      await generateVcf(warm, 5000);
      const W = WARM_SMALL;
      const warmSmall = join(dir, 'warm-small.vcf');
      await generateVcf(warmSmall, W);
      const warmBig = join(dir, 'warm-big.vcf');
      await generateVcf(warmBig, 10 * W);
      const ws = stage('prepare-warm', warmSmall, warm);
      const wb = stage('prepare-warm', warmBig, warm);
      lines.push({ name: `import without the store, pool running (after a 5,000-record import) @${W.toLocaleString('en-US')}`, value: ws.rssGrowthMb, unit: 'MB', target: '< 300 MB' });
      lines.push({ name: `  same @${(10 * W).toLocaleString('en-US')}`, value: wb.rssGrowthMb, unit: 'MB', target: '< 300 MB' });
      lines.push(...memoryLines('where', wb));
      lines.push({ name: '  growth with file size (difference)', value: wb.rssGrowthMb - ws.rssGrowthMb, unit: 'MB' });
      lines.push({ name: 'end-to-end peak RSS growth (store holds data)', value: store.rssGrowthMb, unit: 'MB', target: '< 300 MB' });
      lines.push({ name: 'resources per variant', value: store.resources / store.variants, unit: 'resources' });
      return lines;
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
};
export default bench;
