/**
 * Memory of preparing the GenomicReport a VCF import ends with (map-vcf.ts `mapReport`: one
 * DiagnosticReport whose `result` lists up to `--max-report-results` Observations), step by step
 * as the import does it (the pool sends the report to a worker as JSON, which runs prepareChunk):
 *   node --expose-gc --max-semi-space-size=1024 --import tsx scripts/bench/_report-memory.ts [N] [ROOT]
 * N: results (default 100,000); ROOT: the source tree to load (default this checkout).
 *
 * Steps, each after a full GC: map (mapReport from a ResultList, as map-vcf.ts builds it), message
 * (JSON.stringify + JSON.parse, as pool.ts sends it), validate, index (indexResource), indexJson
 * (JSON.stringify of the index), terms (TermsBuilder.add + finish alone), pack (PackedBatchWriter:
 * stored body pieces, bytes, terms, finish), unpack (the stored body and index JSON read back).
 * Per step: `alloc` (heap used after the step minus before: with a young generation large
 * enough that no scavenge runs inside a step, the bytes the step allocated on the heap),
 * `external` (external memory it added), `rss` (the kernel's peak RSS during the step, VmHWM reset
 * at its start, minus RSS at its start) and `kept` (heap + external still held after a GC, i.e.
 * its output). One JSON line per step, then the totals; with `PASSES` > 1, medians.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const n = Number(process.argv[2] ?? 100_000);
const root = resolve(process.argv[3] ?? join(import.meta.dirname, '../..'));
const passes = Number(process.env.PASSES ?? 1);
const load = (p: string) => import(pathToFileURL(join(root, p)).href);
if (!global.gc) throw new Error('run with --expose-gc');
const gc = global.gc;

const { mapReport } = await load('src/genomics/vcf/map-report.ts');
const { ResultList } = await load('src/genomics/vcf/result-list.ts');
const { validateResource } = await load('src/validation/validate.ts');
const { indexResource, RELATIVE_REFS_ONLY } = await load('src/search/search-service.ts');
const { TermsBuilder } = await load('src/storage/embedded/index-terms.ts');
const { PackedBatchWriter, bodyString, indexJsonOf } = await load('src/storage/embedded/packed-batch.ts');

function report(): { resourceType: string; id: string } {
  const list = new ResultList(n);
  // ids as map-vcf.ts makes them: a prefix and 32 hex digits
  for (let i = 0; i < n; i++) list.add(`vcfobs-${(i * 2654435761 >>> 0).toString(16).padStart(8, '0')}${i.toString(16).padStart(24, '0')}`);
  return mapReport({
    patient: 'p1', build: 'GRCh38', sample: 'S1', source: 'germline', importKey: 'p1|GRCh38|S1|sha256:0', reportId: 'vcfrep-1',
    studyId: 'vcfstu-1', analysisId: 'vcfana-1', changeTypes: ['SNV'], results: list.ids(), resultTotal: n,
  });
}

type Step = { name: string; run: (s: State) => void };
type State = { r?: any; json?: string; x?: any; xj?: string; batch?: any; out?: unknown[] };
const steps: Step[] = [
  { name: 'map', run: (s) => (s.r = report()) },
  { name: 'message', run: (s) => (s.r = JSON.parse((s.json = JSON.stringify([s.r])))[0]) },
  { name: 'validate', run: (s) => (s.out = validateResource(s.r)) },
  { name: 'index', run: (s) => (s.x = indexResource(s.r, RELATIVE_REFS_ONLY)) },
  { name: 'indexJson', run: (s) => (s.xj = JSON.stringify(s.x)) },
  { name: 'terms', run: (s) => { const b = new TermsBuilder(); b.add(s.r.resourceType, s.x); s.out = [b.finish()]; } },
  { name: 'pack', run: (s) => { const w = new PackedBatchWriter(); w.add(s.r, s.x, s.xj); s.batch = w.finish(); } },
  { name: 'unpack', run: (s) => (s.out = [bodyString({ batch: s.batch, i: 0 }, 1, JSON.stringify(new Date(0).toISOString())), indexJsonOf({ batch: s.batch, i: 0 })]) },
];

const mb = (b: number) => Math.round(b / 1e5) / 10;
const held = () => { const m = process.memoryUsage(); return m.heapUsed + m.external; };
const results = new Map<string, Array<Record<string, number>>>();
for (let p = 0; p < passes + 1; p++) {
  const s: State = {};
  for (const step of steps) {
    s.out = undefined;
    gc();
    gc();
    const before = process.memoryUsage();
    writeFileSync('/proc/self/clear_refs', '5');
    const t0 = process.cpuUsage();
    step.run(s);
    const cpu = process.cpuUsage(t0);
    const after = process.memoryUsage();
    const peak = vmHwm();
    const heldBefore = before.heapUsed + before.external;
    gc();
    gc();
    const row = {
      alloc: mb(after.heapUsed - before.heapUsed), external: mb(after.external - before.external),
      rss: mb(peak - before.rss), kept: mb(held() - heldBefore), cpuMs: Math.round((cpu.user + cpu.system) / 100) / 10,
    };
    // the first pass warms up (validator compilation, JIT) and is not reported
    if (p > 0) results.set(step.name, [...(results.get(step.name) ?? []), row]);
  }
}
const median = (v: number[]) => v.sort((a, b) => a - b)[v.length >> 1];
const total: Record<string, number> = { alloc: 0, external: 0, rss: 0, cpuMs: 0 };
for (const [name, rows] of results) {
  const row: Record<string, number> = {};
  for (const k of Object.keys(rows[0])) row[k] = median(rows.map((r) => r[k]));
  for (const k of Object.keys(total)) total[k] = Math.round((total[k] + row[k]) * 10) / 10;
  console.log(JSON.stringify({ step: name, n, ...row }));
}
console.log(JSON.stringify({ step: 'total', n, ...total }));

/** VmHWM of /proc/self/status, in bytes. */
function vmHwm(): number {
  return Number(/^VmHWM:\s+(\d+) kB/m.exec(readFileSync('/proc/self/status', 'utf8'))![1]) * 1024;
}
