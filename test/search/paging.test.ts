import t from 'tap';
import { Query } from 'mingo';
import { cursorAt, decodeCursor, encodeCursor, fullSort, keysetFilter, cursorTuple } from '../../src/search/paging.js';
import { sortDocs, sortTuple } from '../../src/search/sort-order.js';
import { searchFilter } from '../../src/storage/mongodb/queries.js';
import type { IndexedDoc, SortSpec } from '../../src/storage/types.js';

/**
 * Keyset cursors of sorted searches: the filter "strictly after / before this row" (a MongoDB
 * document, run by mingo here as by MongoDB) keeps exactly the rows after / before it in the
 * order both stores sort by (sort-order.ts), with repeating and missing keys.
 */
let seed = 5;
const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
const pick = <T>(xs: T[]): T => xs[Math.floor(rnd() * xs.length)];
const docs: IndexedDoc[] = Array.from({ length: 60 }, (_, i) => {
  const x: Record<string, unknown> = {};
  if (rnd() < 0.8) x.code = Array.from({ length: 1 + Math.floor(rnd() * 3) }, () => pick(['a', 'b', 'c', 'u|a', 'u|c']));
  if (rnd() < 0.8) x.date = Array.from({ length: 1 + Math.floor(rnd() * 2) }, () => ({ s: pick([1, 2, 3, 4]), e: 9 }));
  return { t: pick(['Basic', 'Observation']), id: `r${i}`, v: 1, lu: pick([10, 20, 30]), seq: i, x };
});

t.test('after and before keep exactly the rows on each side, for every sort shape', async (t) => {
  const sorts: SortSpec[] = [
    [['x.code', 1]], [['x.code', -1]], [['x.date.s', 1]], [['x.date.s', -1]], [['x.code', -1], ['x.date.s', 1]],
    [['x.date.s', -1], ['id', -1]], [['lu', 1]], [['lu', -1], ['x.code', 1]], [],
  ];
  for (const user of sorts) {
    const sort = fullSort(user);
    const ordered = sortDocs(docs, sort);
    const at = (i: number) => ordered.slice(i);
    for (const i of [0, 7, 23, 41, 59]) {
      const after = decodeCursor(encodeCursor(cursorAt('after', ordered[i], sort)));
      const tuple = cursorTuple(after, sort, undefined);
      t.same(tuple, sortTuple(ordered[i], sort));
      const fAfter = keysetFilter(sort, tuple, true);
      const fBefore = keysetFilter(sort, tuple, false);
      t.doesNotThrow(() => searchFilter({ types: ['Basic'], filter: fAfter }), 'a filter the MongoDB adapter accepts');
      const qa = new Query(fAfter);
      const qb = new Query(fBefore);
      t.same(ordered.filter((d) => qa.test(d as never)).map((d) => d.id), at(i + 1).map((d) => d.id), `${JSON.stringify(user)}: after row ${i}`);
      t.same(ordered.filter((d) => qb.test(d as never)).map((d) => d.id), ordered.slice(0, i).map((d) => d.id), `${JSON.stringify(user)}: before row ${i}`);
    }
  }
});

t.test('a cursor of another search is refused', async (t) => {
  const sort = fullSort([['x.code', 1]]);
  const c = cursorAt('after', docs[0], sort);
  t.throws(() => cursorTuple(c, fullSort([]), undefined), /does not belong/, 'sorted cursor on an unsorted search');
  t.throws(() => cursorTuple({ k: 'after', t: 'Basic', id: 'x' }, sort, undefined), /does not belong/, 'unsorted cursor on a sorted search');
  t.throws(() => cursorTuple({ k: 'after', t: 'Patient', id: 'x' }, fullSort([]), ['Basic']), /does not belong/, 'another type');
  t.throws(() => decodeCursor(encodeCursor({ k: 'offset', o: 3, at: 1 } as never)), /not valid/);
});
