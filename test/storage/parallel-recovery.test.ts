import t from 'tap';
import { appendFileSync, copyFileSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Resource } from '@medplum/fhirtypes';
import { EmbeddedStore, type EmbeddedStoreOptions } from '../../src/storage/embedded/embedded-store.js';
import { PreparePool, threadsSetting } from '../../src/prepare/pool.js';
import { indexResource } from '../../src/search/search-service.js';
import { testConfig } from '../../src/config.js';
/** The test servers' base URL (testConfig): the own base indexing is told. */
const BASE = testConfig().baseUrl;

/**
 * Recovery with index terms built on worker threads (replay.ts) against recovery on the store's
 * own thread, on the journal shapes a real data directory can hold: a journal that repeats what
 * the snapshot holds (a crash between the snapshot's rename and the old segment's removal),
 * plain-JSON lines of earlier releases, deletes and old versions (no index bytes), and a refused
 * start (a version gap) next to a torn tail, which must leave the files as they were.
 */
const dirs: string[] = [];
t.teardown(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));
const pool = new PreparePool(2);
t.teardown(() => pool.close());
const newDir = () => {
  const d = mkdtempSync(join(tmpdir(), 'fgs-precov-'));
  dirs.push(d);
  return d;
};
type R = Resource & { id: string };
const patient = (id: string, family: string): R => ({ resourceType: 'Patient', id, gender: family.length % 2 ? 'male' : 'female', name: [{ family }] }) as R;
const put = (s: EmbeddedStore, r: R) => s.transaction(async (tx) => tx.put(r, indexResource(r, BASE)));

const WORKERS: EmbeddedStoreOptions = { parallelRecoveryBytes: 0, recoveryJobOps: 25, recoveryTerms: pool.termsOf };

/** What a restart must agree on: counts, every current body, and answers that use the postings. */
async function state(dir: string, opts: EmbeddedStoreOptions = {}): Promise<{ fp: unknown[]; onWorkers: number; failedJobs: number }> {
  const s = new EmbeddedStore(dir, { fsync: false, ...opts });
  await s.init();
  try {
    const all = await s.search({ types: ['Patient'], filter: {}, sort: [['id', 1]], limit: 10_000 });
    const byName = await s.search({ types: ['Patient'], filter: { 'x.family': 'smith' }, limit: 10_000 });
    const byGender = await s.search({ types: ['Patient'], filter: { 'x.gender': 'male' }, limit: 10_000 });
    const bodies = await Promise.all(all.docs.map(async (d) => (await s.read(d.t, d.id))?.json));
    const { seq, resources, recovered } = s.stats();
    return { fp: [seq, resources, bodies, byName.docs.map((d) => d.id).sort(), byGender.docs.map((d) => d.id).sort()], onWorkers: recovered.onWorkers, failedJobs: recovered.failedJobs };
  } finally {
    await s.close();
  }
}

t.test('a journal that repeats records the snapshot holds', async (t) => {
  const dir = newDir();
  let s = new EmbeddedStore(dir, { fsync: false, compactBytes: 1 << 30 });
  await s.init();
  for (let i = 0; i < 300; i++) await put(s, patient(`p${i % 120}`, i % 3 ? 'smith' : `jones${i}`));
  await s.close();
  const seg = readdirSync(dir).find((f) => f.startsWith('journal-'))!;
  const kept = join(newDir(), 'segment');
  copyFileSync(join(dir, seg), kept);
  s = new EmbeddedStore(dir, { fsync: false, compactBytes: 1000 });
  await s.init();
  await put(s, patient('p1', 'other'));
  await put(s, patient('p2', 'smith'));
  await s.close();
  copyFileSync(kept, join(dir, seg)); // the old segment's removal never happened
  const inline = await state(dir);
  const workers = await state(dir, WORKERS);
  t.same(workers.fp, inline.fp, 'same state: the repeated records are skipped');
  t.ok(workers.onWorkers > 0 && workers.failedJobs === 0, `terms from the workers (${workers.onWorkers} writes)`);
});

