import t from 'tap';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import type { Observation } from '@medplum/fhirtypes';
import { FhirError } from '../../src/fhir/errors.js';
import { importVcf } from '../../src/genomics/vcf/import.js';
import type { VcfImportOptions } from '../../src/genomics/vcf/types.js';
import { component, newStore, readAll } from './helpers.js';

const HEAD = '##fileformat=VCFv4.2\n##fileDate=20240102\n##contig=<ID=chr1,length=248956422>\n';
const COLS = '#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT';
const vcf = (rows: string[], samples = ['S1']) => `${HEAD}${COLS}\t${samples.join('\t')}\n${rows.join('\n')}\n`;
const row = (...c: Array<string | number>) => c.join('\t');
const input = (text: string | Buffer) => Readable.from([Buffer.isBuffer(text) ? text : Buffer.from(text)]);

async function run(text: string | Buffer, opts: Partial<VcfImportOptions> = {}) {
  const store = await newStore();
  try {
    const summary = await importVcf(store, input(text), { patient: 'p1', ...opts });
    const obs = await readAll<Observation & { id: string }>(store, 'Observation');
    return { summary, obs, variants: obs.filter((o) => o.code?.coding?.[0]?.code === '69548-6'), store };
  } finally {
    await store.close();
  }
}
const code = (o: Observation, loinc: string) => (component(o, loinc)?.valueCodeableConcept as { coding: Array<{ code: string }> } | undefined)?.coding[0].code;
const str = (o: Observation, loinc: string) => component(o, loinc)?.valueString as string | undefined;
const rng = (o: Observation, loinc: string) => {
  const r = component(o, loinc)?.valueRange as { low: { value: number }; high: { value: number } } | undefined;
  return r && [r.low.value, r.high.value];
};
const byAlt = (vs: Observation[], alt: string) => vs.find((v) => str(v, '69551-0') === alt)!;

t.test('multi-allelic sites split per ALT with the right allelic state', async (t) => {
  const { summary, variants } = await run(vcf([
    row('chr1', 100, 'rs1', 'A', 'G,T', 50, 'PASS', '.', 'GT:AD:DP', '1/2:2,10,8:20'),
    row('chr1', 200, '.', 'C', 'G,T', 50, 'PASS', '.', 'GT:AD', '0/2:10,0,10'),
    row('chr1', 300, '.', 'G', 'A', 50, 'PASS', '.', 'GT', '1/1'),
  ]));
  t.equal(summary.variants, 4);
  const g = byAlt(variants, 'G');
  t.equal(code(g, '53034-5'), 'LA6706-1', '1/2: each ALT heterozygous');
  t.same(rng(g, '81254-5'), [99, 100], '0-based half-open');
  t.equal(code(g, '92822-6'), 'LA30100-4');
  t.equal(code(g, '81252-9'), 'rs1', 'dbSNP id');
  t.equal((component(g, '81258-6')?.valueQuantity as { value: number }).value, 0.5, 'VAF = AD[alt]/sum(AD)');
  t.equal((component(g, '82121-5')?.valueQuantity as { value: number }).value, 10, 'allelic read depth = AD[alt]');
  t.equal(variants.filter((v) => str(v, '69547-8') === 'C').length, 1, '0/2 imports only the called ALT');
  t.equal(code(byAlt(variants, 'A'), '53034-5'), 'LA6705-3', '1/1 homozygous');
  t.equal(code(g, '62374-4'), 'LA26806-2', 'GRCh38 detected from contig length');
  t.equal(code(g, '48013-7'), 'NC_000001.11');
  t.equal(g.effectiveDateTime, '2024-01-02', '##fileDate');
});

