import t from 'tap';
import { Query } from 'mingo';
import { cursorAt, decodeCursor, encodeCursor, fullSort, keysetFilter, keysFilter, cursorTuple, sortKey } from '../../src/search/paging.js';
import { sortDocs, sortTuple, type SortValue } from '../../src/search/sort-order.js';
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
  // a few without lu, as the built-in definitions are (fhir/rest/built-in-search.ts)
  const lu = rnd() < 0.9 ? { lu: pick([10, 20, 30]) } : {};
  return { t: pick(['Basic', 'Observation']), id: `r${i}`, v: 1, ...lu, seq: i, x } as IndexedDoc;
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
  t.throws(() => cursorTuple({ k: 'after', t: 'Basic', id: 'x', s: sortKey(sort) }, sort, undefined), /does not belong/, 'unsorted cursor on a sorted search');
  t.throws(() => cursorTuple({ k: 'after', t: 'Patient', id: 'x', s: sortKey(fullSort([])) }, fullSort([]), ['Basic']), /does not belong/, 'another type');
  t.throws(() => decodeCursor(encodeCursor({ k: 'offset', o: 3, at: 1 } as never)), /not valid/);
  // same number of sort keys, other keys or directions: the tuple would be read as the wrong key's values
  for (const other of [[['x.date.s', 1]], [['x.code', -1]], [['lu', 1]]] as SortSpec[]) {
    t.throws(() => cursorTuple(decodeCursor(encodeCursor(c)), fullSort(other), undefined), /does not belong/, `x.code cursor on ${JSON.stringify(other)}`);
  }
  const two = cursorAt('after', docs[0], fullSort([['x.code', 1], ['x.date.s', -1]]));
  t.throws(() => cursorTuple(two, fullSort([['x.date.s', -1], ['x.code', 1]]), undefined), /does not belong/, 'keys swapped');
  t.throws(() => cursorTuple(two, fullSort([['x.code', 1], ['x.date.s', 1]]), undefined), /does not belong/, 'second direction flipped');
  const plain = cursorAt('after', docs[0], fullSort([]));
  t.throws(() => cursorTuple(plain, fullSort([['id', -1]]), undefined), /does not belong/, 'default order cursor on -_id');
  t.doesNotThrow(() => cursorTuple(decodeCursor(encodeCursor(two)), fullSort([['x.code', 1], ['x.date.s', -1]]), undefined), 'its own sort');
});

t.test('keyset pages of one type: the cursor as a plain bound an index walk can start at (no (t, id) $or to filter through)', async (t) => {
  const T = ['Observation'];
  const at = (sort: SortSpec, v: SortValue[]) => keysetFilter(sort, v, true, T);
  // the default order on {t, id}: t is the search's one type, so the position is an id range
  t.same(at(fullSort([]), ['Observation', 'o5']), { id: { $gt: 'o5' } }, 'no _sort, next');
  t.same(keysetFilter(fullSort([]), ['Observation', 'o5'], false, T), { id: { $lt: 'o5' } }, 'no _sort, previous');
  t.same(at(fullSort([['id', -1]]), ['o5', 'Observation']), { id: { $lt: 'o5' } }, '_sort=-_id');
  // {t, lu, id}: the first key bounded on its own, in the $and the planner takes index bounds from
  t.same(at(fullSort([['lu', -1]]), [50, 'Observation', 'o5']), { $and: [{ lu: { $not: { $gt: 50 } } }, { $or: [{ lu: { $not: { $gte: 50 } } }, { $and: [{ lu: 50 }, { id: { $lt: 'o5' } }] }] }] },
    '_sort=-_lastUpdated: lu not above the cursor\'s (or missing, a built-in), walked backwards from there');
  t.same(at(fullSort([['lu', 1]]), [50, 'Observation', 'o5']), { $and: [{ lu: { $gte: 50 } }, { $or: [{ lu: { $gt: 50 } }, { $and: [{ lu: 50 }, { id: { $gt: 'o5' } }] }] }] }, '_sort=_lastUpdated');
  // what the MongoDB adapter sends: the type and the bound as top-level conjuncts
  const doc = searchFilter({ types: T, filter: at(fullSort([['lu', 1]]), [50, 'Observation', 'o5']) });
  t.same(doc.$and.slice(0, 2), [{ t: 'Observation' }, { d: { $exists: false } }]);
  t.same(doc.$and[2].$and[0], { lu: { $gte: 50 } }, 'the seek bound on the index\'s second field');
  // several types: t stays in the order (and bounds the walk on a (t, …) order)
  t.same(keysetFilter(fullSort([]), ['Basic', 'b1'], true, ['Basic', 'Observation']),
    { $and: [{ t: { $gte: 'Basic' } }, { $or: [{ t: { $gt: 'Basic' } }, { $and: [{ t: 'Basic' }, { id: { $gt: 'b1' } }] }] }] });
  // a multikey first key gets no seek bound: bounding it would not keep an index order (README)
  const multi = at(fullSort([['x.date.s', -1]]), [7, 'Observation', 'o5']);
  t.notOk(JSON.stringify(multi).includes('"t"'), 'the one type drops out of the order');
});

t.test('with the search\'s one type, after and before keep exactly that type\'s rows on each side', async (t) => {
  const basic = docs.filter((d) => d.t === 'Basic');
  for (const user of [[], [['lu', 1]], [['lu', -1]], [['x.code', 1]], [['x.date.s', -1], ['lu', 1]], [['id', -1]]] as SortSpec[]) {
    const sort = fullSort(user);
    const ordered = sortDocs(basic, sort);
    for (const i of [0, 5, ordered.length - 1]) {
      const tuple = cursorTuple(cursorAt('after', ordered[i], sort), sort, ['Basic']);
      const qa = new Query(keysetFilter(sort, tuple, true, ['Basic']));
      const qb = new Query(keysetFilter(sort, tuple, false, ['Basic']));
      t.same(ordered.filter((d) => qa.test(d as never)).map((d) => d.id), ordered.slice(i + 1).map((d) => d.id), `${JSON.stringify(user)}: after row ${i}`);
      t.same(ordered.filter((d) => qb.test(d as never)).map((d) => d.id), ordered.slice(0, i).map((d) => d.id), `${JSON.stringify(user)}: before row ${i}`);
    }
  }
});

t.test('keysFilter: the rows of a keys-only page, per type', async (t) => {
  t.same(keysFilter([{ t: 'Basic', id: 'a' }, { t: 'Basic', id: 'b' }]), { t: 'Basic', id: { $in: ['a', 'b'] } });
  t.same(keysFilter([{ t: 'Basic', id: 'a' }, { t: 'Observation', id: 'a' }]), { $or: [{ t: 'Basic', id: { $in: ['a'] } }, { t: 'Observation', id: { $in: ['a'] } }] });
  const none = new Query(keysFilter([]));
  t.notOk(docs.some((d) => none.test(d as never)), 'no keys: no rows');
  t.doesNotThrow(() => searchFilter({ filter: keysFilter([{ t: 'Basic', id: 'a' }]) }), 'a filter the MongoDB adapter accepts');
});
