import tap from 'tap';
import type { Resource } from '@medplum/fhirtypes';
import { FhirError } from '../../src/fhir/errors.js';
import type { ResourceStore, SearchIndex, StoreTx, VersionRecord } from '../../src/storage/types.js';
import { indexResource } from '../../src/search/search-service.js';
import { prepareChunk, unpackChunk } from '../../src/prepare/prepare.js';
import { testConfig } from '../../src/config.js';
import { parseSearch } from '../../src/search/parse.js';
import { buildFilter } from '../../src/search/build-filter.js';
import { datePrefix, periodInterval } from '../search/oracle.js';
import { sortContract } from './contract-sort.js';
import { readThrough } from '../../src/storage/tx-view.js';
/** The test servers' base URL (testConfig): the own base indexing is told. */
const BASE = testConfig().baseUrl;
const indexAt = (r: Resource) => indexResource(r, BASE);

/**
 * The one storage contract suite (DESIGN.md: one interface, two adapters, one suite). Each
 * adapter's test file calls `runStoreContract` with a factory that opens an initialized store
 * over EMPTY state; the suite closes it after each subtest.
 */
export interface StoreFactory {
  open(): Promise<ResourceStore>;
  /** Optional: drop what `open` created (e.g. the MongoDB test database). */
  cleanup?(store: ResourceStore): Promise<void>;
}

type Test = Parameters<Parameters<typeof tap.test>[0]>[0];

const put = (s: ResourceStore, r: Resource & { id: string }, x: SearchIndex = {}, ifVersion?: number) =>
  s.transaction((tx) => tx.put(r, x, ifVersion === undefined ? undefined : { ifVersion }));
const body = (r: VersionRecord | undefined) => (r?.json ? (JSON.parse(r.json) as Resource) : undefined);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function rejectsWith(t: Test, p: Promise<unknown>, status: number, msg: string): Promise<void> {
  try {
    await p;
    t.fail(`${msg}: expected a ${status} error`);
  } catch (e) {
    t.ok(e instanceof FhirError, `${msg}: a FhirError`);
    t.equal((e as FhirError).status, status, `${msg}: status ${status}`);
  }
}

