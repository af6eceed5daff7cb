import t, { type Test } from 'tap';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Bundle } from '@medplum/fhirtypes';
import { EmbeddedStore } from '../../src/storage/embedded/embedded-store.js';
import { PreparePool } from '../../src/prepare/pool.js';
import { prepareChunk, unpackChunk, type Prepared } from '../../src/prepare/prepare.js';
import { storedJson } from '../../src/storage/stored-json.js';
import { indexResource, searchBundle } from '../../src/search/search-service.js';
import { testConfig } from '../../src/config.js';
import { buildDataset, type R } from '../search/dataset.js';
import { generateGenomicData } from '../../scripts/seed-variants.js';
/** The test servers' base URL (testConfig): the own base indexing is told. */
const BASE = testConfig().baseUrl;

/**
 * Golden test of the bulk-load path: resources written with `putPrepared` (packed on worker
 * threads: body with room for the meta values, index bytes, hashed index terms) leave the store
 * in exactly the state `put(resource, indexResource(resource, BASE))` leaves it in: byte-identical
 * bodies and indexes, the same answers to every search, before and after a restart (journal
 * replay) and after compaction.
 */
const dirs: string[] = [];
t.teardown(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));
const open = async (opts: ConstructorParameters<typeof EmbeddedStore>[1] = {}, dir = mkdtempSync(join(tmpdir(), 'fgs-prep-'))) => {
  if (!dirs.includes(dir)) dirs.push(dir);
  const s = new EmbeddedStore(dir, { fsync: false, ...opts });
  await s.init();
  return { s, dir };
};

const edge: R[] = [
  // meta listing lastUpdated before versionId: the stored meta keeps that key order
  { resourceType: 'Patient', id: 'e1', meta: { lastUpdated: '1999-01-01T00:00:00Z', source: 'x', versionId: '42' }, name: [{ family: 'Zed' }] },
  // content holding the serializer's marker text: no packed body, the plain path instead
  { resourceType: 'Patient', id: 'e2', name: [{ family: '\u0000fgs-versionId\u0000' }] },
  // code units above 255 in keys and bodies (UTF-16 keys, multi-byte UTF-8)
  { resourceType: 'Patient', id: 'e3', name: [{ family: 'Nguyễn', given: ['李', '😀x'] }], identifier: [{ system: 'urn:ü', value: 'Ω|1' }] },
  { resourceType: 'Patient', id: 'e4', gender: 'other', name: [{ family: 'nguy', given: ['Ann'] }] },
];
// more Variants, with ids of their own (the generator's ids repeat across calls)
const more = ([...generateGenomicData({ variants: 400, patients: 8, seed: 5 })] as R[]).map((r) => JSON.parse(JSON.stringify(r).replace(/(pat|var|rep)-(\d)/g, 'm$1-$2')) as R);
const data: R[] = [...buildDataset(), ...edge, ...more];

const queries: Array<[string, string]> = [
  ['Patient', 'name=ngu'], ['Patient', 'family=zed'], ['Patient', 'identifier=urn:ü|Ω\\|1'], ['Patient', 'given=李'], ['Patient', 'name:exact=Müller'],
  ['Observation', 'code=69548-6'], ['Observation', 'status=final&code=8480-6'], ['Observation', 'subject=Patient/pat-3'],
  ['Observation', 'gene-identifier=HGNC:1100'], ['Observation', 'dna-variant=NM_0'], ['Observation', 'component-code-value-concept=http://loinc.org|48018-6$HGNC:3236'],
  ['Observation', 'genomic-region=NC_000017.11:7661778-7687538'], ['Observation', 'genomic-region=NC_000007.14:55019016-55211628&_total=accurate'],
  ['Observation', 'date=ge2020&date=lt2021'], ['Observation', '_profile:below=http://hl7.org/fhir/uv/genomics-reporting'],
  ['DiagnosticReport', 'result=Observation/var-1-3'], ['Observation', 'value-quantity=gt100'], ['Observation', '_id=var-2-1,vs3'],
  ['MolecularSequence', 'genomic-region=NC_000007.14:55040000-55050000'], ['Observation', 'status:not=final&_count=500'],
];

async function answers(s: EmbeddedStore): Promise<string[]> {
  const ctx = { config: testConfig({ defaultCount: 7 }), store: s };
  const out: string[] = [];
  for (const [type, qs] of queries) {
    const query: Record<string, string[]> = {};
    for (const [k, v] of new URLSearchParams(qs)) (query[k] ??= []).push(v);
    const b: Bundle = await searchBundle(ctx, { resourceType: type, query, strict: true, baseUrl: 'http://x' });
    out.push(`${type}?${qs} total=${b.total} ${(b.entry ?? []).map((e) => `${e.resource!.resourceType}/${e.resource!.id}`).join(',')}`);
  }
  return out;
}

