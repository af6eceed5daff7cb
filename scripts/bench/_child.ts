/**
 * Large benchmarks (a million indexed variants) need more than Node's default heap: such a module
 * measures in a child process with a larger heap (BENCH_HEAP_MB, default 16000) and hands its
 * lines back as the last line of its output, as JSON.
 */
import { spawnSync } from 'node:child_process';
import { getHeapStatistics } from 'node:v8';
import type { BenchLine } from '../bench.js';

const CHILD = 'FGS_BENCH_CHILD';

/** Runs `measure` here when the heap is large enough (or in the child), else re-runs `self` in a child. */
export async function measureWithLargeHeap(self: string, measure: () => Promise<BenchLine[]>): Promise<BenchLine[]> {
  if (process.env[CHILD] === self || getHeapStatistics().heap_size_limit >= 8e9) return measure();
  const heap = process.env.BENCH_HEAP_MB ?? '16000';
  const r = spawnSync(process.execPath, [`--max-old-space-size=${heap}`, '--expose-gc', '--import', 'tsx', self], {
    env: { ...process.env, [CHILD]: self }, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 16 * 1024 * 1024,
  });
  const last = r.stdout.trim().split('\n').pop() ?? '';
  if (r.status !== 0 || !last.startsWith('[')) throw new Error(`bench child failed (status ${r.status}): ${r.stdout.slice(-500)}`);
  return JSON.parse(last) as BenchLine[];
}

/** In the child: true when this module is the one asked to measure (then it prints its lines). */
export function isChildFor(self: string): boolean {
  return process.env[CHILD] === self && process.argv[1] === self;
}
