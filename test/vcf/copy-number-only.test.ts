import t from 'tap';
import { Readable } from 'node:stream';
import type { Observation } from '@medplum/fhirtypes';
import { importVcf } from '../../src/genomics/vcf/import.js';
import type { VcfImportOptions } from '../../src/genomics/vcf/types.js';
import { validateProfiles } from '../../src/validation/profiles/index.js';
import { validateResource } from '../../src/validation/validate.js';
import { component, newStore, readAll } from './helpers.js';

/**
 * A copy-number call without an allele-level genotype: VCF 4.3 section 4 reserves FORMAT CN as the
 * sample's "copy number genotype" for imprecise events, and its section 5.3 examples call a <DUP>
 * with GT `./.` and CN 3. The IG's Variant has allelic state 0..1 and copy number 0..1 (its
 * ExampleSomaticCNV states a copy number and no allelic state): such a record is a Variant with
 * its copy number and no allelic state. Without a CN it stays a no-call.
 */
const HEAD = '##fileformat=VCFv4.3\n##fileDate=20240102\n##contig=<ID=chr1,length=248956422>\n##contig=<ID=chrX,length=156040895>\n#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\tS1\n';
const row = (...c: Array<string | number>) => c.join('\t');
const vcf = (rows: string[]) => HEAD + rows.join('\n') + '\n';
const opts: VcfImportOptions = { patient: 'p1' };
const cn = (o: Observation) => (component(o, '82155-3')?.valueQuantity as { value: number } | undefined)?.value;
const so = (o: Observation) => (component(o, '48019-4')?.valueCodeableConcept as { coding: Array<{ code: string }> }).coding[0].code;
const key = (o: Observation) => o.identifier![0].value!.split('|')[3];

async function run(text: string) {
  const store = await newStore();
  try {
    const summary = await importVcf(store, Readable.from([text]), opts);
    const obs = await readAll<Observation & { id: string }>(store, 'Observation');
    const again = await importVcf(store, Readable.from([text]), opts);
    return { summary, again, variants: obs.filter((o) => o.code?.coding?.[0]?.code === '69548-6') };
  } finally {
    await store.close();
  }
}

t.test('a <DUP>/<CNV>/<DEL> with GT ./. (or .) and a FORMAT CN is a Variant with its copy number, no allelic state', async (t) => {
  const { summary, again, variants } = await run(vcf([
    // VCF 4.3 section 5.3's example
    row('chr1', 12665100, '.', 'A', '<DUP>', 14, 'PASS', 'SVTYPE=DUP;END=12686200;SVLEN=21100;CIPOS=-500,500;CIEND=-500,500', 'GT:GQ:CN:CNQ', './.:0:3:16.2'),
    row('chr1', 20000000, '.', 'N', '<CNV>', 30, 'PASS', 'SVTYPE=CNV;END=20100000', 'GT:CN', './.:1'),
    row('chrX', 1000000, '.', 'N', '<DEL>', 30, 'PASS', 'SVTYPE=DEL;END=1050000', 'GT:CN', '.:0'),
    // a CN-only FORMAT (GT is optional in VCF 4.3)
    row('chr1', 30000000, '.', 'N', '<CNV>', 30, 'PASS', 'SVTYPE=CNV;END=30100000', 'CN', '4'),
  ]));
  t.equal(summary.variants, 4, JSON.stringify(summary.skipped));
  t.same(summary.skipped, {}, 'none skipped as a no-call');
  t.same(variants.map(key), ['1:12665100:A><DUP>', '1:20000000:N><CNV>', 'X:1000000:N><DEL>', '1:30000000:N><CNV>']);
  t.same(variants.map(cn), [3, 1, 0, 4], 'the sample\'s copy number');
  t.same(variants.map(so), ['SO:1000035', 'SO:0001019', 'SO:0000159', 'SO:0001019']);
  for (const v of variants) {
    t.notOk(component(v, '53034-5'), `${key(v)}: no allelic state`);
    t.same(validateProfiles(v as unknown as Record<string, unknown>).filter((i) => i.severity === 'error'), [], `${key(v)}: conforms to the Variant profile`);
    t.same(validateResource(v).filter((i) => i.severity === 'error'), [], `${key(v)}: valid`);
  }
  t.same([again.created, again.updated], [0, 0], 'a re-import is idempotent');
});

t.test('which ALT: the one copy-number ALT, or the <CNn> named by the CN', async (t) => {
  const { summary, variants } = await run(vcf([
    row('chr1', 1000, '.', 'T', '<CN0>,<CN2>,<CN3>,<CN4>', 50, 'PASS', 'SVTYPE=CNV;END=2000', 'GT:CN', './.:3'),
    row('chr1', 3000, '.', 'T', '<CN0>,<CN3>', 50, 'PASS', 'SVTYPE=CNV;END=4000', 'GT:CN', './.:1'), // no <CN1>: no-call
    row('chr1', 5000, '.', 'T', '<DEL>,<DUP>', 50, 'PASS', 'SVLEN=-100,100', 'GT:CN', './.:3'), // which one is not said
    row('chr1', 7000, '.', 'T', '<CN0>', 50, 'PASS', 'END=8000', 'GT:CN', './.:2'), // the sample is not <CN0>: it is copy neutral
  ]));
  t.equal(summary.variants, 1);
  t.same(summary.skipped, { 'no-call': 2, 'reference-call': 1 });
  t.same(variants.map(key), ['1:1000:T><CN3>']);
  t.equal(cn(variants[0]), 3);
});

