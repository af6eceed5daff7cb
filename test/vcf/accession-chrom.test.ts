import t from 'tap';
import { Readable } from 'node:stream';
import type { Observation } from '@medplum/fhirtypes';
import { dryRunVcf, importVcf } from '../../src/genomics/vcf/import.js';
import { component, newStore, readAll } from './helpers.js';

// A CHROM may be the build's RefSeq accession (what the IG itself carries in 48013-7).
const COLS = '#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\tS1\n';
const line = (chrom: string, pos = 100) => `${chrom}\t${pos}\t.\tA\tG\t50\tPASS\t.\tGT\t0/1\n`;
const variants = async (text: string, opts: { build?: 'GRCh37' | 'GRCh38'; annotations?: string } = {}) => {
  const store = await newStore();
  try {
    const summary = await importVcf(store, Readable.from([text]), { patient: 'p1', ...opts });
    const obs = await readAll<Observation>(store, 'Observation');
    return { summary, vs: obs.filter((o) => o.code?.coding?.[0]?.code === '69548-6') };
  } finally {
    await store.close();
  }
};
const acc = (o: Observation) => (component(o, '48013-7')?.valueCodeableConcept as { coding: Array<{ code: string }> }).coding[0].code;

t.test('NC_ accessions of the build are their chromosomes', async (t) => {
  const text = `##reference=GRCh38\n${COLS}${line('NC_000001.11')}${line('NC_012920.1', 200)}${line('NC_000023.11', 300)}`;
  const { summary, vs } = await variants(text);
  t.same(summary.skipped, {}, 'none is an unsupported contig');
  t.same(vs.map(acc).sort(), ['NC_000001.11', 'NC_000023.11', 'NC_012920.1']);
  const same = await variants(`##reference=GRCh38\n${COLS}${line('chr1')}`);
  t.ok(vs.some((v) => v.id === same.vs[0].id), 'the same variant (same id) as when written chr1');
  const mt37 = await variants(`##reference=GRCh37\n${COLS}${line('NC_012920.1')}`);
  t.equal(acc(mt37.vs[0]), 'NC_012920.1', 'the mitochondrial accession is shared by both builds');
});

t.test('an accession of the other build refuses the line; accession contigs name the build', async (t) => {
  await t.rejects(variants(`##reference=GRCh37\n${COLS}${line('NC_000001.11')}`), /line 3: CHROM NC_000001.11 is an accession of another build than GRCh37/);
  const s = await dryRunVcf(Readable.from([`##contig=<ID=NC_000001.10,length=249250621>\n${COLS}${line('NC_000001.10')}`]), { patient: 'p1' });
  t.equal(s.build, 'GRCh37');
  t.equal(s.variants, 1);
});

t.test('annotations match an accession CHROM', async (t) => {
  const ann = 'chr1\t100\tA\tG\tHGNC:1100^BRCA1^HGNC\n';
  const { vs } = await variants(`##reference=GRCh38\n${COLS}${line('NC_000001.11')}`, { annotations: ann });
  t.equal((component(vs[0], '48018-6')?.valueCodeableConcept as { coding: Array<{ code: string }> }).coding[0].code, 'HGNC:1100');
});

t.test("GRCh37 chrM: hg19's NC_001807.4 (16,571 bases) unless the contig length says rCRS; MT is the rCRS", async (t) => {
  const contig = (id: string, length: number) => `##contig=<ID=${id},length=${length}>\n`;
  const one = async (head: string, chrom: string, pos = 100) => (await variants(`##reference=GRCh37\n${head}${COLS}${line(chrom, pos)}`)).vs[0];
  t.equal(acc(await one('', 'chrM')), 'NC_001807.4', 'chrM without a length: hg19 naming');
  t.equal(acc(await one('', 'MT')), 'NC_012920.1', 'MT: GRCh37 naming');
  t.equal(acc(await one(contig('chrM', 16571), 'chrM')), 'NC_001807.4', 'contig length 16571');
  t.equal(acc(await one(contig('chrM', 16569), 'chrM')), 'NC_012920.1', 'contig length 16569: the rCRS under a chr name');
  t.equal(acc(await one(contig('MT', 16571), 'MT')), 'NC_001807.4', 'the length decides over the name');
  t.equal(acc(await one(contig('chrM', 16571), 'chrM', 16571)), 'NC_001807.4', 'position 16571 is on hg19 chrM');
  await t.rejects(one('', 'MT', 16571), /POS 16571 is past the end of chromosome MT \(16569 bases/, 'and past the end of the rCRS');
  await t.rejects(one('', 'chrM', 16572), /POS 16572 is past the end of chromosome MT \(16571 bases/);
  t.equal(acc((await variants(`##reference=GRCh38\n${COLS}${line('chrM')}`)).vs[0]), 'NC_012920.1', 'hg38 chrM is the rCRS');
});
