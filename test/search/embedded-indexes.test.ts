import t from 'tap';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EmbeddedStore } from '../../src/storage/embedded/embedded-store.js';
import { searchIndexesOf } from '../../src/storage/embedded/search-indexes.js';
import { testConfig } from '../../src/config.js';
import { indexResource, searchBundle } from '../../src/search/search-service.js';
import { regionCond } from '../../src/search/compile-values.js';
import { generateGenomicData } from '../../scripts/seed-variants.js';
/** The test servers' base URL (testConfig): the own base indexing is told. */
const BASE = testConfig().baseUrl;

/**
 * The embedded store answers selective parameters from its in-memory indexes: the number of
 * candidates handed to the query engine stays near the number of matches, far below the
 * collection size (DESIGN.md "Search"; issue: "never scans a whole collection for them").
 */
const dir = mkdtempSync(join(tmpdir(), 'fgs-idx-'));
const store = new EmbeddedStore(dir, { fsync: false });
const ctx = { config: testConfig(), store };
const resources = [...generateGenomicData({ variants: 3000, patients: 60, seed: 3 })];
const observations = resources.filter((r) => r.resourceType === 'Observation').length;
const d0 = (resources.find((r) => r.resourceType === 'Observation') as { effectiveDateTime: string }).effectiveDateTime;
const d3 = new Date(Date.parse(d0) + 3 * 86_400_000).toISOString().slice(0, 10);

