import { getHeapSpaceStatistics, setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

/**
 * Old-generation growth a prepare worker allows itself between two full collections. A worker's
 * live heap is ~20 MB, but each chunk it prepares keeps its resources, indexes and issues alive
 * for the whole chunk, across scavenges, so they are promoted and die in the old generation: V8
 * let that garbage reach 80-120 MB per worker before a mark-compact (2026-12-02, 200k records,
 * v8.getHeapSpaceStatistics), and a process with two workers held ~150-200 MB of RSS for it.
 * Starting a collection once the old generation has grown by this much keeps each worker's heap
 * nearer its live size: an import of 200k records with the pool running grew the process's RSS by
 * 222 MB instead of 234-324 (32 MB: 181-235), for ~11% more CPU in the process (32 MB: 16-25%),
 * since a collection marks the whole live heap each time (README, VCF import memory).
 */
export const OLD_GROWTH_BOUND = 64 * 1024 * 1024;

type Gc = (opts?: { type: 'major'; execution: 'async' }) => void;
let gc: Gc | undefined | null;
let base = -1;

function oldUsed(): number {
  for (const s of getHeapSpaceStatistics()) if (s.space_name === 'old_space') return s.space_used_size;
  return 0;
}

/**
 * Called by a worker after each message it answered: a full collection after the first one, then
 * whenever its old generation grew by more than OLD_GROWTH_BOUND since the last one. Worker threads cannot be started with
 * --expose-gc (a V8 option, which Worker execArgv refuses); the flag set at run time exposes `gc`
 * to contexts created after it (as jest's leak detector does), so one new context gives it. Where
 * that fails, the worker keeps V8's own schedule.
 */
export function boundHeap(bound = OLD_GROWTH_BOUND): void {
  if (gc === undefined) {
    try {
      setFlagsFromString('--expose-gc');
      gc = runInNewContext('gc') as Gc;
    } catch {
      gc = null;
    }
  }
  if (!gc) return;
  const used = oldUsed();
  // The first time, a collection sets the baseline: what loading the modules left is garbage too.
  if (base < 0 || used - base > bound) {
    // Started, not run to the end here: V8 marks incrementally and concurrently, as for its own
    // collections. A synchronous gc() cost 100 ms a call with validators loaded, and the worker's
    // CPU rose by half as much again beyond those calls (2026-12-02).
    gc({ type: 'major', execution: 'async' });
    base = used;
  } else if (used < base) base = used; // a collection finished
}