t.test('a ##fileDate that is no calendar day is not used (the import does not fail on it)', async (t) => {
  for (const date of ['20130229', '2012-04-31', '20121304']) {
    const text = vcf([row('chr1', 100, '.', 'A', 'G', 50, 'PASS', '.', 'GT', '0/1')]).replace('##fileDate=20240102', `##fileDate=${date}`);
    const { summary, variants } = await run(text);
    t.equal(summary.variants, 1, date);
    t.equal(variants[0].effectiveDateTime, undefined, `${date}: no effective date`);
  }
  const leap = await run(vcf([row('chr1', 100, '.', 'A', 'G', 50, 'PASS', '.', 'GT', '0/1')]).replace('##fileDate=20240102', '##fileDate=20120229'));
  t.equal(leap.variants[0].effectiveDateTime, '2012-02-29', 'a leap day is a day');
});

t.test('INFO AF is never the sample allelic frequency; FORMAT AF and AD are', async (t) => {
  const { variants } = await run(vcf([
    // a 1000 Genomes population frequency, and GATK's AC/AN of the called genotypes
    row('chr1', 100, '.', 'A', 'G', 50, 'PASS', 'AC=7;AF=0.00139776;AN=5008', 'GT', '0|1'),
    row('chr1', 200, '.', 'C', 'T', 50, 'PASS', 'AC=1;AF=0.5;AN=2', 'GT', '0/1'),
    row('chr1', 300, '.', 'G', 'A', 50, 'PASS', 'AF=0.5', 'GT:AD', '0/1:30,10'),
    row('chr1', 400, '.', 'T', 'C', 50, 'PASS', 'AF=0.5', 'GT:AF', '0/1:0.12'),
  ]));
  const vaf = (pos: number) => (component(variants.find((v) => v.identifier![0].value!.includes(`:${pos}:`))!, '81258-6')?.valueQuantity as { value: number } | undefined)?.value;
  t.equal(vaf(100), undefined, 'population AF is not the sample frequency');
  t.equal(vaf(200), undefined, 'AC/AN is not the sample frequency');
  t.equal(vaf(300), 0.25, 'AD[alt]/sum(AD)');
  t.equal(vaf(400), 0.12, 'FORMAT AF');
});

t.test('AD with a missing depth gives no frequency (the total is unknown), but its known ALT depth', async (t) => {
  const { variants } = await run(vcf([
    row('chr1', 100, '.', 'A', 'G', 50, 'PASS', '.', 'GT:AD', '0/1:.,10'),
    row('chr1', 200, '.', 'A', 'G,T', 50, 'PASS', '.', 'GT:AD', '0/1:5,5,.'),
    row('chr1', 300, '.', 'A', 'G', 50, 'PASS', '.', 'GT:AD', '0/1:30,10'),
  ]));
  const q = (pos: number, loinc: string) => (component(variants.find((v) => v.identifier![0].value!.includes(`:${pos}:`))!, loinc)?.valueQuantity as { value: number } | undefined)?.value;
  t.equal(q(100, '81258-6'), undefined, "REF depth '.': not a frequency of 1");
  t.equal(q(100, '82121-5'), 10, 'the ALT depth is still known');
  t.equal(q(200, '81258-6'), undefined, "another ALT's depth '.': the total is unknown");
  t.equal(q(200, '82121-5'), 5);
  t.equal(q(300, '81258-6'), 0.25, 'every depth known: AD[alt]/sum(AD)');
});