t.before(async () => {
  await store.init();
  for (let i = 0; i < resources.length; i += 500) {
    await store.transaction(async (tx) => {
      for (const r of resources.slice(i, i + 500)) await tx.put(r, indexResource(r, BASE));
    });
  }
});
t.teardown(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

async function examined(type: string, qs: string): Promise<{ candidates: number; indexed: boolean; matches: number }> {
  const query: Record<string, string[]> = {};
  for (const [k, v] of new URLSearchParams(qs)) (query[k] ??= []).push(v);
  const b = await searchBundle(ctx, { resourceType: type, query: { ...query, _total: ['accurate'] }, strict: true, baseUrl: 'http://x/fhir' });
  const s = searchIndexesOf(store).stats;
  return { candidates: s.lastCandidates, indexed: s.lastIndexed, matches: b.total ?? -1 };
}

t.test('selective clauses pick candidates from an index', async (t) => {
  const checks: Array<[string, string]> = [
    ['Observation', 'subject=Patient/pat-7&code=http://loinc.org|69548-6'],
    ['Observation', 'gene-identifier=HGNC:4932'],
    ['Observation', 'genomic-region=NC_000007.14:55019016-55040000'],
    ['Observation', `date=${d0}`],
    ['Observation', `date=ge${d0}&date=lt${d3}`],
    ['Observation', '_id=var-3-1,var-4-2'],
    ['Observation', 'dna-variant=NM_000546.6:c.1'],
    ['Observation', 'component-code-value-concept=http://loinc.org|48018-6$HGNC:3236'],
    ['DiagnosticReport', 'subject=pat-9'],
  ];
  for (const [type, qs] of checks) {
    const r = await examined(type, qs);
    t.ok(r.indexed, `${qs}: answered from an index`);
    t.ok(r.matches > 0 && r.candidates >= r.matches, `${qs}: ${r.candidates} candidates for ${r.matches} matches`);
    t.ok(r.candidates < observations / 10, `${qs}: ${r.candidates} candidates of ${observations} observations`);
  }
});

t.test('the genomic interval index does not walk a whole chromosome', async (t) => {
  const r = await examined('Observation', 'genomic-region=NC_000017.11:7661778-7670000');
  const onChrom = resources.filter((x) => JSON.stringify(x).includes('NC_000017.11') && x.resourceType === 'Observation').length;
  t.ok(r.indexed);
  t.ok(r.candidates < onChrom, `${r.candidates} candidates, ${onChrom} variants on the chromosome, ${r.matches} matches`);
});

t.test('updates and deletes never leave stale matches', async (t) => {
  const before = await examined('Observation', 'subject=Patient/pat-7&status=final');
  const first = resources.find((r) => r.resourceType === 'Observation' && (r as { subject?: { reference?: string } }).subject?.reference === 'Patient/pat-7' && (r as { status?: string }).status === 'final')!;
  await store.transaction(async (tx) => {
    const moved = { ...first, status: 'cancelled' } as typeof first;
    await tx.put(moved, indexResource(moved, BASE));
  });
  const after = await examined('Observation', 'subject=Patient/pat-7&status=final');
  t.equal(after.matches, before.matches - 1);
  await store.transaction(async (tx) => {
    await tx.delete('Observation', first.id);
  });
  const gone = await examined('Observation', '_id=' + first.id);
  t.equal(gone.matches, 0);
  const back = { ...first };
  await store.transaction(async (tx) => {
    await tx.put(back, indexResource(back, BASE));
  });
  const again = await examined('Observation', 'subject=Patient/pat-7&status=final');
  t.equal(again.matches, before.matches, 'recreated resource is found once, not twice');
});

t.test('unindexed clauses fall back to a type scan, with the same answers', async (t) => {
  const r = await examined('Observation', 'status:not=final');
  t.notOk(r.indexed);
  t.ok(r.matches > 0);
});

t.test("a patient's genomics lookups (gx-subject-*) are keyed on that patient, not on every patient's value", async (t) => {
  const mine = resources.filter((r) => r.resourceType === 'Observation' && (r as { subject?: { reference?: string } }).subject?.reference === 'Patient/pat-7').length;
  for (const field of ['gx-subject-kind', 'gx-subject-assembly']) {
    const value = field === 'gx-subject-kind' ? 'Patient/pat-7|variant' : 'Patient/pat-7|GRCh38|17';
    const res = await store.search({ types: ['Observation'], filter: { [`x.${field}`]: value }, limit: 10_000 });
    const s = searchIndexesOf(store).stats;
    t.ok(s.lastIndexed, `${field}: answered from an index`);
    t.ok(res.docs.length > 0, `${field}: ${res.docs.length} matches`);
    t.ok(s.lastCandidates <= mine, `${field}: ${s.lastCandidates} candidates, at most the patient's ${mine} observations`);
  }
  const other = await store.search({ types: ['Observation'], filter: { 'x.gx-subject-assembly': 'Patient/pat-7|GRCh37|17' }, limit: 1 });
  t.equal(other.docs.length, 0, 'no GRCh37 data');
  t.equal(searchIndexesOf(store).stats.lastCandidates, 0, 'and no candidates to verify for it');
});

t.test('a genomic region clause is answered exactly: nothing decoded, same answers as verifying', async (t) => {
  // as the compiler writes it: accession, bins (for MongoDB's index), start and end bounds
  const region = { 'x.genomic-region': regionCond('genomic-region', 'NC_000017.11:43044294-43125483') };
  t.ok('b' in (region['x.genomic-region'] as { $elemMatch: object }).$elemMatch, 'the clause lists its bins');
  const s = searchIndexesOf(store).stats;
  const sort: Array<[string, 1 | -1]> = [['t', 1], ['id', 1]];
  const exact = await store.search({ types: ['Observation'], filter: region, sort, limit: 20, count: true });
  t.ok(s.lastExact && s.lastVerified, 'the plan is exact');
  t.equal(s.lastDecoded, 0, `no candidate decoded (${s.lastCandidates} candidates)`);
  t.ok(s.lastCandidates > 40, 'a window with many variants');
  // the same clause inside $and is verified document by document
  const verified = await store.search({ types: ['Observation'], filter: { $and: [region] }, sort, limit: 20, count: true });
  t.notOk(s.lastExact, 'inside $and the plan is a superset to verify');
  t.ok(s.lastDecoded > 0, 'whose candidates are decoded');
  t.same(exact.records.map((r) => r.id), verified.records.map((r) => r.id), 'same page');
  t.equal(exact.total, verified.total, 'same total');
  t.same(exact.docs.map((d) => d.x), verified.docs.map((d) => d.x), 'returned documents carry the whole index');
  const later = await store.search({ types: ['Observation'], filter: region, sort, limit: 5, skip: 10 });
  t.same(later.records.map((r) => r.id), exact.records.slice(10, 15).map((r) => r.id), 'skip and limit');
  const desc = await store.search({ types: ['Observation'], filter: region, sort: [['t', -1], ['id', -1]], limit: 3 });
  t.equal(searchIndexesOf(store).stats.lastDecoded, 0, 'descending order is answered exactly too');
  const all = await store.search({ types: ['Observation'], filter: { $and: [region] }, sort: [['t', -1], ['id', -1]], limit: 3 });
  t.same(desc.records.map((r) => r.id), all.records.map((r) => r.id), 'descending: same as verifying');
});

t.test('an exact region answer never returns a version an update moved away', async (t) => {
  const where = (a: string, s: number, e: number) => ({ 'x.genomic-region': { $elemMatch: { a, s: { $lt: e }, e: { $gt: s } } } });
  const first = resources.find((r) => r.resourceType === 'Observation' && JSON.stringify(r).includes('NC_000017.11')) as Record<string, any>;
  const range = first.component.find((c: any) => c.valueRange).valueRange;
  const at = range.low.value as number;
  const sort: Array<[string, 1 | -1]> = [['t', 1], ['id', 1]];
  const ids = async (f: Record<string, unknown>) => (await store.search({ types: ['Observation'], filter: f, sort, limit: 1000, count: true })).records.map((r) => r.id);
  t.ok((await ids(where('NC_000017.11', at, at + 1))).includes(first.id), 'found at its position');
  const moved = JSON.parse(JSON.stringify(first));
  moved.component.find((c: any) => c.valueRange).valueRange = { low: { value: at + 5_000_000 }, high: { value: at + 5_000_001 } };
  await store.transaction(async (tx) => {
    await tx.put(moved, indexResource(moved, BASE));
  });
  t.notOk((await ids(where('NC_000017.11', at, at + 1))).includes(first.id), 'not at its old position any more');
  t.ok(searchIndexesOf(store).stats.lastExact, '(answered exactly)');
  t.ok((await ids(where('NC_000017.11', at + 5_000_000, at + 5_000_001))).includes(first.id), 'found at its new position');
  await store.transaction(async (tx) => {
    await tx.delete('Observation', first.id);
  });
  t.notOk((await ids(where('NC_000017.11', at + 5_000_000, at + 5_000_001))).includes(first.id), 'gone once deleted');
  await store.transaction(async (tx) => {
    await tx.put(first as typeof resources[number], indexResource(first as typeof resources[number], BASE));
  });
  t.same((await ids(where('NC_000017.11', at, at + 1))).filter((id) => id === first.id), [first.id], 'back, once');
});

t.test('exact answers order ids as strings do, whatever their shape (id keys and their fallbacks)', async (t) => {
  const { idOrderKey } = await import('../../src/storage/embedded/top-k.js');
  const { prng } = await import('../../scripts/seed-variants.js');
  const rnd = prng(41);
  const alphabet = '-.0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
  const ids = new Set<string>(['a', 'a-', 'a.', 'a0', 'aA', 'aa', 'abcdefgh', 'abcdefghi', 'abcdefgh0', 'abcdefg', 'Z', '9', '-', '.x']);
  // shared 8-character prefixes, short ids, and characters outside the FHIR id alphabet (NaN key)
  while (ids.size < 400) {
    const len = 1 + Math.floor(rnd() * 12);
    let id = rnd() < 0.5 ? 'var-1234' : '';
    for (let i = 0; i < len; i++) id += rnd() < 0.03 ? '~é_'[Math.floor(rnd() * 3)] : alphabet[Math.floor(rnd() * alphabet.length)];
    ids.add(id);
  }
  const list = [...ids];
  let wrong = 0;
  for (let i = 0; i < 5000; i++) {
    const a = list[Math.floor(rnd() * list.length)];
    const b = list[Math.floor(rnd() * list.length)];
    const ka = idOrderKey(a);
    const kb = idOrderKey(b);
    if ((ka < kb && !(a < b)) || (ka > kb && !(a > b))) wrong++;
  }
  t.equal(wrong, 0, 'where two keys differ, they order as the strings');

  const d = mkdtempSync(join(tmpdir(), 'fgs-idorder-'));
  const s2 = new EmbeddedStore(d, { fsync: false });
  await s2.init();
  t.teardown(async () => {
    await s2.close();
    rmSync(d, { recursive: true, force: true });
  });
  await s2.transaction(async (tx) => {
    for (const [i, id] of list.entries()) {
      const type = i % 3 === 0 ? 'MolecularSequence' : 'Observation';
      await tx.put({ resourceType: type, id } as never, { 'genomic-region': [{ a: 'NC_000001.11', s: 1000 + i, e: 1001 + i }] });
    }
  });
  const region = { 'x.genomic-region': { $elemMatch: { a: 'NC_000001.11', s: { $lt: 10_000 }, e: { $gt: 0 } } } };
  const types = ['Observation', 'MolecularSequence'];
  const want = list.map((id, i) => `${i % 3 === 0 ? 'MolecularSequence' : 'Observation'}/${id}`)
    .sort((x, y) => { const [tx, ix] = x.split('/'); const [ty, iy] = y.split('/'); return tx < ty ? -1 : tx > ty ? 1 : ix < iy ? -1 : ix > iy ? 1 : 0; });
  for (const [dir, skip] of [[1, 0], [1, 137], [-1, 0], [-1, 250]] as Array<[1 | -1, number]>) {
    const res = await s2.search({ types, filter: region, sort: [['t', dir], ['id', dir]], limit: 60, skip, count: true });
    t.ok(searchIndexesOf(s2).stats.lastExact, 'answered exactly');
    const expected = (dir === 1 ? want : [...want].reverse()).slice(skip, skip + 60);
    t.same(res.records.map((r) => `${r.resourceType}/${r.id}`), expected, `order ${dir > 0 ? 'ascending' : 'descending'}, skip ${skip}`);
    t.equal(res.total, list.length, 'total');
  }
});

t.test('interval index entries are sorted once writes pause, and by recovery before the store is ready', async (t) => {
  const d = mkdtempSync(join(tmpdir(), 'fgs-sortidle-'));
  t.teardown(() => rmSync(d, { recursive: true, force: true }));
  const pending = (s: EmbeddedStore) => searchIndexesOf(s).unsortedIndexes;
  const s1 = new EmbeddedStore(d, { fsync: false });
  await s1.init();
  await s1.transaction(async (tx) => {
    for (let i = 0; i < 50; i++) await tx.put({ resourceType: 'Observation', id: `o${i}` } as never, { 'genomic-region': [{ a: 'NC_000001.11', s: 5000 - i, e: 5001 - i }], date: [{ s: i, e: i + 1 }] });
  });
  t.ok(pending(s1) > 0, 'right after the writes, their entries wait to be sorted');
  // the sort runs 200 ms after the last write; a loaded machine may run timers late
  for (let waited = 0; pending(s1) > 0 && waited < 30_000; waited += 100) await new Promise((r) => setTimeout(r, 100));
  t.equal(pending(s1), 0, 'once writes pause, the store sorts them in the background');
  await s1.close();
  const s2 = new EmbeddedStore(d, { fsync: false });
  await s2.init();
  t.equal(pending(s2), 0, 'a reopened store is sorted when init resolves');
  const res = await s2.search({ types: ['Observation'], filter: { 'x.genomic-region': { $elemMatch: { a: 'NC_000001.11', s: { $lt: 4990 }, e: { $gt: 0 } } } }, sort: [['t', 1], ['id', 1]], limit: 100, count: true });
  t.equal(res.total, 39, 'and answers from them');
  await s2.close();
});

t.test('repeats of a parameter are each met by any value, whatever the index (search.html#combining)', async (t) => {
  const goals = [
    // two targets: each repeat below is met by a different one
    { resourceType: 'Goal', id: 'g-two', lifecycleStatus: 'active', subject: { reference: 'Patient/pat-1' }, description: { text: 'x' }, target: [{ dueDate: '2019-01-01' }, { dueDate: '2021-01-01' }] },
    { resourceType: 'Goal', id: 'g-one', lifecycleStatus: 'active', subject: { reference: 'Patient/pat-1' }, description: { text: 'x' }, target: [{ dueDate: '2019-01-01' }] },
  ];
  await store.transaction(async (tx) => {
    for (const g of goals) await tx.put(g as never, indexResource(g as never, BASE));
  });
  const ids = async (type: string, qs: string) => {
    const query: Record<string, string[]> = {};
    for (const [k, v] of new URLSearchParams(qs)) (query[k] ??= []).push(v);
    const b = await searchBundle(ctx, { resourceType: type, query, strict: true, baseUrl: 'http://x/fhir' });
    return (b.entry ?? []).map((e) => e.resource!.id).sort();
  };
  t.same(await ids('Goal', 'target-date=lt2020&target-date=gt2020'), ['g-two'], 'two dates of one resource meet two date repeats');
  t.same(await ids('Goal', 'target-date=lt2020&target-date=gt2018'), ['g-one', 'g-two']);
});
