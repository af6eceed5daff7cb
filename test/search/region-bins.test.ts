import t from 'tap';
import { regionBin, regionBinsOverlapping, TOP_REGION_BIN } from '../../src/genomics/operations/bins.js';
import { regionCond } from '../../src/search/compile-values.js';
import { elemBounds } from '../../src/search/filter-bounds.js';

// genomic-region elements carry a bin (genomics-params.ts binned) and a region query lists the
// bins its window meets (compile-values.ts regionCond): MongoDB's {t, a, b, s} index then reads
// the variants near the window. The bins must never lose an overlapping element.

t.test('every element overlapping a window is filed in one of the window\'s bins', async (t) => {
  let seed = 7;
  const rnd = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) % n);
  const windows: Array<[number, number]> = [[1_000_000, 1_000_001], [55_019_016, 55_211_628], [16_383, 16_385], [0, 1], [2 ** 31 - 10, 2 ** 31 + 10]];
  for (const [ws, we] of windows) {
    const bins = new Set(regionBinsOverlapping(ws, we, 1e9));
    let overlapping = 0;
    for (let i = 0; i < 4000; i++) {
      // short and long elements around the window, some crossing bin edges, some out of range
      const len = [1, 2, 300, 20_000, 200_000, 3_000_000, 70_000_000][i % 7];
      const s = i % 97 === 0 ? -1 : Math.max(0, ws - len - 1000) + rnd(we - ws + 2 * len + 2000);
      const e = i % 89 === 0 ? 2 ** 31 + 5 : s + len;
      if (s < we && e > ws) {
        overlapping++;
        if (!bins.has(regionBin(s, e))) t.fail(`[${s}, ${e}) overlaps [${ws}, ${we}) but its bin ${regionBin(s, e)} is not asked for`);
      }
    }
    t.ok(overlapping > 20, `[${ws}, ${we}): ${overlapping} overlapping elements, each in an asked-for bin`);
  }
  t.equal(regionBin(-1, 5), TOP_REGION_BIN, 'a negative start goes to the top bin');
  t.equal(regionBin(5, 2 ** 31 + 1), TOP_REGION_BIN, 'past 2^31 - 1 too (>> would wrap)');
  t.equal(regionBin(16_384, 16_385), 1, 'a base in the second 16 kb bin');
  t.equal(regionBin(16_383, 16_385), 2 ** 20, 'crossing a 16 kb edge: the 128 kb level');
});

t.test('the query lists its bins, and none past the limit', async (t) => {
  t.equal(regionBinsOverlapping(0, 248_956_422, 1000), undefined, 'a whole chromosome: no list');
  t.equal(regionBinsOverlapping(1_000_000, 11_000_000, 1000)?.length, 611 + 77 + 11 + 2 + 1 + 1 + 1, 'a 10 Mb window: one bin per level it spans');
  const em = (regionCond('genomic-region', 'NC_000007.14:55019016-55019017') as { $elemMatch: Record<string, unknown> }).$elemMatch;
  t.same(em, { a: 'NC_000007.14', b: { $in: [3358, 2 ** 20 + 419, 2 * 2 ** 20 + 52, 3 * 2 ** 20 + 6, 4 * 2 ** 20, 5 * 2 ** 20, 6 * 2 ** 20] }, s: { $lt: 55019017 }, e: { $gt: 55019016 } },
    'one base: one bin per level, then the top one');
  t.same(elemBounds(em), [{ sMin: -Infinity, sMax: 55019017, eMin: 55019016, eMax: Infinity }], 'the embedded planner reads the same window (b only narrows it)');
  t.equal(elemBounds({ b: { $in: [1] }, s: { $lt: 1 } }), undefined, 'b is a region bin only beside an accession');
});