/** Every resource's current body is what storedJson makes of it at that version and time. */
async function bodiesExact(tt: Test, s: EmbeddedStore, label: string): Promise<void> {
  let bad = 0;
  for (const r of data) {
    const rec = await s.read(r.resourceType, r.id);
    if (!rec || rec.json !== storedJson(r, rec.versionId, rec.lastUpdated)) bad++;
  }
  tt.equal(bad, 0, `${label}: every body is byte for byte what put stores`);
}

async function indexesOf(s: EmbeddedStore): Promise<string[]> {
  const out: string[] = [];
  for (const type of new Set(data.map((r) => r.resourceType))) {
    const res = await s.search({ types: [type], filter: {}, sort: [['id', 1]], limit: 10_000 });
    for (const d of res.docs) out.push(`${d.t}/${d.id}/${d.v} ${JSON.stringify(d.x)}`);
  }
  return out;
}

t.test('putPrepared leaves the state put leaves, through restart and compaction', async (t) => {
  const plain = await open();
  await plain.s.transaction(async (tx) => {
    for (const r of data) await tx.put(r, indexResource(r, BASE));
  }, { multi: true });

  const pool = new PreparePool(2);
  t.teardown(() => pool.close());
  const prepared = await pool.prepareAll(data, BASE);
  t.ok(prepared.filter((p) => p.packed).length >= data.length - 2, 'nearly every resource comes packed');
  t.notOk(prepared[data.findIndex((r) => r.id === 'e2')].packed, 'content holding the marker is not packed');
  const bulk = await open({ compactBytes: 256 * 1024 });
  for (let i = 0; i < data.length; i += 100) {
    await bulk.s.transaction(async (tx) => {
      for (let j = i; j < Math.min(data.length, i + 100); j++) await tx.putPrepared(data[j], prepared[j]);
    }, { multi: true });
  }
  t.ok(bulk.s.stats().compactions > 0, 'the bulk store compacted while loading');

  const expected = await answers(plain.s);
  t.same(await answers(bulk.s), expected, 'same search answers');
  t.same(await indexesOf(bulk.s), await indexesOf(plain.s), 'same search indexes, byte for byte');
  await bodiesExact(t, bulk.s, 'bulk');
  await bulk.s.close();
  const again = await open({}, bulk.dir);
  t.same(await answers(again.s), expected, 'same answers after a restart (snapshot + journal replay)');
  t.same(await indexesOf(again.s), await indexesOf(plain.s), 'same indexes after a restart');
  await bodiesExact(t, again.s, 'recovered');
  await again.s.close();
  await plain.s.close();
});

t.test('prepared writes that cannot be filled in place, or are only part of their batch', async (t) => {
  const { s } = await open();
  const rs: R[] = [...generateGenomicData({ variants: 30, patients: 1, seed: 9 })] as R[];
  const ps: Prepared[] = unpackChunk(prepareChunk(rs, BASE));
  // a third of the batch: copied, not adopted
  await s.transaction(async (tx) => {
    for (let i = 0; i < 10; i++) await tx.putPrepared(rs[i], ps[i]);
  });
  // the same prepared write twice in one transaction, then once more: versions 1, 2 / 2, 3
  await s.transaction(async (tx) => {
    for (let i = 10; i < rs.length; i++) await tx.putPrepared(rs[i], ps[i]);
    t.equal((await tx.putPrepared(rs[12], ps[12])).versionId, 2, 'a second write of one prepared resource');
    const staged = await tx.read(rs[12].resourceType, rs[12].id);
    t.equal(staged?.json, storedJson(rs[12], 2, staged!.lastUpdated), 'a read inside the transaction sees the staged body');
    const found = await tx.search({ types: ['Observation'], filter: { id: rs[12].id }, limit: 5 });
    t.same(found.docs.map((d) => d.v), [2], 'and a search the staged document');
  }, { multi: true });
  for (let k = 0; k < 11; k++) await s.transaction(async (tx) => tx.putPrepared(rs[0], ps[0]));
  for (const [i, v] of [[0, 12], [5, 1], [12, 2], [29, 1]]) {
    const rec = await s.read(rs[i].resourceType, rs[i].id);
    t.equal(rec?.versionId, v);
    t.equal(rec?.json, storedJson(rs[i], v, rec!.lastUpdated), `${rs[i].id} version ${v}: exact body`);
    t.equal((await s.vread(rs[i].resourceType, rs[i].id, 1))?.json, storedJson(rs[i], 1, (await s.vread(rs[i].resourceType, rs[i].id, 1))!.lastUpdated), 'version 1 intact');
  }
  // a transaction that fails keeps nothing; the prepared write still works afterwards
  const extra = ([...generateGenomicData({ variants: 3, patients: 1, seed: 11 })] as R[]).map((r) => ({ ...r, id: `x-${r.id}` }));
  const pe = unpackChunk(prepareChunk(extra, BASE));
  await t.rejects(s.transaction(async (tx) => {
    for (let i = 0; i < extra.length; i++) await tx.putPrepared(extra[i], pe[i]);
    throw new Error('boom');
  }), /boom/);
  t.equal(await s.read(extra[1].resourceType, extra[1].id), undefined, 'nothing of the failed transaction');
  await s.transaction(async (tx) => {
    for (let i = 0; i < extra.length; i++) await tx.putPrepared(extra[i], pe[i]);
  });
  const rec = await s.read(extra[1].resourceType, extra[1].id);
  t.equal(rec?.json, storedJson(extra[1], 1, rec!.lastUpdated), 'stored after all');
  // a prepared write handed with another resource takes the plain path
  const other = { ...rs[3], id: 'not-the-prepared-one' } as R;
  await s.transaction(async (tx) => tx.putPrepared(other, ps[3]));
  const o = await s.read('Observation', 'not-the-prepared-one');
  t.equal(o?.json, storedJson(other, 1, o!.lastUpdated), 'the body is the resource given, not the prepared one');
  await s.close();
});

