import t from 'tap';
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Observation, Resource } from '@medplum/fhirtypes';
import { EmbeddedStore } from '../../src/storage/embedded/embedded-store.js';
import { indexResource } from '../../src/search/search-service.js';
import { testConfig } from '../../src/config.js';
import { indexVersion } from '../../src/search/index-version.js';
import type { ResourceStore, SearchIndex, StoreQuery } from '../../src/storage/types.js';
import { jak2Variant } from '../operations/helpers.js';
import { PreparePool } from '../../src/prepare/pool.js';

/** The test servers' base URL (testConfig): the own base indexing is told. */
const BASE = testConfig().baseUrl;
const indexAt = (r: Resource) => indexResource(r, BASE);

/**
 * Reindex on a real embedded store. "Old index code" is simulated honestly through the store's
 * own write path: the resources are written with an index that differs from what indexResource
 * computes today (a token missing, a genomic region elsewhere), as an earlier release would have
 * stored them. Nothing on disk is edited by hand.
 */
const dirs: string[] = [];
t.teardown(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));
const pool = new PreparePool(2);
t.teardown(() => pool.close());
const newDir = () => {
  const d = mkdtempSync(join(tmpdir(), 'fgs-reindex-'));
  dirs.push(d);
  return d;
};
const open = async (dir: string, opts: ConstructorParameters<typeof EmbeddedStore>[1] = {}) => {
  const s = new EmbeddedStore(dir, { fsync: false, ...opts });
  await s.init();
  return s;
};

/** What an earlier release stored: no `code` tokens, the region a million bases off. */
function staleIndex(r: Resource): SearchIndex {
  const x = { ...indexResource(r, BASE) };
  delete x.code;
  const region = x['genomic-region'] as Array<{ a: string; s: number; e: number }> | undefined;
  if (region) x['genomic-region'] = region.map((g) => ({ ...g, s: g.s + 1e6, e: g.e + 1e6 }));
  return x;
}

const byCode: StoreQuery = { types: ['Observation'], filter: { 'x.code': 'http://loinc.org|69548-6' }, limit: 100 };
const region = (s: number, e: number): StoreQuery => ({
  types: ['Observation'], filter: { 'x.genomic-region': { $elemMatch: { a: 'NC_000009.12', s: { $lt: e }, e: { $gt: s } } } }, limit: 100,
});
const trueRegion = region(5073000, 5074000);
const oldRegion = region(6073000, 6074000);
const ids = async (s: ResourceStore, q: StoreQuery) => (await s.search(q)).records.map((r) => r.id).sort();

async function seed(s: ResourceStore, n = 30): Promise<void> {
  for (let i = 0; i < n; i++) {
    const v = jak2Variant(`v${i}`, 'p1') as Observation & { id: string };
    await s.transaction((tx) => tx.put(v, staleIndex(v)));
  }
  // a second version of one, and a deleted one: only current live versions are reindexed
  const v0 = { ...jak2Variant('v0', 'p1'), note: [{ text: 'again' }] } as Observation & { id: string };
  await s.transaction((tx) => tx.put(v0, staleIndex(v0)));
  await s.transaction((tx) => tx.delete('Observation', `v${n - 1}`));
  await s.transaction((tx) => tx.put({ resourceType: 'Patient', id: 'p1', active: true }, indexResource({ resourceType: 'Patient', id: 'p1', active: true }, BASE)));
}

t.test('reindex: searches that missed resources find them; versions and history unchanged; idempotent; durable', async (t) => {
  const dir = newDir();
  const s = await open(dir);
  await seed(s);
  t.same(await ids(s, byCode), [], 'the stale index misses the code');
  t.same(await ids(s, trueRegion), [], 'and the true region');
  t.equal((await ids(s, oldRegion)).length, 29, 'the stale region finds them');
  const before = await s.history({ limit: 1000 });
  const v0 = await s.read('Observation', 'v0');

  const progress: number[] = [];
  const sum = await s.reindex(indexAt, { batchSize: 7, onProgress: (p) => progress.push(p.read), indexVersion: 'test-1' });
  t.same({ read: sum.read, changed: sum.changed, unchanged: sum.unchanged, failed: sum.failed }, { read: 30, changed: 29, unchanged: 1, failed: 0 });
  t.same(sum.byType, { Observation: { read: 29, changed: 29 }, Patient: { read: 1, changed: 0 } });
  t.same(progress, [7, 14, 21, 28, 30], 'progress after each batch');
  t.equal((await ids(s, byCode)).length, 29, 'found by code now');
  t.equal((await ids(s, trueRegion)).length, 29, 'found in their true region now');
  t.same(await ids(s, oldRegion), [], 'the stale region (an exact interval plan, same version) finds nothing any more');
  t.same(await s.history({ limit: 1000 }), before, 'history unchanged: no new version');
  t.same(await s.read('Observation', 'v0'), v0, 'versionId, lastUpdated and body unchanged');
  t.equal((await s.read('Observation', 'v29'))?.deleted, true, 'the deleted one stays deleted');
  t.equal(await s.indexVersion('other'), 'test-1', 'the index version is recorded');

  const again = await s.reindex(indexAt);
  t.same([again.read, again.changed, again.unchanged], [30, 0, 30], 'second run: nothing changed');
  await s.close();

  const r = await open(dir);
  t.equal((await ids(r, byCode)).length, 29, 'after reopening (journal replay): the new index');
  t.same(await ids(r, oldRegion), []);
  t.same(await r.history({ limit: 1000 }), before);
  t.equal((await r.reindex(indexAt)).changed, 0, 'replay restored exactly the new indexes');
  // a write after the reindex still works on top of it
  const v1 = { ...jak2Variant('v1', 'p1'), note: [{ text: 'later' }] } as Observation & { id: string };
  t.equal((await r.transaction((tx) => tx.put(v1, indexResource(v1, BASE)))).versionId, 2);
  await r.close();
  // recovery with index terms built on worker threads: index records interleave with its runs
  const r2 = await open(dir, { parallelRecoveryBytes: 0, recoveryJobOps: 7, recoveryTerms: pool.termsOf });
  t.ok(r2.stats().recovered.onWorkers > 0, '(terms were built on workers)');
  t.equal((await ids(r2, byCode)).length, 29);
  t.same(await ids(r2, oldRegion), []);
  t.equal((await r2.read('Observation', 'v1'))?.versionId, 2);
  t.equal((await r2.reindex(indexAt)).changed, 0, 'the same state as a plain replay');
  await r2.close();
});