t.test('no-calls, reference calls and filtered records are skipped and counted', async (t) => {
  const rows = [
    row('chr1', 100, '.', 'A', 'G', 50, 'PASS', '.', 'GT', './.'),
    row('chr1', 110, '.', 'A', 'G', 50, 'PASS', '.', 'GT', '0/0'),
    row('chr1', 120, '.', 'A', 'G', 50, 'LowQual', '.', 'GT', '0/1'),
    row('chr1', 130, '.', 'A', 'G', 50, '.', '.', 'GT', '0/1'),
    row('chr1', 140, '.', 'A', 'G', 50, 'PASS', '.', 'DP', '12'),
    row('chr1', 150, '.', 'A', '*', 50, 'PASS', '.', 'GT', '0/1'),
    row('chr1', 160, '.', 'A', 'G', 50, 'PASS', '.', 'GT:FT', '0/1:LowGQ'),
    row('chrUn_KI270302v1', 10, '.', 'A', 'G', 50, 'PASS', '.', 'GT', '0/1'),
  ];
  const { summary } = await run(vcf(rows));
  t.equal(summary.records, 8);
  t.equal(summary.variants, 1);
  t.same(summary.skipped, { 'no-call': 1, 'reference-call': 1, filtered: 2, 'no-genotype': 1, 'spanning-deletion': 1, 'unsupported-contig': 1 });
  const withFiltered = await run(vcf(rows), { includeFiltered: true });
  t.equal(withFiltered.summary.variants, 3, '--include-filtered keeps FILTER/FT failures');
});

t.test('phased genotypes give Cis/Trans SequencePhaseRelationships per phase set', async (t) => {
  const { summary, obs, variants } = await run(vcf([
    row('chr1', 100, '.', 'A', 'G', 50, 'PASS', '.', 'GT:PS', '0|1:100'),
    row('chr1', 200, '.', 'A', 'T', 50, 'PASS', '.', 'GT:PS', '0|1:100'),
    row('chr1', 300, '.', 'A', 'C', 50, 'PASS', '.', 'GT:PS', '1|0:100'),
    row('chr1', 400, '.', 'C', 'G', 50, 'PASS', '.', 'GT:PS', '1|0:400'),
    row('chr1', 500, '.', 'C', 'A', 50, 'PASS', '.', 'GT:PS', '1|1:100'),
    row('chr1', 600, '.', 'C', 'T', 50, 'PASS', '.', 'GT:PS', '0/1:100'),
  ]));
  t.equal(summary.variants, 6);
  const rels = obs.filter((o) => o.code?.coding?.[0]?.code === '82120-7');
  t.equal(rels.length, 2);
  const id = (alt: string) => `Observation/${byAlt(variants, alt).id}`;
  const rel = (a: string, b: string) => rels.find((r) => r.derivedFrom?.[0].reference === id(a) && r.derivedFrom?.[1].reference === id(b));
  t.equal(rel('G', 'T')?.valueCodeableConcept?.coding?.[0].code, 'Cis');
  t.equal(rel('T', 'C')?.valueCodeableConcept?.coding?.[0].code, 'Trans');
  t.equal(rels[0].meta?.profile?.[0], 'http://hl7.org/fhir/uv/genomics-reporting/StructureDefinition/sequence-phase-relationship');
});

t.test('haploid calls: hemizygous on X, homoplasmic on MT', async (t) => {
  const { variants } = await run(vcf([
    row('chrX', 1000, '.', 'A', 'G', 50, 'PASS', '.', 'GT', '1'),
    row('chrM', 100, '.', 'A', 'T', 50, 'PASS', '.', 'GT', '1'),
    row('chrM', 200, '.', 'A', 'C', 50, 'PASS', '.', 'GT', '0/1'),
  ]));
  t.equal(code(byAlt(variants, 'G'), '53034-5'), 'LA6707-9');
  t.equal(code(byAlt(variants, 'T'), '53034-5'), 'LA6704-6');
  t.equal(code(byAlt(variants, 'C'), '53034-5'), 'LA6703-8');
  t.equal(code(byAlt(variants, 'T'), '48013-7'), 'NC_012920.1');
});

