import t from 'tap';
import { getHeapSpaceStatistics } from 'node:v8';
import { boundHeap } from '../../src/prepare/heap-bound.js';

const MB = 1024 * 1024;
const oldUsed = () => getHeapSpaceStatistics().find((s) => s.space_name === 'old_space')!.space_used_size;

/** `n` small objects kept alive while they are made: the scavenges their allocation triggers promote them to the old generation. */
function promoted(n: number): object[] {
  const keep: object[] = [];
  for (let i = 0; i < n; i++) keep.push({ i, s: `value ${i}` });
  return keep;
}

/** Lets a collection that was started run to its end (V8 finishes incremental marking in tasks), allocating nothing. */
async function settle(): Promise<void> {
  for (let i = 0; i < 20; i++) await new Promise((r) => setTimeout(r, 10));
}

t.test('a worker collects the garbage of its old generation once it grew past the bound', async (t) => {
  const bound = 8 * MB;
  boundHeap(bound); // the baseline (a first collection)
  await settle();
  const start = oldUsed();
  let keep: object[] | undefined = promoted(400_000);
  const grown = oldUsed();
  t.ok(grown - start > 2 * bound, `the old generation grew past the bound (${Math.round((grown - start) / MB)} MB)`);
  keep = undefined;
  await settle();
  // V8 may have started a collection of its own while the objects were made, and finish it now:
  // then there is nothing left to tell boundHeap's collection from its own
  if (oldUsed() <= grown - bound / 2) {
    t.comment('V8 collected the garbage on its own first: nothing to check');
    return;
  }
  boundHeap(bound);
  // on a loaded machine the incremental marking takes longer: wait for it, up to 5 s
  for (let i = 0; i < 25 && oldUsed() >= grown - bound; i++) await settle();
  const after = oldUsed();
  t.ok(after < grown - bound, `after boundHeap it is collected (${Math.round(grown / MB)} -> ${Math.round(after / MB)} MB)`);
  t.equal(keep, undefined);
});
