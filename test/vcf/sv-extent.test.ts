import t from 'tap';
import { Readable } from 'node:stream';
import type { Observation } from '@medplum/fhirtypes';
import { importVcf } from '../../src/genomics/vcf/import.js';
import { readLines } from '../../src/genomics/vcf/line-reader.js';
import { emptySummary, mapVcf } from '../../src/genomics/vcf/map-vcf.js';
import type { ProducedResource, VcfImportOptions } from '../../src/genomics/vcf/types.js';
import { component, newStore, readAll } from './helpers.js';

/**
 * Two structural records at one CHROM/POS/REF/ALT (`<DEL>`) with another extent (END, SVLEN,
 * CIPOS/CIEND) are two variants, not a duplicate. The first at a site keeps the key it always had
 * (so files imported before keep their ids: ids-golden.test.ts); a later one of another extent is
 * keyed by its extent too.
 */
const HEAD = '##fileformat=VCFv4.2\n##fileDate=20240102\n##contig=<ID=chr1,length=248956422>\n#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\tS1\n';
const row = (...c: Array<string | number>) => c.join('\t');
const vcf = (rows: string[]) => HEAD + rows.join('\n') + '\n';
const opts: VcfImportOptions = { patient: 'p1' };
const rng = (o: Observation, loinc: string) => {
  const r = component(o, loinc)?.valueRange as { low: { value: number }; high: { value: number } } | undefined;
  return r && [r.low.value, r.high.value];
};
const key = (o: Observation) => o.identifier![0].value!.split('|')[3];

async function mapped(text: string) {
  const summary = emptySummary();
  const resources: ProducedResource[] = [];
  for await (const r of mapVcf(readLines(Readable.from([text])), opts, summary)) resources.push(r);
  const variants = resources.filter((r): r is Observation & { id: string } => r.resourceType === 'Observation' && (r as Observation).code?.coding?.[0]?.code === '69548-6');
  return { summary, resources, variants };
}

t.test('two <DEL> at one site with another END are two variants; the first keeps its key', async (t) => {
  const first = row('chr1', 5000, '.', 'A', '<DEL>', 50, 'PASS', 'SVTYPE=DEL;END=5100', 'GT', '0/1');
  const alone = await mapped(vcf([first]));
  const { summary, variants } = await mapped(vcf([first, row('chr1', 5000, '.', 'A', '<DEL>', 50, 'PASS', 'SVTYPE=DEL;END=5300', 'GT', '1/1')]));
  t.equal(summary.variants, 2);
  t.same(summary.skipped, {}, 'not a duplicate');
  t.same(variants.map((v) => rng(v, '81254-5')), [[5000, 5100], [5000, 5300]], 'each its own extent');
  t.equal(variants[0].id, alone.variants[0].id, 'the first has the id it has alone');
  t.same(variants.map(key), ['1:5000:A><DEL>', '1:5000:A><DEL>@5000-5300'], 'the second is keyed by its extent');
  t.not(variants[1].id, variants[0].id);
});

t.test('another SVLEN, or another CIPOS/CIEND, is another extent; the same extent is a duplicate', async (t) => {
  const { summary, variants } = await mapped(vcf([
    row('chr1', 1000, '.', 'A', '<DEL>', 50, 'PASS', 'SVTYPE=DEL;SVLEN=-100', 'GT', '0/1'),
    row('chr1', 1000, '.', 'A', '<DEL>', 50, 'PASS', 'SVTYPE=DEL;SVLEN=-250', 'GT', '0/1'),
    row('chr1', 1000, '.', 'A', '<DEL>', 50, 'PASS', 'SVTYPE=DEL;SVLEN=-100', 'GT', '0/1'), // the first again
    row('chr1', 1000, '.', 'A', '<DEL>', 50, 'PASS', 'SVTYPE=DEL;SVLEN=-250', 'GT', '0/1'), // the second again
    row('chr1', 2000, '.', 'A', '<DUP>', 50, 'PASS', 'SVTYPE=DUP;END=2500;CIPOS=-10,10;CIEND=-10,10', 'GT', '0/1'),
    row('chr1', 2000, '.', 'A', '<DUP>', 50, 'PASS', 'SVTYPE=DUP;END=2500;CIPOS=-50,50;CIEND=-50,50', 'GT', '0/1'),
    row('chr1', 2000, '.', 'A', '<DUP>', 50, 'PASS', 'SVTYPE=DUP;END=2500', 'GT', '0/1'),
  ]));
  t.equal(summary.variants, 5, JSON.stringify(summary.skipped));
  t.same(summary.skipped, { duplicate: 2 }, 'a record of an extent already seen at the site is a duplicate');
  t.same(variants.map(key), [
    '1:1000:A><DEL>', '1:1000:A><DEL>@1000-1250',
    '1:2000:A><DUP>', '1:2000:A><DUP>@2000-2500,outer:1950-2550,inner:2050-2450', '1:2000:A><DUP>@2000-2500',
  ]);
  t.equal(new Set(variants.map((v) => v.id)).size, 5, 'five ids');
});

t.test('a sequence ALT repeated at its site is still a duplicate', async (t) => {
  const { summary } = await mapped(vcf([
    row('chr1', 100, '.', 'A', 'G', 50, 'PASS', '.', 'GT', '0/1'),
    row('chr1', 100, '.', 'A', 'G', 50, 'PASS', 'END=100', 'GT', '1/1'),
  ]));
  t.equal(summary.variants, 1);
  t.same(summary.skipped, { duplicate: 1 });
});