t.test('structural variants: SO change type, END/CIPOS/CIEND, copy number', async (t) => {
  const { summary, variants } = await run(vcf([
    row('chr1', 1000, '.', 'N', '<DEL>', 50, 'PASS', 'SVTYPE=DEL;END=2000', 'GT', '0/1'),
    row('chr1', 3000, '.', 'A', '<DUP:TANDEM>', 50, 'PASS', 'SVTYPE=DUP;END=3500;CIPOS=-10,10;CIEND=-20,20', 'GT:CN', '0/1:3'),
    row('chr1', 4000, '.', 'A', '<INV>', 50, 'PASS', 'SVTYPE=INV;END=4100', 'GT', '1/1'),
    row('chr1', 5000, '.', 'A', '<INS>', 50, 'PASS', 'SVTYPE=INS;SVLEN=300', 'GT', '0/1'),
    row('chr1', 6000, '.', 'A', '<CNV>', 50, 'PASS', 'SVTYPE=CNV;END=7000', 'GT:CN', '0/1:1'),
    row('chr1', 8000, '.', 'A', '<CN0>', 50, 'PASS', 'END=9000', 'GT', '0/1'),
    row('chr1', 9500, '.', 'A', 'A[chr2:100[', 50, 'PASS', 'SVTYPE=BND', 'GT', '0/1'),
  ]));
  t.equal(summary.variants, 6);
  t.equal(summary.skipped.breakend, 1);
  const at = (pos: number) => variants.find((v) => v.identifier![0].value!.includes(`:${pos}:`))!;
  t.equal(code(at(1000), '48019-4'), 'SO:0000159');
  t.same(rng(at(1000), '81254-5'), [1000, 2000], 'bases after the padding base, 0-based');
  t.notOk(str(at(1000), '69547-8'), "REF 'N' is not reported");
  t.equal(code(at(3000), '48019-4'), 'SO:1000035');
  t.same(rng(at(3000), '81301-4'), [2990, 3520], 'outer = CIPOS[0], CIEND[1]');
  t.same(rng(at(3000), '81302-2'), [3010, 3480], 'inner = CIPOS[1], CIEND[0]');
  t.notOk(component(at(3000), '81254-5'), 'no exact range for an imprecise call');
  t.equal((component(at(3000), '82155-3')?.valueQuantity as { value: number }).value, 3);
  t.equal(code(at(4000), '48019-4'), 'SO:1000036');
  t.equal(code(at(5000), '48019-4'), 'SO:0000667');
  t.same(rng(at(5000), '81254-5'), [5000, 5000], 'an insertion is a zero-length interval');
  t.equal(code(at(6000), '48019-4'), 'SO:0001019');
  t.equal((component(at(8000), '82155-3')?.valueQuantity as { value: number }).value, 0, '<CN0> copy number');
});

t.test('SVLEN has one value per ALT, and two symbolic ALTs of one name are two alleles', async (t) => {
  // VCF 4.3 section 3: SVLEN is "one value for each ALT allele (e.g. SVLEN=-100,-110 for a deletion
  // with two distinct alt alleles)"
  const { summary, variants } = await run(vcf([
    row('chr1', 1000, '.', 'A', '<DEL>,<DUP>', 50, 'PASS', 'SVLEN=-100,200', 'GT', '1/2'),
    row('chr1', 5000, '.', 'A', '<DEL>,<DEL>', 50, 'PASS', 'SVTYPE=DEL;SVLEN=-100,-110', 'GT', '1/2'),
    row('chr1', 9000, '.', 'A', '<INS>,<DUP>', 50, 'PASS', 'SVLEN=50,300', 'GT', '1/2'),
  ]));
  t.equal(summary.variants, 6, JSON.stringify(summary.skipped));
  t.same(summary.skipped, {}, 'the second <DEL> is not a duplicate of the first');
  const extent = (pos: number, type: string) => variants
    .filter((v) => v.identifier![0].value!.includes(`:${pos}:`) && code(v, '48019-4') === type)
    .map((v) => rng(v, '81254-5'));
  t.same(extent(1000, 'SO:0000159'), [[1000, 1100]], '<DEL> SVLEN[0]');
  t.same(extent(1000, 'SO:1000035'), [[1000, 1200]], '<DUP> SVLEN[1], not the deletion\'s');
  t.same(extent(5000, 'SO:0000159').sort((a, b) => a![1] - b![1]), [[5000, 5100], [5000, 5110]], 'each <DEL> its own length');
  t.same(extent(9000, 'SO:1000035'), [[9000, 9300]], '<DUP> after an <INS>: SVLEN[1]');
  const keys = variants.filter((v) => v.identifier![0].value!.includes(':5000:')).map((v) => v.identifier![0].value!.split('|')[3]).sort();
  t.same(keys, ['1:5000:A><DEL>', '1:5000:A><DEL>#2'], 'the first keeps the usual key; the repeat is named by its allele index');
});