t.test('true no-calls stay skipped', async (t) => {
  const { summary } = await run(vcf([
    row('chr1', 1000, '.', 'N', '<DUP>', 50, 'PASS', 'SVTYPE=DUP;END=2000', 'GT', './.'),
    row('chr1', 3000, '.', 'N', '<DUP>', 50, 'PASS', 'SVTYPE=DUP;END=4000', 'GT:CN', './.:.'),
    row('chr1', 4500, '.', 'N', '<DUP>', 50, 'PASS', 'SVTYPE=DUP;END=4600;CN=3', 'GT', './.'), // INFO CN is the site's, not the sample's
    row('chr1', 5000, '.', 'A', 'G', 50, 'PASS', '.', 'GT:CN', './.:3'), // a sequence ALT: CN does not call it
    row('chr1', 6000, '.', 'N', '<INV>', 50, 'PASS', 'SVTYPE=INV;END=7000', 'GT:CN', './.:2'), // an inversion changes no copy number
    row('chr1', 8000, '.', 'N', '<DUP>', 50, 'PASS', 'SVTYPE=DUP;END=9000', 'GT:CN', '0/0:2'), // a reference call stays one
    row('chr1', 9500, '.', 'N', '<DUP>', 50, 'PASS', 'SVTYPE=DUP;END=9600', 'GQ', '30'), // no genotype at all
  ]));
  t.equal(summary.variants, 0);
  t.same(summary.skipped, { 'no-call': 5, 'reference-call': 1, 'no-genotype': 1 });
});

t.test('a CN that is not a count, on such a record, is a malformed line', async (t) => {
  const err = await run(vcf([row('chr1', 1000, '.', 'N', '<DUP>', 50, 'PASS', 'SVTYPE=DUP;END=2000', 'GT:CN', './.:x')])).catch((e: Error) => e);
  t.match((err as Error).message, /malformed lines/);
});

t.test('on an autosome CN 2 is the reference state, and a <DEL> above it or a <DUP> below it is no call; X keeps its CN as called', async (t) => {
  const { summary, variants } = await run(vcf([
    row('chr1', 1000, '.', 'N', '<CNV>', 50, 'PASS', 'SVTYPE=CNV;END=2000', 'GT:CN', './.:2'), // copy neutral
    row('chr1', 3000, '.', 'N', '<DEL>', 50, 'PASS', 'SVTYPE=DEL;END=4000', 'GT:CN', './.:3'), // a deletion with more copies
    row('chr1', 5000, '.', 'N', '<DUP>', 50, 'PASS', 'SVTYPE=DUP;END=6000', 'GT:CN', './.:1'), // a duplication with fewer
    row('chr1', 7000, '.', 'N', '<DEL>', 50, 'PASS', 'SVTYPE=DEL;END=8000', 'GT:CN', './.:1'), // a deletion: called
    row('chrX', 1000, '.', 'N', '<CNV>', 50, 'PASS', 'SVTYPE=CNV;END=2000', 'GT:CN', './.:2'), // X: the ploidy is not stated
  ]));
  t.same(summary.skipped, { 'reference-call': 1, 'copy-number-conflict': 2 }, JSON.stringify(summary.skipped));
  t.same(variants.map(key), ['1:7000:N><DEL>', 'X:1000:N><CNV>']);
  t.same(variants.map(cn), [1, 2]);
});

t.test('a partly called GT (1/., ./1, 1|.) with a FORMAT CN is a copy-number call: the same autosome rule, the CN picks the ALT', async (t) => {
  const { summary, variants } = await run(vcf([
    row('chr1', 1000, '.', 'N', '<DUP>', 50, 'PASS', 'SVTYPE=DUP;END=2000', 'GT:CN', '1/.:2'), // copy neutral
    row('chr1', 3000, '.', 'N', '<DEL>', 50, 'PASS', 'SVTYPE=DEL;END=4000', 'GT:CN', './1:3'), // a deletion with more copies
    row('chr1', 5000, '.', 'N', '<DUP>', 50, 'PASS', 'SVTYPE=DUP;END=6000', 'GT:CN', '1/.:3'), // called
    row('chr1', 7000, '.', 'N', '<CN0>,<CN3>', 50, 'PASS', 'SVTYPE=CNV;END=8000', 'GT:CN', '2|.:3'), // the CN's own allele
    row('chrX', 1000, '.', 'N', '<DEL>', 50, 'PASS', 'SVTYPE=DEL;END=2000', 'GT:CN', '1/.:2'), // X: as called
    row('chr1', 9000, '.', 'A', 'G', 50, 'PASS', '.', 'GT:CN', '1/.:2'), // a sequence ALT: its GT is the call
    row('chr1', 11000, '.', 'N', '<DUP>', 50, 'PASS', 'SVTYPE=DUP;END=12000', 'GT:CN', '0/.:3'), // the copy called is the reference
  ]));
  t.same(summary.skipped, { 'reference-call': 2, 'copy-number-conflict': 1 }, JSON.stringify(summary.skipped));
  t.same(variants.map(key), ['1:5000:N><DUP>', '1:7000:N><CN3>', 'X:1000:N><DEL>', '1:9000:A>G']);
  t.same(variants.map(cn), [3, 3, 2, undefined]);
  t.same(variants.map((v) => component(v, '53034-5')), [undefined, undefined, undefined, undefined], 'no allelic state: one copy is not called');
});