export function runStoreContract(t: Test, factory: StoreFactory): void {
  const withStore = (name: string, fn: (t: Test, s: ResourceStore) => Promise<void>) =>
    t.test(name, async (t) => {
      const s = await factory.open();
      try {
        await fn(t, s);
      } finally {
        await factory.cleanup?.(s);
        await s.close();
      }
    });

  withStore('one-time keys (used assertion jtis): claimed once until they expire', async (t, s) => {
    t.ok(s.claimOnce, 'every store keeps them');
    const now = Date.now();
    const [a, b] = await Promise.all([s.claimOnce!('k1', now + 60_000), s.claimOnce!('k1', now + 60_000)]);
    t.same([a, b].sort(), [false, true], 'of two concurrent claims one wins');
    t.equal(await s.claimOnce!('k1', now + 60_000), false, 'a later claim is refused');
    t.equal(await s.claimOnce!('k2', now - 1), true);
    t.equal(await s.claimOnce!('k2', now + 60_000), true, 'an expired key is claimable again');
  });

  withStore('versions, tombstones and vread', async (t, s) => {
    t.ok(await s.ping(), 'ping answers');
    const input = { resourceType: 'Patient' as const, id: 'p1', meta: { versionId: '99', lastUpdated: '2000-01-01T00:00:00Z' }, active: true };
    const r1 = await put(s, input, { _id: ['p1'] });
    t.equal(r1.versionId, 1, 'first version is 1');
    t.equal(input.meta.versionId, '99', 'the caller object is not mutated');
    t.equal(body(r1)?.meta?.versionId, '1', 'meta.versionId comes from the store');
    t.equal(body(r1)?.meta?.lastUpdated, r1.lastUpdated, 'meta.lastUpdated comes from the store');
    t.match(r1.lastUpdated, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    await sleep(2);
    const r2 = await put(s, { resourceType: 'Patient', id: 'p1', active: false });
    t.equal(r2.versionId, 2);
    t.ok(Date.parse(r2.lastUpdated) >= Date.parse(r1.lastUpdated), 'time does not go backwards');
    t.equal((body(await s.read('Patient', 'p1')) as { active?: boolean }).active, false, 'read answers the current version');
    const del = await s.transaction((tx) => tx.delete('Patient', 'p1'));
    t.equal(del?.versionId, 3, 'delete writes a tombstone version');
    t.equal(del?.deleted, true);
    const cur = await s.read('Patient', 'p1');
    t.equal(cur?.deleted, true, 'read answers the tombstone');
    t.equal(cur?.json, undefined, 'a tombstone has no body');
    t.equal((body(await s.vread('Patient', 'p1', 1)) as { active?: boolean }).active, true, 'vread of an old version');
    t.equal((await s.vread('Patient', 'p1', 3))?.deleted, true, 'vread of the tombstone');
    t.equal(await s.vread('Patient', 'p1', 4), undefined, 'vread past the end');
    t.equal(await s.read('Patient', 'nope'), undefined, 'unknown id');
    t.equal(await s.transaction((tx) => tx.delete('Patient', 'p1')), undefined, 'deleting a tombstone writes nothing');
    t.equal(await s.transaction((tx) => tx.delete('Patient', 'nope')), undefined, 'deleting nothing writes nothing');
    const r4 = await put(s, { resourceType: 'Patient', id: 'p1' });
    t.equal(r4.versionId, 4, 'a write after delete continues the version sequence');
  });

  withStore('ifVersion preconditions', async (t, s) => {
    t.equal((await put(s, { resourceType: 'Patient', id: 'c1' }, {}, 0)).versionId, 1, 'ifVersion 0 creates');
    await rejectsWith(t, put(s, { resourceType: 'Patient', id: 'c1' }, {}, 0), 412, 'ifVersion 0 on an existing resource');
    await rejectsWith(t, put(s, { resourceType: 'Patient', id: 'c1' }, {}, 5), 412, 'stale ifVersion');
    t.equal((await s.read('Patient', 'c1'))?.versionId, 1, 'a failed precondition stores nothing');
    t.equal((await put(s, { resourceType: 'Patient', id: 'c1' }, {}, 1)).versionId, 2, 'matching ifVersion updates');
    await rejectsWith(t, s.transaction((tx) => tx.delete('Patient', 'c1', { ifVersion: 1 })), 412, 'delete with stale ifVersion');
    t.equal((await s.read('Patient', 'c1'))?.deleted, false);
    t.equal((await s.transaction((tx) => tx.delete('Patient', 'c1', { ifVersion: 2 })))?.versionId, 3);
  });

  withStore('history: instance, type, system, since, paging', async (t, s) => {
    await put(s, { resourceType: 'Patient', id: 'h1' });
    await put(s, { resourceType: 'Observation', id: 'o1', status: 'final', code: {} });
    await sleep(5);
    const mid = await put(s, { resourceType: 'Patient', id: 'h1' });
    await put(s, { resourceType: 'Patient', id: 'h2' });
    await s.transaction((tx) => tx.delete('Observation', 'o1'));
    await put(s, { resourceType: 'Patient', id: 'h2' });

    const inst = await s.history({ resourceType: 'Patient', id: 'h1', limit: 10 });
    t.same(inst.records.map((r) => r.versionId), [2, 1], 'instance history, newest first');
    t.equal(inst.total, 2);
    const type = await s.history({ resourceType: 'Patient', limit: 10 });
    t.same(type.records.map((r) => `${r.id}/${r.versionId}`), ['h2/2', 'h2/1', 'h1/2', 'h1/1'], 'type history, newest first');
    const sys = await s.history({ limit: 10 });
    t.same(sys.records.map((r) => `${r.resourceType}/${r.id}/${r.versionId}`),
      ['Patient/h2/2', 'Observation/o1/2', 'Patient/h2/1', 'Patient/h1/2', 'Observation/o1/1', 'Patient/h1/1'], 'system history');
    t.equal(sys.records[1].deleted, true, 'history includes tombstones');

    for (let i = 1; i < sys.records.length; i++) t.ok(sys.records[i - 1].seq > sys.records[i].seq, 'seq strictly decreases');

    const since = await s.history({ limit: 10, since: Date.parse(mid.lastUpdated) });
    t.equal(since.total, 4, '_since keeps versions at or after the instant');
    t.ok(since.records.every((r) => Date.parse(r.lastUpdated) >= Date.parse(mid.lastUpdated)));
    const before = await s.history({ limit: 10, before: Date.parse(mid.lastUpdated) - 1 });
    t.equal(before.total, 2, '_at keeps versions at or before the instant');

    const seen: string[] = [];
    let cursor: number | undefined;
    for (let page = 0; page < 10; page++) {
      const p = await s.history({ limit: 4, beforeSeq: cursor });
      t.equal(p.total, 6, 'total does not depend on the cursor');
      seen.push(...p.records.map((r) => `${r.resourceType}/${r.id}/${r.versionId}`));
      if (p.records.length < 4) break;
      cursor = p.records[p.records.length - 1].seq;
    }
    t.same(seen, sys.records.map((r) => `${r.resourceType}/${r.id}/${r.versionId}`), 'keyset paging visits every version once');
    const typePaged = await s.history({ resourceType: 'Patient', limit: 2, beforeSeq: type.records[1].seq });
    t.same(typePaged.records.map((r) => `${r.id}/${r.versionId}`), ['h1/2', 'h1/1'], 'type history paging');
  });

  withStore('history marks the versions that re-create a deleted resource', async (t, s) => {
    await put(s, { resourceType: 'Patient', id: 'r1' });
    await put(s, { resourceType: 'Patient', id: 'r1' });
    await s.transaction((tx) => tx.delete('Patient', 'r1'));
    await put(s, { resourceType: 'Patient', id: 'r1' });
    await put(s, { resourceType: 'Patient', id: 'r1' });
    await put(s, { resourceType: 'Patient', id: 'r2' });
    const marks = (rs: Array<{ id: string; versionId: number; afterDeletion?: true }>) => rs.map((r) => `${r.id}/${r.versionId}${r.afterDeletion ? '+' : ''}`);
    t.same(marks((await s.history({ resourceType: 'Patient', limit: 10 })).records), ['r2/1', 'r1/5', 'r1/4+', 'r1/3', 'r1/2', 'r1/1'], 'type level');
    t.same(marks((await s.history({ resourceType: 'Patient', id: 'r1', limit: 2, beforeSeq: (await s.history({ limit: 3 })).records[1].seq })).records), ['r1/4+', 'r1/3'], 'on a later page');
  });

  withStore('history leaves out the resources it is told to hide (stored rows under built-in ids)', async (t, s) => {
    const sp = (id: string) => ({ resourceType: 'SearchParameter', id }) as Resource & { id: string };
    await put(s, sp('hid'));
    await put(s, { resourceType: 'Patient', id: 'p1' });
    await put(s, sp('own'));
    await sleep(5);
    const mid = await put(s, sp('hid'));
    await s.transaction((tx) => tx.delete('SearchParameter', 'hid'));
    await put(s, sp('own'));
    const hide = { SearchParameter: ['hid', 'absent'], OperationDefinition: ['hid'] };
    const keys = (rs: Array<{ resourceType: string; id: string; versionId: number }>) => rs.map((r) => `${r.resourceType}/${r.id}/${r.versionId}`);
    const type = await s.history({ resourceType: 'SearchParameter', limit: 10, hide });
    t.same(keys(type.records), ['SearchParameter/own/2', 'SearchParameter/own/1'], 'type level: the hidden versions (a tombstone too) are left out');
    t.equal(type.total, 2, 'and not counted');
    const sys = await s.history({ limit: 10, hide });
    t.same(keys(sys.records), ['SearchParameter/own/2', 'SearchParameter/own/1', 'Patient/p1/1'], 'system level');
    t.equal(sys.total, 3);
    const since = await s.history({ limit: 10, since: Date.parse(mid.lastUpdated), hide });
    t.same([keys(since.records), since.total], [['SearchParameter/own/2'], 1], '_since: counted in its range only');
    const before = await s.history({ limit: 10, before: Date.parse(mid.lastUpdated) - 1, hide });
    t.same([keys(before.records), before.total], [['SearchParameter/own/1', 'Patient/p1/1'], 2], '_at too');
    const seen: string[] = [];
    let cursor: number | undefined;
    for (let page = 0; page < 10; page++) {
      const p = await s.history({ limit: 1, beforeSeq: cursor, hide });
      t.equal(p.total, 3, 'the total does not depend on the cursor');
      seen.push(...keys(p.records));
      if (!p.records.length) break;
      cursor = p.records[p.records.length - 1].seq;
    }
    t.same(seen, keys(sys.records), 'pages of one: every shown version once, none hidden');
    t.equal((await s.history({ limit: 10 })).total, 6, 'without hide: every version');
    t.equal((await s.history({ resourceType: 'Patient', limit: 10, hide })).total, 1, 'another type: unchanged');
  });

  withStore('search over IndexedDoc fields', async (t, s) => {
    const obs = (id: string, code: string, n: number) =>
      put(s, { resourceType: 'Observation', id, status: 'final', code: {} }, { code: [code, 'http://x|all'], n: [n] });
    await obs('a', 'http://loinc.org|1', 3);
    await obs('b', 'http://loinc.org|2', 1);
    await obs('c', 'http://loinc.org|1', 2);
    await obs('d', 'http://loinc.org|1', 9);
    await put(s, { resourceType: 'Patient', id: 'pa' }, { code: ['http://loinc.org|1'] });
    await s.transaction((tx) => tx.delete('Observation', 'd'));

    const r = await s.search({ types: ['Observation'], filter: { 'x.code': 'http://loinc.org|1' }, sort: [['id', 1]], limit: 10, count: true });
    t.same(r.records.map((x) => x.id), ['a', 'c'], 'array field match; deleted resources are not found');
    t.equal(r.total, 2);
    t.same(r.docs.map((d) => [d.t, d.id, d.v]), [['Observation', 'a', 1], ['Observation', 'c', 1]], 'docs carry t, id, v');
    t.ok(r.docs.every((d) => typeof d.seq === 'number' && typeof d.lu === 'number'), 'docs carry seq and lu');
    t.same(r.docs[0].x, { code: ['http://loinc.org|1', 'http://x|all'], n: [3] }, 'docs carry the index');
    t.equal(r.records[0].json && JSON.parse(r.records[0].json).id, 'a', 'records carry the body');

    const both = await s.search({ types: ['Observation', 'Patient'], filter: { 'x.code': 'http://loinc.org|1' }, sort: [['id', -1]], limit: 10 });
    t.same(both.records.map((x) => x.id), ['pa', 'c', 'a'], 'several types, descending sort');
    const all = await s.search({ filter: { 'x.code': 'http://loinc.org|1' }, sort: [['id', 1]], limit: 10 });
    t.same(all.records.map((x) => x.id), ['a', 'c', 'pa'], 'all types when types is absent');
    const paged = await s.search({ types: ['Observation'], filter: {}, sort: [['id', 1]], limit: 1, skip: 1, count: true });
    t.same(paged.records.map((x) => x.id), ['b'], 'skip and limit');
    t.equal(paged.total, 3, 'count ignores skip and limit');
    const range = await s.search({ types: ['Observation'], filter: { 'x.n': { $gte: 2 } }, sort: [['id', 1]], limit: 10 });
    t.same(range.records.map((x) => x.id), ['a', 'c'], 'range operator over an array field');
    const none = await s.search({ types: ['Nothing'], filter: {}, limit: 10, count: true });
    t.same([none.records.length, none.total], [0, 0], 'unknown type finds nothing');
    const byId = await s.search({ types: ['Observation'], filter: { id: { $in: ['b', 'zz'] } }, limit: 10 });
    t.same(byId.records.map((x) => x.id), ['b'], 'filter on id');
    // a search that reads less (StoreQuery.read): the same matches in the same order, with what it reads
    const keys = await s.search({ types: ['Observation'], filter: { 'x.code': 'http://loinc.org|1' }, sort: [['x.n', -1], ['t', 1], ['id', 1]], limit: 10, read: 'keys' });
    t.same(keys.docs.map((d) => [d.t, d.id, d.v]), [['Observation', 'a', 1], ['Observation', 'c', 1]], 'keys: t, id and v, in sort order');
    t.same(keys.records.map((x) => x.id), ['a', 'c']);
    const docs = await s.search({ types: ['Observation'], filter: { 'x.n': { $gte: 2 } }, sort: [['id', 1]], limit: 10, read: 'docs' });
    t.same(docs.docs.map((d) => d.x.n), [[3], [2]], 'docs: the index of each match');
  });

  withStore('date prefixes over stored ranges follow search.html#prefix (the compiled documents, as both stores run them)', async (t, s) => {
    // instants, days, months, a year, periods closed, open-ended on either side and long: each
    // prefix must find what the rules say, whichever side of the range its document bounds
    const effective: Record<string, Record<string, unknown>> = {
      year: { effectiveDateTime: '2020' },
      month: { effectiveDateTime: '2020-01' },
      day: { effectiveDateTime: '2020-06-15' },
      lastSecond2019: { effectiveDateTime: '2019-12-31T23:59:59Z' },
      firstInstant2021: { effectiveDateTime: '2021-01-01T00:00:00Z' },
      lastMs2020: { effectiveDateTime: '2020-12-31T23:59:59.999Z' },
      straddles: { effectivePeriod: { start: '2019-06', end: '2020-06' } },
      openEnd: { effectivePeriod: { start: '2020-03-01' } },
      openStart: { effectivePeriod: { end: '2020-02-01' } },
      long: { effectivePeriod: { start: '2018', end: '2022' } },
      none: {},
    };
    for (const [id, e] of Object.entries(effective)) {
      const r = { resourceType: 'Observation' as const, id, status: 'final' as const, code: { text: 'x' }, ...e };
      await put(s, r, indexAt(r));
    }
    const target = (id: string) => {
      const e = effective[id];
      return periodInterval(e.effectiveDateTime ?? e.effectivePeriod);
    };
    for (const value of ['2020', '2020-06', '2020-06-15', '2019-12-31T23:59:59Z', '2021', '2019', '2020-02-01']) {
      for (const prefix of ['eq', 'ne', 'gt', 'lt', 'ge', 'le', 'sa', 'eb', 'ap']) {
        const q = `${prefix}${value}`;
        const parsed = parseSearch('Observation', { date: [q] }, true);
        const filter = await buildFilter(s, 'Observation', parsed.clauses, BASE);
        const found = await s.search({ types: ['Observation'], filter, sort: [['id', 1]], limit: 100 });
        const expected = Object.keys(effective).filter((id) => datePrefix(target(id), q)).sort();
        t.same(found.records.map((r) => r.id), expected, `date=${q}`);
      }
    }
  });

  withStore('transaction atomicity', async (t, s) => {
    await put(s, { resourceType: 'Patient', id: 'keep' });
    const boom = new Error('boom');
    try {
      await s.transaction(async (tx) => {
        await tx.put({ resourceType: 'Patient', id: 't1' }, {});
        await tx.put({ resourceType: 'Patient', id: 'keep' }, {});
        throw boom;
      });
      t.fail('the error propagates');
    } catch (e) {
      t.equal(e, boom, 'the work error propagates unchanged');
    }
    t.equal(await s.read('Patient', 't1'), undefined, 'nothing the failed work wrote is stored');
    t.equal((await s.read('Patient', 'keep'))?.versionId, 1, 'earlier data is untouched');
    t.equal((await s.history({ limit: 10 })).total, 1, 'history is untouched');
    if (s.supportsTransactions()) {
      const [a, b] = await s.transaction(async (tx) => [
        await tx.put({ resourceType: 'Patient', id: 'm1' }, {}),
        await tx.put({ resourceType: 'Observation', id: 'm2', status: 'final', code: {} }, {}),
      ], { multi: true });
      t.equal(a.lastUpdated, b.lastUpdated, 'one transaction, one lastUpdated');
      t.ok(await s.read('Observation', 'm2'), 'a multi-resource transaction commits every write');
    } else {
      await rejectsWith(t, s.transaction(async (tx) => tx.put({ resourceType: 'Patient', id: 'm1' }, {}), { multi: true }), 501,
        'a multi-resource transaction without transaction support');
      t.equal(await s.read('Patient', 'm1'), undefined, 'and nothing is stored');
    }
  });

  withStore('reads inside a transaction see its own writes', async (t, s) => {
    await put(s, { resourceType: 'Patient', id: 'gone' }, { name: ['z'] });
    await s.transaction(async (tx: StoreTx) => {
      await tx.put({ resourceType: 'Patient', id: 'own', active: true }, { name: ['z'] });
      t.equal((await tx.read('Patient', 'own'))?.versionId, 1, 'read sees the staged write');
      t.equal((body(await tx.read('Patient', 'own')) as { active?: boolean }).active, true);
      const found = await tx.search({ types: ['Patient'], filter: { 'x.name': 'z' }, sort: [['id', 1]], limit: 10, count: true });
      t.same(found.records.map((r) => r.id), ['gone', 'own'], 'search sees the staged write beside committed ones');
      t.equal(found.total, 2, 'count includes the staged write');
    });
    t.equal((await s.read('Patient', 'own'))?.versionId, 1);
    if (!s.supportsTransactions()) return; // several writes in one unit of work need transactions
    await s.transaction(async (tx: StoreTx) => {
      await tx.delete('Patient', 'gone');
      t.equal((await tx.read('Patient', 'gone'))?.deleted, true, 'read sees the staged delete');
      const found = await tx.search({ types: ['Patient'], filter: { 'x.name': 'z' }, limit: 10 });
      t.same(found.records.map((r) => r.id), ['own'], 'search does not see the deleted resource');
      const again = await tx.put({ resourceType: 'Patient', id: 'own' }, { name: ['z'] });
      t.equal(again.versionId, 2, 'the next write gets the next version');
      const twice = await tx.put({ resourceType: 'Patient', id: 'own' }, { name: ['z'] });
      t.equal(twice.versionId, 3, 'a second write of one resource in one transaction keeps both versions');
    }, { multi: true });
    t.equal((await s.read('Patient', 'own'))?.versionId, 3);
    t.equal((await s.history({ resourceType: 'Patient', id: 'own', limit: 10 })).total, 3);
  });

  withStore("a transaction's reads (readThrough, a transaction Bundle's GET entries) see its writes; a failure after them keeps nothing", async (t, s) => {
    await put(s, { resourceType: 'Patient', id: 'rt', active: false }, { name: ['rt'] });
    if (!s.supportsTransactions()) return; // a transaction Bundle needs them (answered 501 before anything runs)
    const failed = new Error('a GET entry failed');
    const inTx: string[] = [];
    const seen = await s.transaction(async (tx: StoreTx) => {
      await tx.put({ resourceType: 'Patient', id: 'rt', active: true }, { name: ['rt'] });
      await tx.put({ resourceType: 'Patient', id: 'rt2' }, { name: ['rt'] });
      const view = readThrough(s, tx, [{ resourceType: 'Patient', id: 'rt' }, { resourceType: 'Patient', id: 'rt2' }]);
      // what a handler may await together reaches the transaction one call at a time (a MongoDB session needs it)
      const [read, v1, v2, v3, found, history] = await Promise.all([
        view.read('Patient', 'rt'),
        view.vread('Patient', 'rt', 1),
        view.vread('Patient', 'rt', 2),
        view.vread('Patient', 'rt', 3),
        view.search({ types: ['Patient'], filter: { 'x.name': 'rt' }, sort: [['id', 1]], limit: 10, count: true }),
        view.history({ resourceType: 'Patient', id: 'rt', limit: 10 }),
      ]);
      t.equal((body(read) as { active?: boolean }).active, true, 'read: the staged version');
      t.equal((body(v1) as { active?: boolean }).active, false, 'vread of a committed version');
      t.equal((body(v2) as { active?: boolean }).active, true, 'vread of the version the transaction writes');
      t.equal(v3, undefined, 'no version beyond it');
      t.same([found.records.map((r) => r.id), found.total], [['rt', 'rt2'], 2], 'search: staged writes beside committed ones');
      t.same([history.records.map((r) => r.versionId), history.total], [[2, 1], 2], 'history: the version the transaction writes, then the committed one');
      const type = await view.history({ resourceType: 'Patient', limit: 10 });
      t.same(type.records.map((r) => `${r.id}/${r.versionId}`), ['rt2/1', 'rt/2', 'rt/1'], 'type history: newest first');
      inTx.push(...type.records.map((r) => `${r.id}/${r.versionId}@${r.seq}`));
      const paged = await view.history({ limit: 1, beforeSeq: type.records[0].seq });
      t.same(paged.records.map((r) => `${r.id}/${r.versionId}`), ['rt/2'], 'a cursor among them');
      await view.transaction(async () => t.fail('a write through the view ran')).then(() => t.fail('no write through the view'), (e: Error) => t.match(e.message, /cannot write/, 'no write through the view'));
      return 'ran';
    }, { multi: true });
    t.equal(seen, 'ran');
    t.same((await s.history({ resourceType: 'Patient', limit: 10 })).records.map((r) => `${r.id}/${r.versionId}@${r.seq}`), inTx, 'committed: the same versions, at the sequence the view gave them');
    try {
      await s.transaction(async (tx: StoreTx) => {
        await tx.put({ resourceType: 'Patient', id: 'rt3' }, { name: ['rt'] });
        const view = readThrough(s, tx);
        t.ok(await view.read('Patient', 'rt3'), 'the view sees the write');
        throw failed;
      }, { multi: true });
      t.fail('the error propagates');
    } catch (e) {
      t.equal(e, failed);
    }
    t.equal(await s.read('Patient', 'rt3'), undefined, 'nothing of the failed transaction is kept');
  });

  withStore('putPrepared stores what put stores', async (t, s) => {
    const patient = (id: string, family: string) => ({ resourceType: 'Patient' as const, id, meta: { versionId: '9', lastUpdated: '2001-01-01T00:00:00Z' }, name: [{ family }] });
    const [a, b] = [patient('pp1', 'Müller'), patient('pp2', 'Nguyễn')];
    const [pa, pb] = unpackChunk(prepareChunk([a, b], BASE));
    const r1 = await s.transaction((tx) => tx.putPrepared(a, pa));
    t.equal(r1.versionId, 1, 'a prepared create is version 1');
    t.equal(r1.json, (await s.read('Patient', 'pp1'))?.json, 'the record carries the stored body');
    const stored = body(await s.read('Patient', 'pp1')) as unknown as { meta: Record<string, string>; name: Array<{ family: string }> };
    t.same([stored.meta.versionId, stored.meta.lastUpdated, stored.name[0].family], ['1', r1.lastUpdated, 'Müller'], 'meta from the store, content as given');
    const plain = await s.transaction((tx) => tx.put({ ...b, id: 'pp3' }, indexResource(b, BASE)));
    const same = (r: { json?: string; lastUpdated: string }, id: string) => r.json!.replace(`"id":"${id}"`, '"id":"pp3"').replace(r.lastUpdated, plain.lastUpdated);
    const packed = await s.transaction((tx) => tx.putPrepared(b, pb));
    t.ok(pb.packed, '(the chunk gave a packed form)');
    t.equal(same(packed, 'pp2'), plain.json, 'same body as put, from the packed form');
    const unpacked = await s.transaction((tx) => tx.putPrepared({ ...b, id: 'pp4' }, { indexJson: pb.indexJson }));
    t.equal(same(unpacked, 'pp4'), plain.json, 'same body as put, without a packed form');
    // a write prepared where the resource object stayed (a VCF line mapped on a worker): named by type and id only
    const [pk] = unpackChunk(prepareChunk([{ ...b, id: 'pp5' }], BASE));
    const keyOnly = await s.transaction((tx) => tx.putPrepared({ resourceType: 'Patient', id: 'pp5' }, pk));
    t.equal(same(keyOnly, 'pp5'), plain.json, 'same body as put, from the prepared write alone');
    t.equal((await s.read('Patient', 'pp5'))?.json, keyOnly.json, 'and stored so');
    t.equal((await s.transaction((tx) => tx.putPrepared(a, pa))).versionId, 2, 'a second prepared write is the next version');
    await rejectsWith(t, s.transaction((tx) => tx.putPrepared(a, pa, { ifVersion: 1 })), 412, 'ifVersion applies to prepared writes');
    const found = await s.search({ types: ['Patient'], filter: { 'x.family': { $regex: '^nguy' } }, sort: [['id', 1]], limit: 10 });
    t.same(found.records.map((r) => r.id), ['pp2', 'pp3', 'pp4', 'pp5'], 'prepared writes are searchable like any other');
  });

  withStore('lock() serializes conditional creates', async (t, s) => {
    const N = 12;
    const conditionalCreate = (i: number) =>
      s.transaction(async (tx) => {
        await tx.lock('Patient?identifier=urn:sys|42');
        const found = await tx.search({ types: ['Patient'], filter: { 'x.identifier': 'urn:sys|42' }, limit: 2 });
        if (found.records.length) return 'existing';
        await tx.put({ resourceType: 'Patient', id: `cc${i}` }, { identifier: ['urn:sys|42'] });
        return 'created';
      });
    const outcomes = await Promise.all(Array.from({ length: N }, (_, i) => conditionalCreate(i)));
    t.equal(outcomes.filter((o) => o === 'created').length, 1, 'exactly one transaction created');
    const all = await s.search({ types: ['Patient'], filter: { 'x.identifier': 'urn:sys|42' }, limit: 100, count: true });
    t.equal(all.total, 1, 'exactly one resource stored');
  });
  withStore('reindex replaces stale indexes without new versions; index version', async (t, s) => {
    t.equal(await s.indexVersion('iv-1'), 'iv-1', 'an empty store records the running index version');
    const p = (id: string, family: string) => ({ resourceType: 'Patient' as const, id, name: [{ family }] });
    // written as an earlier release would have: no family token
    for (const r of [p('rx1', 'Okafor'), p('rx2', 'Okafor')]) await put(s, r, { ...indexResource(r, BASE), family: [] });
    await put(s, p('rx3', 'Okafor'), indexResource(p('rx3', 'Okafor'), BASE));
    await put(s, p('rx4', 'Gone'), {});
    await s.transaction((tx) => tx.delete('Patient', 'rx4'));
    const q = { types: ['Patient'], filter: { 'x.family': { $regex: '^okafor' } }, sort: [['id', 1]] as Array<[string, 1]>, limit: 10 };
    t.same((await s.search(q)).records.map((r) => r.id), ['rx3'], 'the stale index misses two');
    const before = await s.history({ resourceType: 'Patient', limit: 100 });
    const sum = await s.reindex(indexAt, { batchSize: 2, indexVersion: 'iv-2' });
    t.same([sum.read, sum.changed, sum.unchanged, sum.failed], [3, 2, 1, 0], 'live current versions only');
    t.same((await s.search(q)).records.map((r) => r.id), ['rx1', 'rx2', 'rx3'], 'found now');
    t.same(await s.history({ resourceType: 'Patient', limit: 100 }), before, 'no new versions, history as it was');
    t.equal((await s.read('Patient', 'rx1'))?.versionId, 1);
    t.equal((await s.reindex(indexAt)).changed, 0, 'a second run changes nothing');
    t.equal(await s.indexVersion('iv-3'), 'iv-2', 'a complete run records its index version');
  });

  sortContract(t, withStore);
}