t.test("END '.' is a missing END (VCF: a dot is the missing value everywhere)", async (t) => {
  const { summary, variants } = await run(vcf([
    row('chr1', 1000, '.', 'A', '<DEL>', 50, 'PASS', 'SVTYPE=DEL;END=.;SVLEN=-100', 'GT', '0/1'),
    row('chr1', 2000, '.', 'A', '<INS>', 50, 'PASS', 'SVTYPE=INS;END=.', 'GT', '0/1'),
    row('chr1', 3000, '.', 'A', 'G', 50, 'PASS', 'END=.', 'GT', '0/1'),
  ]));
  t.equal(summary.variants, 3, JSON.stringify(summary));
  const at = (pos: number) => variants.find((v) => v.identifier![0].value!.includes(`:${pos}:`))!;
  t.same(rng(at(1000), '81254-5'), [1000, 1100], 'the extent from SVLEN');
  t.same(rng(at(2000), '81254-5'), [2000, 2000]);
});

t.test('the outer range of an imprecise call covers both breakpoint intervals', async (t) => {
  const { variants } = await run(vcf([
    row('chr1', 1000, '.', 'A', '<INS>', 50, 'PASS', 'SVTYPE=INS;END=1000;CIPOS=-16,22', 'GT', '0/1'),
    row('chr1', 2000, '.', 'A', '<DEL>', 50, 'PASS', 'SVTYPE=DEL;END=2010;CIPOS=-5,50;CIEND=-50,5', 'GT', '0/1'),
  ]));
  const at = (pos: number) => variants.find((v) => v.identifier![0].value!.includes(`:${pos}:`))!;
  t.same(rng(at(1000), '81301-4'), [984, 1022], 'outer end reaches CIPOS[1] past END');
  t.notOk(component(at(1000), '81302-2'), 'no inner range');
  t.same(rng(at(2000), '81301-4'), [1960, 2050], 'outer start reaches CIEND[0], outer end CIPOS[1]');
});

t.test('sequence-resolved indels get their change type from the alleles', async (t) => {
  const { variants } = await run(vcf([
    row('chr1', 100, '.', 'A', 'ATG', 50, 'PASS', '.', 'GT', '0/1'),
    row('chr1', 200, '.', 'ATG', 'A', 50, 'PASS', '.', 'GT', '0/1'),
    row('chr1', 300, '.', 'AT', 'GC', 50, 'PASS', '.', 'GT', '0/1'),
    row('chr1', 400, '.', 'ATT', 'GC', 50, 'PASS', '.', 'GT', '0/1'),
  ]));
  t.same(variants.map((v) => code(v, '48019-4')).sort(), ['SO:0000159', 'SO:0000667', 'SO:0002007', 'SO:1000032'].sort());
  t.same(rng(byAlt(variants, 'A'), '81254-5'), [199, 202]);
});

t.test('indels padded after the event (at position 1) are insertions and deletions, not delins', async (t) => {
  const { variants } = await run(vcf([
    row('chr1', 1, '.', 'A', 'TA', 50, 'PASS', '.', 'GT', '0/1'),
    row('chr2', 1, '.', 'TCA', 'A', 50, 'PASS', '.', 'GT', '0/1'),
    row('chr3', 1, '.', 'A', 'TCC', 50, 'PASS', '.', 'GT', '0/1'),
  ]));
  t.equal(code(byAlt(variants, 'TA'), '48019-4'), 'SO:0000667', 'A>TA insertion');
  t.same(rng(byAlt(variants, 'TA'), '81254-5'), [0, 1], 'REF as written: the padding base');
  t.equal(code(byAlt(variants, 'A'), '48019-4'), 'SO:0000159', 'TCA>A deletion');
  t.equal(code(byAlt(variants, 'TCC'), '48019-4'), 'SO:1000032', 'no shared base: still delins');
});