t.test('plain-JSON lines of earlier releases, deletes and old versions among framed ones', async (t) => {
  const dir = newDir();
  const s = new EmbeddedStore(dir, { fsync: false });
  await s.init();
  for (let i = 0; i < 80; i++) await put(s, patient(`q${i % 30}`, i % 4 ? 'smith' : 'brown'));
  await s.transaction(async (tx) => {
    for (let i = 0; i < 10; i++) await tx.delete('Patient', `q${i}`);
  });
  const { seq } = s.stats();
  await s.close();
  const seg = join(dir, readdirSync(dir).find((f) => f.startsWith('journal-'))!);
  // lines as releases before the framed format wrote them: the body and the index as JSON strings
  let next = seq + 1;
  const legacy = (r: R, v: number) => {
    const json = JSON.stringify({ ...r, meta: { versionId: String(v), lastUpdated: '2026-01-01T00:00:00.000Z' } });
    appendFileSync(seg, `${JSON.stringify({ seq: next++, lu: Date.parse('2026-01-01'), ops: [{ t: r.resourceType, id: r.id, v, json, xj: JSON.stringify(indexResource(r, BASE)) }] })}\n`);
  };
  for (let i = 0; i < 40; i++) legacy(patient(`old${i}`, i % 2 ? 'smith' : 'green'), 1);
  legacy(patient('q20', 'smith'), 3); // q20 was written twice (i = 20, 50)
  const inline = await state(dir);
  const workers = await state(dir, WORKERS);
  t.equal((inline.fp[2] as unknown[]).length, 30 - 10 + 40, 'the legacy writes are there (live: 20 of 30, and 40)');
  t.same(workers.fp, inline.fp, 'same state');
  t.ok(workers.onWorkers > 0, 'framed writes got their terms from the workers');
});

t.test('a refused start (a version gap) next to a torn tail leaves the files as they were', async (t) => {
  const dir = newDir();
  const s = new EmbeddedStore(dir, { fsync: false });
  await s.init();
  for (let i = 0; i < 60; i++) await put(s, patient(`r${i % 20}`, 'smith'));
  const { seq } = s.stats();
  await s.close();
  const seg = join(dir, readdirSync(dir).find((f) => f.startsWith('journal-'))!);
  const r = patient('r3', 'gap');
  // version 9 of r3, which is at version 3: a gap; then half a line (a torn write)
  appendFileSync(seg, `${JSON.stringify({ seq: seq + 1, lu: Date.now(), ops: [{ t: 'Patient', id: 'r3', v: 9, json: JSON.stringify(r), xj: JSON.stringify(indexResource(r, BASE)) }] })}\n{"seq":${seq + 2},"lu":1,"op`);
  const size = statSync(seg).size;
  const refusal = async (opts: EmbeddedStoreOptions) => {
    const st = new EmbeddedStore(dir, { fsync: false, ...opts });
    return st.init().then(() => st.close().then(() => 'started'), (e: Error) => e.message);
  };
  const inline = await refusal({});
  t.match(inline, /Version gap on Patient\/r3/);
  t.equal(statSync(seg).size, size, 'inline: the journal is untouched');
  t.equal(await refusal(WORKERS), inline, 'on the worker path: the same refusal');
  t.equal(statSync(seg).size, size, 'and the journal is untouched too');
});

t.test('FHIR_PREPARE_THREADS: whole numbers only, anything else means the number of cores', async (t) => {
  const cores = threadsSetting(undefined);
  t.ok(cores >= 1);
  t.equal(threadsSetting('3'), 3);
  t.equal(threadsSetting('0'), 0, '0: no workers');
  for (const bad of ['auto', '', ' ', '1.5', '-2']) t.equal(threadsSetting(bad), cores, `'${bad}'`);
  // a pool that cannot run workers answers inline instead of waiting for one that never starts
  const none = new PreparePool(Number.NaN);
  const terms = await Promise.race([none.termsOf(['Patient'], [new TextEncoder().encode('{"gender":["male"]}').buffer], Int32Array.from([0, 0, 19])), new Promise((r) => setTimeout(() => r('timeout'), 30_000).unref())]);
  t.not(terms, 'timeout', 'answered');
  await none.close();
});

t.test('records without index bytes do not pile up unapplied while reading', async (t) => {
  const { Replay } = await import('../../src/storage/embedded/replay.js');
  let applied = 0;
  let maxHeld = 0;
  const replay = new Replay(() => applied++, async () => { throw new Error('not called: nothing has index bytes'); }, 25);
  for (let i = 1; i <= 1000; i++) {
    const wait = replay.push({ seq: i, lu: 1, ops: [{ t: 'Patient', id: `d${i}`, v: 2, del: true }] });
    if (wait) await wait;
    maxHeld = Math.max(maxHeld, i - applied);
  }
  await replay.finish();
  t.equal(applied, 1000);
  t.ok(maxHeld <= 25 * 4, `at most a few runs held at once (${maxHeld})`);
});
