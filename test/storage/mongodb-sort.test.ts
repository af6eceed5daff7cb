import t from 'tap';
import type { IndexDescription } from 'mongodb';
import { indexSpecs } from '../../src/storage/mongodb/index-specs.js';
import { searchOptions } from '../../src/storage/mongodb/queries.js';
import { searchIndexFields } from '../../src/search/search-service.js';
import { sortField } from '../../src/search/compile.js';
import { getParam } from '../../src/search/registry.js';
import { fullSort } from '../../src/search/paging.js';
import { sortDocs } from '../../src/search/sort-order.js';
import type { SortSpec } from '../../src/storage/types.js';
import { indexResource } from '../../src/search/search-service.js';

// `_sort` on MongoDB: the sort document the adapter sends, the order MongoDB gives it (its
// documented rule for arrays, which the embedded store's sortDocs follows), and which sorts an
// index hands out in order.

/** The sort document a search of `type` with `_sort=raw` sends (execute.ts: sortField, then fullSort). */
function mongoSort(type: string, raw: string): Array<[string, 1 | -1]> {
  const user: SortSpec = raw ? raw.split(',').map((k) => [sortField(getParam(type, k.replace(/^-/, ''))!, type), k.startsWith('-') ? -1 : 1]) : [];
  return searchOptions({ sort: fullSort(user), limit: 10 }).sort;
}

/**
 * An index that hands out `sort` in order for one type (`t` by equality, so it drops out of the
 * sort): its key after `t` is the sort, or the sort reversed (walked backwards). MongoDB also
 * needs the query to bound no multikey field of the sort (every x.* field is an array): the
 * first page of a search that does not filter on the sort field.
 */
function sortIndex(sort: Array<[string, 1 | -1]>, specs: IndexDescription[]): string | undefined {
  const want = sort.filter(([f]) => f !== 't');
  for (const s of specs) {
    const key = Object.entries(s.key as Record<string, number>);
    if (key[0]?.[0] !== 't') continue;
    const rest = key.slice(1);
    if (rest.length !== want.length || !rest.every(([f], i) => f === want[i][0])) continue;
    if (rest.every(([, d], i) => d === want[i][1]) || rest.every(([, d], i) => d === -want[i][1])) return s.name;
  }
  return undefined;
}

t.test('the sort document: the sort keys, then (t, id) as the tie-break in the first key\'s direction, no _id after them', async (t) => {
  t.same(mongoSort('Observation', '-date'), [['x.date.s', -1], ['t', -1], ['id', -1]]);
  t.same(mongoSort('Observation', 'date'), [['x.date.s', 1], ['t', 1], ['id', 1]]);
  t.same(mongoSort('Observation', '-_lastUpdated'), [['lu', -1], ['t', -1], ['id', -1]]);
  t.same(mongoSort('Observation', 'value-quantity'), [['x.value-quantity__o', 1], ['t', 1], ['id', 1]], 'a quantity by its order values, canonical where the unit converts');
  t.same(mongoSort('Observation', '-status,date'), [['x.status', -1], ['x.date.s', 1], ['t', -1], ['id', -1]], 'several keys: the first one\'s direction');
  t.same(mongoSort('Observation', '-_id'), [['id', -1], ['t', -1]], 'an explicit _id keeps its place; t follows it');
  t.same(mongoSort('Observation', ''), [['t', 1], ['id', 1]]);
});