t.test('reindex: compaction carries the new indexes; replay after it is the same', async (t) => {
  const dir = newDir();
  const s = await open(dir);
  await seed(s);
  await s.reindex(indexAt, { batchSize: 10 });
  await s.close();
  // reopen with a store that compacts after every commit: the snapshot is written from memory
  const c = await open(dir, { compactBytes: 1 });
  const v = { resourceType: 'Patient' as const, id: 'p2' };
  await c.transaction((tx) => tx.put(v, indexResource(v, BASE)));
  await c.close();
  t.ok(existsSync(join(dir, 'snapshot.ndjson')), 'a snapshot was written');
  t.ok(readdirSync(dir).filter((f) => f.startsWith('journal-')).every((f) => statSync(join(dir, f)).size < 2000), 'the journal holds no index records any more');
  const r = await open(dir);
  t.equal((await ids(r, byCode)).length, 29, 'the snapshot holds the new indexes');
  t.same(await ids(r, oldRegion), []);
  t.equal((await r.reindex(indexAt)).changed, 0);
  await r.close();
});

t.test('reindex: a crash midway leaves whole batches; the store reopens and a rerun finishes', async (t) => {
  const dir = newDir();
  const s = await open(dir);
  await seed(s);
  let batches = 0;
  // the indexer of this run fails in the third batch: what the first two wrote is durable
  const dying = (r: Resource) => {
    if (batches >= 2) throw new Error('simulated crash');
    return indexResource(r, BASE);
  };
  await t.rejects(s.reindex((r) => dying(r), { batchSize: 10, onProgress: () => batches++, indexVersion: 'never' }).then((x) => {
    if (x.failed) throw new Error('simulated crash');
  }), /simulated crash/);
  // a torn index record at the end of the journal, as a crash mid-write leaves it
  const seg = readdirSync(dir).filter((f) => f.startsWith('journal-')).sort().pop()!;
  writeFileSync(join(dir, seg), '{"seq":33,"lu":1,"rx":true,"ops":[{"t":"Observation","id":"v1","v":1,"xn":500}]}\t{"code":["x', { flag: 'a' });
  // no close: the process died (the lock names this process, so it is taken over)
  const r = await open(dir);
  const found = (await ids(r, byCode)).length;
  t.ok(found >= 19 && found < 29, `the first batches have the new index (${found} of 29)`);
  t.equal(await r.indexVersion('x'), undefined, 'no index version recorded by an incomplete run');
  const sum = await r.reindex(indexAt, { indexVersion: 'done' });
  t.equal(sum.changed, 29 - found, 'the rerun does the rest');
  t.equal((await ids(r, byCode)).length, 29);
  t.equal(await r.indexVersion('x'), 'done');
  await r.close();
});

t.test('reindex: a resource today\'s code cannot index keeps its index and is reported', async (t) => {
  const s = await open(newDir());
  await seed(s, 3);
  const sum = await s.reindex((r) => {
    if (r.id === 'v1') throw new Error('cannot index this');
    return indexResource(r, BASE);
  }, { indexVersion: 'v' });
  t.same([sum.changed, sum.failed], [1, 1]);
  t.same(sum.errors, [{ resourceType: 'Observation', id: 'v1', message: 'cannot index this' }]);
  t.equal(await s.indexVersion('x'), undefined, 'not recorded while a resource failed');
  await s.close();
});

t.test('index version: an empty store records the running one; a store with data written before does not', async (t) => {
  const empty = await open(newDir());
  t.equal(await empty.indexVersion(indexVersion()), indexVersion());
  await empty.close();
  const old = await open(newDir());
  await seed(old, 2);
  t.equal(await old.indexVersion(indexVersion()), undefined, 'unknown: the start-up warns');
  await old.close();
});