t.test('gzip (single and multi-member) reads every line', async (t) => {
  const rows = Array.from({ length: 50 }, (_, i) => row('chr1', 1000 + i, '.', 'A', 'G', 50, 'PASS', '.', 'GT', '0/1'));
  const text = vcf(rows);
  const half = text.indexOf('chr1\t1025');
  const multi = Buffer.concat([gzipSync(text.slice(0, half)), gzipSync(text.slice(half))]);
  t.equal((await run(gzipSync(text))).summary.variants, 50);
  t.equal((await run(multi)).summary.variants, 50, 'concatenated members (BGZF) are all read');
});

t.test('multi-sample files need a sample choice', async (t) => {
  const text = vcf([row('chr1', 100, '.', 'A', 'G', 50, 'PASS', '.', 'GT', '0/1', '0/0')], ['TUMOR', 'NORMAL']);
  await t.rejects(run(text), /2 samples.*TUMOR, NORMAL/);
  await t.rejects(run(text, { sample: 'X' }), /Sample 'X' is not in the VCF; samples: TUMOR, NORMAL/);
  t.equal((await run(text, { sample: 'TUMOR' })).summary.variants, 1);
  t.equal((await run(text, { sample: 'NORMAL' })).summary.variants, 0);
  const twice = vcf([row('chr1', 100, '.', 'A', 'G', 50, 'PASS', '.', 'GT', '0/1', '1/1')], ['S1', 'S1']);
  await t.rejects(run(twice, { sample: 'S1' }), /line 4: sample 'S1' is named twice in the #CHROM line \(columns 10 and 11\)/);
});

t.test('sample names: trailing white space in #CHROM is trimmed, bytes that are not UTF-8 are refused', async (t) => {
  const data = row('chr1', 100, '.', 'A', 'G', 50, 'PASS', '.', 'GT', '0/1');
  for (const end of [' ', '\t', ' \t ']) {
    const { summary } = await run(`${HEAD}${COLS}\tS1${end}\n${data}\n`);
    t.same([summary.sample, summary.variants], ['S1', 1], JSON.stringify(end));
  }
  const latin1 = Buffer.concat([Buffer.from(`${HEAD}${COLS}\tS`), Buffer.from([0xe9]), Buffer.from(`1\n${data}\n`)]);
  await t.rejects(run(latin1), /^line 4: the sample name in column 10 is not valid UTF-8/);
  t.equal((await run(Buffer.from(`${HEAD}${COLS}\tSé1\n${data}\n`))).summary.sample, 'Sé1', 'UTF-8 names are fine');
});

t.test('malformed lines refuse the whole import, reporting line numbers', async (t) => {
  const store = await newStore();
  t.teardown(() => store.close());
  const text = vcf([
    row('chr1', 100, '.', 'A', 'G', 50, 'PASS', '.', 'GT', '0/1'),
    row('chr1', 'x', '.', 'A', 'G', 50, 'PASS', '.', 'GT', '0/1'),
    row('chr1', 300, '.', 'A', 'G', 50, 'PASS', '.', 'GT', '0/3'),
    row('chr1', 400, '.', 'A', 'G', 50, 'PASS'),
  ]);
  const err = await importVcf(store, input(text), { patient: 'p1' }).catch((e: unknown) => e);
  t.ok(err instanceof FhirError && err.status === 400);
  const msgs = (err as FhirError).issues.map((i) => i.diagnostics);
  t.match(msgs[0], /^line 6: POS 'x'/);
  t.match(msgs[1], /^line 7: GT '0\/3' names allele 3/);
  t.match(msgs[2], /^line 8: expected 10 tab-separated columns/);
  t.same(await readAll(store, 'Observation'), [], 'nothing stored');
  t.same(await readAll(store, 'DiagnosticReport'), []);

  const ok = await importVcf(store, input(text), { patient: 'p1', allowErrors: true });
  t.equal(ok.variants, 1);
  t.equal(ok.skipped.malformed, 3);
  t.same(ok.errors.map((e) => e.line), [6, 7, 8]);
});

t.test('a file without #CHROM or build is refused', async (t) => {
  await t.rejects(run('hello\n'), /#CHROM header line is missing/);
  await t.rejects(run(`${COLS}\tS1\n${row('1', 1, '.', 'A', 'G', '.', '.', '.', 'GT', '0/1')}\n`), /genome build/);
  // the message is shared by $import-vcf and the CLI: it names the option as each spells it
  await t.rejects(run(`${COLS}\tS1\n${row('1', 1, '.', 'A', 'G', '.', '.', '.', 'GT', '0/1')}\n`), /pass build GRCh37 or GRCh38 \(the CLI's --build\)/);
  t.equal((await run(`${COLS}\tS1\n${row('1', 1, '.', 'A', 'G', '.', '.', '.', 'GT', '0/1')}\n`, { build: 'GRCh37' })).summary.variants, 1);
  await t.rejects(run(vcf([]), { patient: 'bad id!' }), /not a valid FHIR id/);
});

t.test('ids are deterministic per patient, build, sample and allele', async (t) => {
  const text = vcf([row('chr1', 100, '.', 'A', 'G', 50, 'PASS', '.', 'GT', '0/1')]);
  const a = await run(text);
  const b = await run(text.replace('chr1\t100', '1\t100'));
  const c = await run(text, { patient: 'p2' });
  t.equal(a.variants[0].id, b.variants[0].id, 'chr1 and 1 are the same chromosome');
  t.not(a.variants[0].id, c.variants[0].id);
  t.equal(a.variants[0].identifier?.[0].value, 'p1|GRCh38|S1|1:100:A>G');
});

t.test('a record repeated away from its position (an unsorted file) is a duplicate too: counted once, listed once', async (t) => {
  // VCF 4.3 section 1.6.1 wants records sorted by POS within a contiguous CHROM block; files that are
  // not (a concatenation, a merge) are still read, without counting one call twice
  const store = await newStore();
  t.teardown(() => store.close());
  const s = await importVcf(store, input(vcf([
    row('chr1', 100, '.', 'A', 'G', 50, 'PASS', '.', 'GT', '0/1'),
    row('chr1', 200, '.', 'A', 'G', 50, 'PASS', '.', 'GT', '0/1'),
    row('chr1', 100, '.', 'A', 'G', 50, 'PASS', '.', 'GT', '0/1'),
    row('chr1', 300, '.', 'A', 'G', 50, 'PASS', '.', 'GT', '0/1'),
    row('chr2', 5, '.', 'A', 'G', 50, 'PASS', '.', 'GT', '0/1'),
    row('chr1', 300, '.', 'A', 'G', 50, 'PASS', '.', 'GT', '0/1'),
    row('chr1', 50, '.', 'C', 'T', 50, 'PASS', '.', 'GT', '0/1'),
  ])), { patient: 'p1' });
  const stored = (await readAll<Observation>(store, 'Observation')).filter((o) => o.code?.coding?.[0]?.code === '69548-6');
  t.equal(stored.length, 5);
  t.equal(s.variants, 5, 'the summary counts what is stored');
  t.equal(s.skipped.duplicate, 2);
  const [report] = await readAll<import('@medplum/fhirtypes').DiagnosticReport>(store, 'DiagnosticReport');
  const refs = report.result!.map((r) => r.reference);
  t.equal(refs.length, 5);
  t.equal(new Set(refs).size, refs.length, 'no Observation is listed twice');
});

t.test('the report lists at most maxReportResults Observations and says so', async (t) => {
  const rows = Array.from({ length: 5 }, (_, i) => row('chr1', 1000 + i, '.', 'A', 'G', 50, 'PASS', '.', 'GT', '0/1'));
  const store = await newStore();
  t.teardown(() => store.close());
  const s = await importVcf(store, input(vcf(rows)), { patient: 'p1', maxReportResults: 2 });
  t.equal(s.variants, 5);
  const [report] = await readAll<import('@medplum/fhirtypes').DiagnosticReport>(store, 'DiagnosticReport');
  t.equal(report.result?.length, 2);
  t.match(report.conclusion, /5 Observations; result lists the first 2/);
  t.equal((await readAll(store, 'Observation')).length, 5, 'every variant is stored');
});

t.test('a build the header contradicts, or a header naming two builds, is refused', async (t) => {
  const refused = (p: Promise<unknown>) => p.then(() => 'accepted', (e: Error) => e.message);
  const line = `${row('1', 100, '.', 'A', 'G', 50, 'PASS', '.', 'GT', '0/1')}\n`;
  const b37 = `##fileformat=VCFv4.2\n##contig=<ID=1,length=249250621,assembly=B37>\n${COLS}\tS1\n${line}`;
  t.match(await refused(run(b37, { build: 'GRCh38' })), /build is contradicted: the build option says GRCh38, ##contig 1 assembly \(B37\) says GRCh37/);
  t.equal((await run(b37, { build: 'GRCh37' })).summary.build, 'GRCh37', 'the same build: fine');
  t.equal((await run(b37, {})).summary.build, 'GRCh37', 'detected');
  const both = `##fileformat=VCFv4.2\n##reference=GRCh37\n##contig=<ID=chr1,length=248956422>\n${COLS}\tS1\n${line}`;
  t.match(await refused(run(both, {})), /##reference \(GRCh37\) says GRCh37, ##contig chr1 length 248956422 says GRCh38/);
  t.equal((await run(`##fileformat=VCFv4.2\n${COLS}\tS1\n${line}`, { build: 'GRCh38' })).summary.build, 'GRCh38', 'no evidence: the option decides');
});

t.test("the sample's FORMAT CN is its copy number, over the allele's name; END before POS is broken for any allele", async (t) => {
  const { variants } = await run(vcf([
    row('chr22', 1000, '.', 'T', '<CN2>', 50, 'PASS', 'SVTYPE=CNV;END=2000', 'GT:CN', '0|1:3'),
    row('chr22', 5000, '.', 'T', '<CN2>', 50, 'PASS', 'SVTYPE=CNV;END=6000', 'GT', '0|1'),
  ]));
  // (variants come in file order)
  const cn = (i: number) => (component(variants[i], '82155-3')?.valueQuantity as { value: number } | undefined)?.value;
  t.equal(variants.length, 2);
  t.equal(cn(0), 3, 'FORMAT CN 3 on a <CN2> allele');
  t.equal(cn(1), 2, 'no FORMAT CN: the allele says 2');
  const refused = await run(vcf([row('chr1', 100, '.', 'A', 'G', 50, 'PASS', 'END=50', 'GT', '0/1')])).then(() => 'accepted', (e: Error) => e.message);
  t.match(refused, /INFO END 50 is before POS 100/);
});

t.test("GATK's reference bundle names say their build", async (t) => {
  const line = `${row('chr1', 100, '.', 'A', 'G', 50, 'PASS', '.', 'GT', '0/1')}\n`;
  const withRef = (ref: string) => `##fileformat=VCFv4.2\n##reference=${ref}\n${COLS}\tS1\n${line}`;
  t.equal((await run(withRef('file:///ref/Homo_sapiens_assembly38.fasta'))).summary.build, 'GRCh38');
  t.equal((await run(withRef('file:///ref/Homo_sapiens_assembly19.fasta'))).summary.build, 'GRCh37');
});