t.test('arrays sort by their lowest value ascending and their highest descending, missing first ascending (MongoDB\'s rule)', async (t) => {
  // https://www.mongodb.com/docs/manual/reference/bson-type-comparison-order/ ("an ascending sort
  // compares the smallest elements of the arrays, a descending sort the largest"); the embedded store's
  // sortDocs is the order both stores must give
  const doc = (id: string, starts: number[] | undefined) => ({ t: 'Observation', id, x: starts ? { date: starts.map((s) => ({ s, e: s + 1 })) } : {} });
  const docs = [doc('a', [5, 1]), doc('b', [3]), doc('c', [2, 9]), doc('d', undefined), doc('e', [3, 4])];
  const ids = (sort: SortSpec) => sortDocs(docs, fullSort(sort)).map((d) => d.id);
  t.same(ids([['x.date.s', 1]]), ['d', 'a', 'c', 'b', 'e'], 'by the lowest start: a(1) c(2) b(3) e(3), ties by id, missing first');
  t.same(ids([['x.date.s', -1]]), ['c', 'a', 'e', 'b', 'd'], 'by the highest start: c(9) a(5) e(4) b(3), missing last');
  const tied = [doc('a', [3]), doc('b', [3, 1]), doc('c', [3]), doc('d', undefined), doc('e', undefined)];
  t.same(sortDocs(tied, fullSort([['x.date.s', -1]])).map((d) => d.id), ['c', 'b', 'a', 'e', 'd'], 'ties (and the missing) by id descending under a descending sort');
  t.same(sortDocs(tied, fullSort([['x.date.s', 1]])).map((d) => d.id), ['d', 'e', 'b', 'a', 'c'], 'and ascending under an ascending one');
});

t.test('an index hands out the sorts of _lastUpdated and of dates both ways, and the default order both ways', async (t) => {
  const specs = indexSpecs(searchIndexFields()).resources;
  t.equal(sortIndex(mongoSort('Observation', ''), specs), 't_id');
  t.equal(sortIndex(mongoSort('Observation', '_id'), specs), 't_id', '_sort=_id, (id, t) with t an equality');
  t.equal(sortIndex(mongoSort('Observation', '-_id'), specs), 't_id', '_sort=-_id, walked backwards');
  t.equal(sortIndex(mongoSort('Observation', '_lastUpdated'), specs), 't_lu_id');
  t.equal(sortIndex(mongoSort('Observation', '-_lastUpdated'), specs), 't_lu_id', 'walked backwards');
  for (const [type, code] of [['Observation', 'date'], ['Patient', 'birthdate'], ['DiagnosticReport', 'issued'], ['Specimen', 'collected'], ['ServiceRequest', 'authored']]) {
    t.equal(sortIndex(mongoSort(type, `-${code}`), specs), `t_x.${code}.s_id`, `${type}?_sort=-${code} (backwards)`);
    t.equal(sortIndex(mongoSort(type, code), specs), `t_x.${code}.s_id`, `${type}?_sort=${code}`);
  }
  t.equal(sortIndex(mongoSort('Observation', 'status'), specs), undefined, 'other parameters sort in memory (top-k)');
});

t.test('_sort on a quantity: the field MongoDB sorts by holds canonical values, so both stores order 1 g after 500 mg', async (t) => {
  const q = (id: string, valueQuantity: Record<string, unknown>) => ({
    t: 'Observation', id, x: indexResource({ resourceType: 'Observation', id, status: 'final', code: { text: 'x' }, valueQuantity } as never, ''),
  });
  const U = 'http://unitsofmeasure.org';
  const docs = [
    q('g1', { value: 1, system: U, code: 'g' }), q('mg500', { value: 500, system: U, code: 'mg' }), q('hg', { value: 120, system: U, code: 'mm[Hg]' }),
    q('f99', { value: 99, system: U, code: '[degF]' }), q('c37', { value: 37, system: U, code: 'Cel' }), q('none', { value: 3, system: 'http://ex.org/u', code: 'g' }),
  ];
  const sort = mongoSort('Observation', 'value-quantity');
  t.same(sort[0], ['x.value-quantity__o', 1]);
  t.same(docs.map((d) => [d.id, d.x['value-quantity__o']]), [['g1', [1]], ['mg500', [0.5]], ['hg', [120]], ['f99', [310.372222222222]], ['c37', [310.15]], ['none', [3]]],
    'canonical (g, K) where UCUM converts the unit, the stated value otherwise');
  t.same(sortDocs(docs, sort).map((d) => d.id), ['mg500', 'g1', 'none', 'hg', 'c37', 'f99']);
  t.same(sortDocs(docs, mongoSort('Observation', '-value-quantity')).map((d) => d.id), ['f99', 'c37', 'hg', 'none', 'g1', 'mg500']);
});