t.test('re-importing a file with two such deletions creates nothing new', async (t) => {
  const store = await newStore();
  t.teardown(() => store.close());
  const text = vcf([
    row('chr1', 5000, '.', 'A', '<DEL>', 50, 'PASS', 'SVTYPE=DEL;END=5100', 'GT', '0/1'),
    row('chr1', 5000, '.', 'A', '<DEL>', 50, 'PASS', 'SVTYPE=DEL;END=5300', 'GT', '0/1'),
  ]);
  const once = await importVcf(store, Readable.from([text]), opts);
  t.equal(once.variants, 2);
  const again = await importVcf(store, Readable.from([text]), opts);
  t.same([again.created, again.updated, again.unchanged], [0, 0, once.resources], 'idempotent');
  const stored = (await readAll<Observation>(store, 'Observation')).filter((o) => o.code?.coding?.[0]?.code === '69548-6');
  t.equal(stored.length, 2, 'two Variants stored');
});

t.test('on the prepare workers (a file of 700 records): the same resources as mapped here', async (t) => {
  const store = await newStore();
  t.teardown(() => store.close());
  // the second deletion is data line 201: the next pool chunk after the first's (chunks are 200 lines)
  const rows = Array.from({ length: 700 }, (_, i) => (i === 199 || i === 200 || i === 201
    ? row('chr1', 100_000, '.', 'A', '<DEL>', 50, 'PASS', `SVTYPE=DEL;END=${i === 200 ? 100_400 : 100_200}`, 'GT', '0/1')
    : row('chr1', 1000 + i * 10 + (i > 200 ? 200_000 : 0), '.', 'A', 'G', 50, 'PASS', '.', 'GT', '0/1')));
  const text = vcf(rows);
  const here = await mapped(text);
  t.equal(here.summary.variants, 699, 'one duplicate (line 202 repeats line 200)');
  const summary = await importVcf(store, Readable.from([text]), opts);
  for (const k of ['variants', 'skipped', 'resources'] as const) t.same(summary[k], k === 'resources' ? here.resources.length : here.summary[k], k);
  for (const r of here.variants.filter((v) => key(v).startsWith('1:100000:'))) {
    const stored = await store.read('Observation', r.id);
    t.ok(stored, `${key(r)} stored`);
    t.same(JSON.parse(stored!.json!).identifier, r.identifier, 'with its identifier');
  }
  const again = await importVcf(store, Readable.from([text]), opts);
  t.same([again.created, again.updated], [0, 0], 'a re-import changes nothing');
});

t.test('in an unsorted file, a structural call before the first record out of order keeps its extent', async (t) => {
  const { summary, variants } = await mapped(vcf([
    row('chr1', 1000, '.', 'N', '<DEL>', 50, 'PASS', 'SVTYPE=DEL;END=2000', 'GT', '0/1'),
    row('chr1', 3000, '.', 'A', 'G', 50, 'PASS', '.', 'GT', '0/1'),
    row('chr1', 500, '.', 'A', 'G', 50, 'PASS', '.', 'GT', '0/1'), // out of order from here
    row('chr1', 1000, '.', 'N', '<DEL>', 50, 'PASS', 'SVTYPE=DEL;END=2500', 'GT', '0/1'), // another deletion
    row('chr1', 1000, '.', 'N', '<DEL>', 50, 'PASS', 'SVTYPE=DEL;END=2000', 'GT', '0/1'), // the first again
    row('chr1', 3000, '.', 'A', 'G', 50, 'PASS', '.', 'GT', '0/1'), // a sequence call again
  ]));
  t.same(summary.skipped, { duplicate: 2 }, JSON.stringify(summary.skipped));
  t.same(variants.map(key), ['1:1000:N><DEL>', '1:3000:A>G', '1:500:A>G', '1:1000:N><DEL>@1000-2500']);
  t.same(variants.map((v) => rng(v, '81254-5')), [[1000, 2000], [2999, 3000], [499, 500], [1000, 2500]]);
});

t.test('in an unsorted file, a call repeated after the report is full is still a duplicate', async (t) => {
  const summary = emptySummary();
  const text = vcf([
    row('chr1', 100, '.', 'A', 'G', 50, 'PASS', '.', 'GT', '0/1'),
    row('chr1', 200, '.', 'A', 'G', 50, 'PASS', '.', 'GT', '0/1'), // past a report of 1 result
    row('chr1', 300, '.', 'A', 'G', 50, 'PASS', '.', 'GT', '0/1'),
    row('chr1', 50, '.', 'A', 'G', 50, 'PASS', '.', 'GT', '0/1'), // out of order from here
    row('chr1', 200, '.', 'A', 'G', 50, 'PASS', '.', 'GT', '0/1'),
  ]);
  const ids: string[] = [];
  for await (const r of mapVcf(readLines(Readable.from([text])), { ...opts, maxReportResults: 1 }, summary)) if (r.resourceType === 'Observation') ids.push(r.id);
  t.equal(summary.variants, 4);
  t.same(summary.skipped, { duplicate: 1 });
  t.equal(new Set(ids).size, ids.length, 'no Observation produced twice');
});
