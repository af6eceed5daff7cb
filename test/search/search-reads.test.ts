import t from 'tap';
import type { Bundle } from '@medplum/fhirtypes';
import { testConfig } from '../../src/config.js';
import { searchBundle } from '../../src/search/search-service.js';
import type { ResourceStore, StoreQuery } from '../../src/storage/types.js';
import { seededStore, type R } from './dataset.js';
import { searchFilter, searchOptions } from '../../src/storage/mongodb/queries.js';

/**
 * What the store is asked to read. A `previous` page of a sort on an index field (where
 * reversing the sort does not give the rows before the cursor) counts them and skips to the page;
 * the rows skipped must be read as keys only (StoreQuery.read), never as whole documents (on
 * MongoDB a skip ships and sorts every skipped document), and the page's bodies only for its rows.
 * Reverse includes are read unsorted (a server-side sort of up to MAX_INCLUDES whole documents
 * would be a blocking sort of them all) and ordered here, with the rest of the included list.
 */
const data: R[] = Array.from({ length: 12 }, (_, i) => ({
  resourceType: 'Observation', id: `o${String(i).padStart(2, '0')}`, status: 'final', code: { text: 'x' },
  effectiveDateTime: `2020-01-${String(1 + (i % 4)).padStart(2, '0')}`, subject: { reference: 'Patient/p1' },
}));
data.push({ resourceType: 'Patient', id: 'p1' });
const store = seededStore(t, data, 'fgs-paging-reads-');
const seen: StoreQuery[] = [];
const spy = new Proxy(store, {
  get(target, prop, receiver) {
    if (prop === 'search') return (q: StoreQuery) => (seen.push(q), target.search(q));
    const v = Reflect.get(target, prop, receiver);
    return typeof v === 'function' ? v.bind(target) : v;
  },
}) as ResourceStore;
const ctx = { config: testConfig({ defaultCount: 3, maxCount: 50 }), store: spy };
const BASE = 'http://localhost/fhir';
const query = (qs: string) => {
  const out: Record<string, string[]> = {};
  for (const [k, v] of new URLSearchParams(qs)) (out[k] ??= []).push(v);
  return out;
};
const run = (qs: string, type = 'Observation') => searchBundle(ctx, { resourceType: type, query: query(qs), strict: true, baseUrl: BASE });
const ids = (b: Bundle) => (b.entry ?? []).map((e) => e.resource!.id);
const link = (b: Bundle, rel: string) => b.link?.find((l) => l.relation === rel)?.url.split('?')[1];

t.test('a previous page of a date sort skips over keys only, and reads bodies for its own rows', async (t) => {
  for (const sort of ['date', '-date']) {
    const pages: Bundle[] = [await run(`_sort=${sort}&_count=3`)];
    while (link(pages[pages.length - 1], 'next')) pages.push(await run(link(pages[pages.length - 1], 'next')!));
    t.equal(pages.length, 4, `_sort=${sort}: four pages`);
    seen.length = 0;
    const back = await run(link(pages[3], 'previous')!);
    t.same(ids(back), ids(pages[2]), `_sort=${sort}: previous from the last page is the third`);
    const skipping = seen.filter((q) => (q.skip ?? 0) > 0);
    t.ok(skipping.length > 0, 'the page is found by skipping');
    t.ok(skipping.every((q) => q.read === 'keys' && q.limit <= 3), 'what is skipped is read as keys, one page of them');
    const bodies = seen.filter((q) => q.limit > 0 && q.read === undefined);
    t.equal(bodies.length, 1, 'one query reads whole documents');
    t.notOk(bodies[0].skip, 'and skips nothing');
    t.ok(bodies[0].limit <= 3, 'the page\'s rows only');
  }
});

t.test('reverse includes are read unsorted and ordered after reading; forward ones by id on {t, id}', async (t) => {
  seen.length = 0;
  const b = await run('_id=p1&_revinclude=Observation:subject', 'Patient');
  const included = (b.entry ?? []).filter((e) => e.search?.mode === 'include').map((e) => e.resource!.id);
  t.same(included, data.filter((r) => r.resourceType === 'Observation').map((r) => r.id).sort(), 'in id order');
  const rev = seen.filter((q) => JSON.stringify(q.filter).includes('x.subject'));
  t.equal(rev.length, 1, 'one lookup');
  t.notOk(rev[0].sort?.length, 'sent without a sort');
  seen.length = 0;
  await run('_id=o03&_include=Observation:subject');
  const fwd = seen.filter((q) => q.types?.[0] === 'Patient');
  t.same(fwd.map((q) => q.sort), [[['t', 1], ['id', 1]]], 'a forward include by id, in {t, id} order');
});

/** The plain conjuncts of a filter (nested `$and`s flattened): where MongoDB's planner takes index bounds from. */
function conjuncts(f: Record<string, unknown>): Array<Record<string, unknown>> {
  if (Array.isArray(f.$and) && Object.keys(f).length === 1) return (f.$and as Array<Record<string, unknown>>).flatMap(conjuncts);
  return [f];
}

t.test('a next page reaches MongoDB with the cursor as an index bound on the sort\'s index', async (t) => {
  // `-_lastUpdated`: "not above", which a document without lu (a built-in definition) is too
  const notAbove = (v: unknown) => ({ $not: { $gt: v } });
  for (const [sort, field, op, sent] of [
    ['', 'id', '$gt', [['t', 1], ['id', 1]]],
    ['-_id', 'id', '$lt', [['id', -1], ['t', -1]]],
    ['_lastUpdated', 'lu', '$gte', [['lu', 1], ['t', 1], ['id', 1]]],
    ['-_lastUpdated', 'lu', notAbove, [['lu', -1], ['t', -1], ['id', -1]]],
  ] as const) {
    const first = await run(`_count=3${sort ? `&_sort=${sort}` : ''}`);
    const last = first.entry![2].resource!;
    seen.length = 0;
    await run(link(first, 'next')!);
    const q = seen.find((x) => x.limit > 0)!;
    const doc = searchFilter(q);
    const options = searchOptions(q);
    t.same(options.sort, sent, `_sort=${sort}: the sort document`);
    const at = field === 'id' ? last.id : Date.parse(last.meta!.lastUpdated!);
    const parts = conjuncts(doc);
    t.ok(parts.some((c) => JSON.stringify(c) === JSON.stringify({ t: 'Observation' })), `_sort=${sort}: the type, an equality`);
    const bound = typeof op === 'function' ? op(at) : { [op]: at };
    t.ok(parts.some((c) => JSON.stringify(c) === JSON.stringify({ [field]: bound })), `_sort=${sort}: ${field} ${JSON.stringify(bound)}, a plain conjunct`);
  }
});
