import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

/**
 * A full garbage collection, with or without --expose-gc (bench.ts itself runs without it): for
 * heap measurements, and so that a load's garbage is not collected inside measured calls.
 */
export function fullGc(): void {
  if (global.gc) return global.gc();
  setFlagsFromString('--expose-gc');
  (runInNewContext('gc') as () => void)();
}
