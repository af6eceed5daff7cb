/**
 * CPU per resource of a bulk load (the seeding path: scripts/seed-variants.ts `seedStore`, the
 * prepare pool's workers and an embedded store with fsync on), for comparing code versions on a
 * shared machine where wall time is noise:
 *   node --import tsx scripts/bench/_seed-cpu.ts [ROOT] [VARIANTS]
 * The first tenth of the data warms up (worker start-up, schema compilation, JIT) unmeasured.
 * ROOT (default: this checkout) is the source tree to load the code from, so one script measures
 * two versions (a `git worktree` of the old commit) alternated. Prints one JSON line: resources,
 * wall ms, CPU µs per resource of the whole process (user + system, worker threads included) and
 * of the main thread alone (Linux: /proc/self/task), the rest being the workers, GC helpers and libuv.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const root = resolve(process.argv[2] ?? join(import.meta.dirname, '../..'));
const variants = Number(process.argv[3] ?? 50_000);
const load = (p: string) => import(pathToFileURL(join(root, p)).href);
const { generateGenomicData, seedStore } = await load('scripts/seed-variants.ts');
const { EmbeddedStore } = await load('src/storage/embedded/embedded-store.ts');

/** This thread's user + system CPU, µs (clock ticks of 10 ms: good enough over seconds). */
function mainThreadCpuUs(): number {
  const stat = readFileSync(`/proc/self/task/${process.pid}/stat`, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(f[11]) + Number(f[12])) * 10_000;
}

const dir = mkdtempSync(join(tmpdir(), 'fgs-seed-cpu-'));
try {
  const store = new EmbeddedStore(join(dir, 'store'), { fsync: true });
  await store.init();
  const data: Iterator<unknown> = generateGenomicData({ variants, patients: Math.max(10, Math.floor(variants / 100)) });
  // the first tenth warms up (worker start-up, schema compilation, JIT) and is not measured
  const warm: unknown[] = [];
  for (let i = 0; i < variants / 10; i++) warm.push(data.next().value);
  await seedStore(store, warm);
  const rest = { [Symbol.iterator]: () => data };
  const c0 = process.cpuUsage();
  const m0 = mainThreadCpuUs();
  const t0 = performance.now();
  const n: number = await seedStore(store, rest);
  const ms = performance.now() - t0;
  const c = process.cpuUsage(c0);
  const main = mainThreadCpuUs() - m0;
  await store.close();
  const total = c.user + c.system;
  console.log(JSON.stringify({ root, resources: n, ms: Math.round(ms), cpuUsPerRes: +(total / n).toFixed(1), mainUsPerRes: +(main / n).toFixed(1), restUsPerRes: +((total - main) / n).toFixed(1), perSec: Math.round(n / (ms / 1000)) }));
} finally {
  rmSync(dir, { recursive: true, force: true });
}
process.exit(0);
