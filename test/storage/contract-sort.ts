import type tap from 'tap';
import type { Bundle, Resource } from '@medplum/fhirtypes';
import type { ResourceStore } from '../../src/storage/types.js';
import { indexResource, searchBundle } from '../../src/search/search-service.js';
import { testConfig } from '../../src/config.js';

/**
 * Storage contract, `_sort` and paging through the whole search (execute.ts over the store): the
 * same order on both stores, ties broken by (resourceType, id) in the direction of the sort's first
 * key, resources without the sort key first ascending and last descending (MongoDB's order), and
 * keyset paging through runs of ties in both directions with neither duplicates nor gaps.
 * Included resources come in (resourceType, id) order after the matches.
 */
type Test = Parameters<Parameters<typeof tap.test>[0]>[0];

const config = testConfig({ defaultCount: 3, maxCount: 50 });
const BASE = config.baseUrl;

// Inserted out of id order, so that no store's natural (insertion) order passes for a sorted one
const OBS: Array<[id: string, date: string | undefined, status: string]> = [
  ['g', '2021-05-05', 'final'], ['c', '2021-05-05', 'amended'], ['a', '2020-01-01', 'final'], ['h', '2019-03-03', 'final'],
  ['e', '2020-01-01', 'amended'], ['b', '2020-01-01', 'final'], ['f', undefined, 'amended'], ['d', undefined, 'final'],
];

function resources(): Array<Resource & { id: string }> {
  const out: Array<Resource & { id: string }> = [];
  for (const [id, date, status] of OBS) {
    out.push({
      resourceType: 'Observation', id, status: status as 'final', code: { coding: [{ system: 'urn:sort', code: 'k' }] },
      subject: { reference: 'Patient/ps' }, ...(date ? { effectiveDateTime: date } : {}),
    });
  }
  // the same ids under another type: ties on `_id` across types, broken by the type
  for (const id of ['g', 'a']) out.push({ resourceType: 'Basic', id, code: { coding: [{ system: 'urn:sort', code: 'k' }] } });
  out.push({ resourceType: 'Patient', id: 'ps' });
  out.push({
    resourceType: 'DiagnosticReport', id: 'rs', status: 'final', code: { text: 'r' }, subject: { reference: 'Patient/ps' },
    result: ['h', 'c', 'a', 'g'].map((id) => ({ reference: `Observation/${id}` })),
  });
  return out;
}

/** The order the contract states, computed independently of the stores: by `key` (missing lowest), then type and id, the tie-break in the first key's direction. */
function expected(keys: Array<[(id: string) => string | undefined, 1 | -1]>, ids: string[]): string[] {
  const cmp = (a: string | undefined, b: string | undefined) => (a === b ? 0 : a === undefined ? -1 : b === undefined ? 1 : a < b ? -1 : 1);
  return [...ids].sort((x, y) => {
    for (const [k, d] of keys) {
      const c = cmp(k(x), k(y));
      if (c) return c * d;
    }
    return cmp(x, y) * keys[0][1];
  });
}

const dateOf = (id: string) => OBS.find((o) => o[0] === id)![1];
const statusOf = (id: string) => OBS.find((o) => o[0] === id)![2];
const OBS_IDS = OBS.map((o) => o[0]);

function query(qs: string): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const [k, v] of new URLSearchParams(qs)) (out[k] ??= []).push(v);
  return out;
}

const keys = (b: Bundle, mode: string) => (b.entry ?? []).filter((e) => e.search?.mode === mode).map((e) => `${e.resource!.resourceType}/${e.resource!.id}`);