t.test('a restart that builds index terms on worker threads recovers the same state', async (t) => {
  // snapshot + journal: bulk writes, then updates and deletes of what the snapshot holds, a
  // resource written twice in one run, and single writes (terms of one resource each)
  const src = await open({ compactBytes: 256 * 1024 });
  for (let i = 0; i < data.length; i += 100) {
    await src.s.transaction(async (tx) => {
      for (let j = i; j < Math.min(data.length, i + 100); j++) await tx.put(data[j], indexResource(data[j], BASE));
    }, { multi: true });
  }
  const variants = data.filter((r) => r.resourceType === 'Observation').slice(0, 40);
  await src.s.transaction(async (tx) => {
    for (const [k, r] of variants.entries()) {
      if (k % 3 === 0) await tx.delete(r.resourceType, r.id);
      else {
        const changed = { ...r, status: 'amended' } as R;
        await tx.put(changed, indexResource(changed, BASE));
        if (k % 5 === 0) await tx.put({ ...changed, status: 'corrected' } as R, indexResource({ ...changed, status: 'corrected' } as R, BASE));
      }
    }
  }, { multi: true });
  const late = { resourceType: 'Patient', id: 'late', name: [{ family: 'Ngu' }] } as R;
  await src.s.transaction(async (tx) => tx.put(late, indexResource(late, BASE)));
  t.ok(src.s.stats().compactions > 0 && src.s.stats().journalBytes > 0, 'both a snapshot and a journal to replay');
  const fingerprint = async (s: EmbeddedStore) => [await answers(s), await indexesOf(s), s.stats().resources, s.stats().seq];
  const want = await fingerprint(src.s);
  const live = src.s.stats().resources;
  await src.s.close();

  const pool = new PreparePool(2);
  t.teardown(() => pool.close());
  let jobs = 0;
  const viaPool = await open({ parallelRecoveryBytes: 0, recoveryJobOps: 150, recoveryTerms: (...a) => (jobs++, pool.termsOf(...a)) }, src.dir);
  const rec = viaPool.s.stats().recovered;
  t.ok(jobs > 1 && rec.failedJobs === 0, `terms built on the workers (${jobs} jobs, none failed)`);
  t.ok(rec.onWorkers > 0.9 * live, `and applied: ${rec.onWorkers} of ${rec.writes} writes indexed from worker terms`);
  t.same(await fingerprint(viaPool.s), want, 'same answers, indexes, counts and sequence as before the restart');
  await viaPool.s.close();

  // a job that fails leaves its records to the store's own thread: still the same state
  let calls = 0;
  const failing = await open({ parallelRecoveryBytes: 0, recoveryJobOps: 150, recoveryTerms: (...a) => (++calls % 2 ? Promise.reject(new Error('worker died')) : pool.termsOf(...a)) }, src.dir);
  t.ok(calls > 1);
  t.ok(failing.s.stats().recovered.failedJobs > 0 && failing.s.stats().recovered.onWorkers < rec.onWorkers, 'the failed jobs were indexed here');
  t.same(await fingerprint(failing.s), want, 'same state when some jobs fail');
  await failing.s.close();

  // below the threshold no threads are involved
  let unused = 0;
  const small = await open({ recoveryTerms: (...a) => (unused++, pool.termsOf(...a)) }, src.dir);
  t.equal(unused, 0, 'a small store replays on its own thread');
  t.equal(small.s.stats().recovered.onWorkers, 0);
  t.same(await fingerprint(small.s), want);
  await small.s.close();
});