export function sortContract(t: Test, withStore: (name: string, fn: (t: Test, s: ResourceStore) => Promise<void>) => void): void {
  const seed = async (s: ResourceStore) => {
    for (const r of resources()) await s.transaction((tx) => tx.put(r, indexResource(r, BASE)));
  };
  const run = (s: ResourceStore, type: string | undefined, qs: string) =>
    searchBundle({ config, store: s }, { resourceType: type, query: query(qs), strict: true, baseUrl: BASE });
  /** Every page, following `next` from the first, then `previous` back from the last. */
  const pages = async (s: ResourceStore, type: string | undefined, qs: string) => {
    const forward: string[][] = [];
    let b = await run(s, type, qs);
    for (let i = 0; i < 50; i++) {
      forward.push(keys(b, 'match'));
      const next = b.link?.find((l) => l.relation === 'next')?.url;
      if (!next) break;
      b = await run(s, type, next.split('?')[1]);
    }
    const backward: string[][] = [keys(b, 'match')];
    for (let i = 0; i < 50; i++) {
      const prev = b.link?.find((l) => l.relation === 'previous')?.url;
      if (!prev) break;
      b = await run(s, type, prev.split('?')[1]);
      backward.unshift(keys(b, 'match'));
    }
    return { forward, backward };
  };

  withStore('_sort: ties broken by (type, id) in the sort\'s direction, missing keys first ascending and last descending', async (t, s) => {
    await seed(s);
    const obs = (ids: string[]) => ids.map((id) => `Observation/${id}`);
    const cases: Array<[string, Array<[(id: string) => string | undefined, 1 | -1]>]> = [
      ['date', [[dateOf, 1]]],
      ['-date', [[dateOf, -1]]],
      ['status', [[statusOf, 1]]],
      ['-status', [[statusOf, -1]]],
      ['status,-date', [[statusOf, 1], [dateOf, -1]]],
      ['-status,date', [[statusOf, -1], [dateOf, 1]]],
    ];
    for (const [sort, spec] of cases) {
      const want = obs(expected(spec, OBS_IDS));
      t.same(keys(await run(s, 'Observation', `code=urn:sort|k&_sort=${sort}&_count=50`), 'match'), want, `_sort=${sort}: one page`);
      const { forward, backward } = await pages(s, 'Observation', `code=urn:sort|k&_sort=${sort}&_count=3`);
      t.same(forward.flat(), want, `_sort=${sort}: pages of 3 through the ties, following next`);
      t.same(backward, forward, `_sort=${sort}: the same pages following previous back`);
    }
    // spelled out once, so that the rule is readable here: 2020-01-01 holds a, b and e
    t.same(keys(await run(s, 'Observation', 'code=urn:sort|k&_sort=-date&_count=50'), 'match'), obs(['g', 'c', 'e', 'b', 'a', 'h', 'f', 'd']));
    t.same(keys(await run(s, 'Observation', 'code=urn:sort|k&_sort=date&_count=50'), 'match'), obs(['d', 'f', 'h', 'a', 'b', 'e', 'c', 'g']));
  });

  withStore('_sort across types: a tie on _id is broken by the type, in the sort\'s direction', async (t, s) => {
    await seed(s);
    const all = ['Basic/a', 'Basic/g', ...OBS_IDS.map((id) => `Observation/${id}`)];
    const byId = (dir: 1 | -1) => [...all].sort((x, y) => {
      const [tx, ix] = x.split('/');
      const [ty, iy] = y.split('/');
      return dir * (ix < iy ? -1 : ix > iy ? 1 : tx < ty ? -1 : tx > ty ? 1 : 0);
    });
    for (const [sort, dir] of [['_id', 1], ['-_id', -1]] as const) {
      const qs = `_type=Basic,Observation&_sort=${sort}`;
      t.same(keys(await run(s, undefined, `${qs}&_count=50`), 'match'), byId(dir), `_sort=${sort}`);
      const { forward, backward } = await pages(s, undefined, `${qs}&_count=3`);
      t.same(forward.flat(), byId(dir), `_sort=${sort}: paged`);
      t.same(backward, forward, `_sort=${sort}: paged back`);
    }
    t.same(keys(await run(s, undefined, '_type=Basic,Observation&_sort=-_id&_count=3'), 'match'), ['Observation/h', 'Observation/g', 'Basic/g']);
  });

  withStore('paging without _sort: (type, id) ascending, both ways', async (t, s) => {
    await seed(s);
    const want = [...OBS_IDS].sort().map((id) => `Observation/${id}`);
    const { forward, backward } = await pages(s, 'Observation', 'code=urn:sort|k&_count=3');
    t.same(forward.flat(), want);
    t.same(backward, forward);
  });

  withStore('_include and _revinclude: after the matches, in (type, id) order', async (t, s) => {
    await seed(s);
    const inc = await run(s, 'DiagnosticReport', '_id=rs&_include=DiagnosticReport:result&_include=DiagnosticReport:subject');
    t.same(keys(inc, 'include'), ['Observation/a', 'Observation/c', 'Observation/g', 'Observation/h', 'Patient/ps'], 'forward includes');
    const rev = await run(s, 'Patient', '_id=ps&_revinclude=Observation:subject&_revinclude=DiagnosticReport:subject');
    t.same(keys(rev, 'include'), ['DiagnosticReport/rs', ...[...OBS_IDS].sort().map((id) => `Observation/${id}`)], 'reverse includes');
    const iter = await run(s, 'Patient', '_id=ps&_revinclude=DiagnosticReport:subject&_include:iterate=DiagnosticReport:result');
    t.same(keys(iter, 'include'), ['DiagnosticReport/rs', 'Observation/a', 'Observation/c', 'Observation/g', 'Observation/h'], 'with :iterate, every round together');
  });
}
