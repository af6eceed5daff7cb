import t from 'tap';
import { createReadStream, readFileSync } from 'node:fs';
import { BUILDS, canonicalChrom, fromAccession, parseBuild, toAccession } from '../../src/genomics/assemblies.js';
import { detectBuild, emptyHeader, addMetaLine, parseStructured } from '../../src/genomics/vcf/header.js';
import { readLines } from '../../src/genomics/vcf/line-reader.js';
import { allelicState, parseGenotype } from '../../src/genomics/vcf/genotype.js';
import { fixture } from './helpers.js';

t.test('chromosome <-> NC_ accession tables', async (t) => {
  t.equal(toAccession('GRCh37', 'chr1'), 'NC_000001.10');
  t.equal(toAccession('GRCh37', '1'), 'NC_000001.10');
  t.equal(toAccession('GRCh38', 'chr17'), 'NC_000017.11');
  t.equal(toAccession('GRCh38', 'X'), 'NC_000023.11');
  t.equal(toAccession('GRCh37', 'chrY'), 'NC_000024.9');
  t.equal(toAccession('GRCh37', 'MT'), 'NC_012920.1');
  t.equal(toAccession('GRCh38', 'chrM'), 'NC_012920.1');
  t.equal(toAccession('GRCh38', 'chr11_KI270721v1_random'), undefined);
  t.equal(toAccession('GRCh38', '23'), 'NC_000023.11');
  t.same(fromAccession('NC_000010.10'), { build: 'GRCh37', chrom: '10' });
  t.same(fromAccession('NC_000005.10'), { build: 'GRCh38', chrom: '5' });
  t.equal(fromAccession('NC_000001'), undefined, 'version required');
  for (const b of BUILDS) {
    for (const c of [...Array.from({ length: 22 }, (_, i) => String(i + 1)), 'X', 'Y']) {
      const acc = toAccession(b, `chr${c}`)!;
      if (fromAccession(acc)?.chrom !== c || fromAccession(acc)?.build !== b) t.fail(`${b} ${c} round trip`);
    }
  }
  t.equal(canonicalChrom('chrm'), 'MT');
  t.equal(parseBuild('hg19'), 'GRCh37');
  t.equal(parseBuild('GRCh38'), 'GRCh38');
  t.equal(parseBuild('hg18'), undefined);
});

t.test('header: structured lines and build detection', async (t) => {
  t.same(parseStructured('<ID=AD,Number=R,Type=Integer,Description="Allelic depths, ref and alt">'), { ID: 'AD', Number: 'R', Type: 'Integer', Description: 'Allelic depths, ref and alt' });
  const h = emptyHeader();
  addMetaLine(h, '##reference=file:///refs/human_g1k_v37.fasta');
  t.equal(detectBuild(h), 'GRCh37');
  const h2 = emptyHeader();
  addMetaLine(h2, '##contig=<ID=chr1,length=248956422>');
  t.equal(detectBuild(h2), 'GRCh38');
  const h3 = emptyHeader();
  addMetaLine(h3, '##source_GENOME_REFERENCE=NCBI build 37');
  t.equal(detectBuild(h3), 'GRCh37');
  t.equal(detectBuild(emptyHeader()), undefined);
});

t.test('genotypes', async (t) => {
  t.same(parseGenotype('0|1', 1, 1), { alleles: [0, 1], phased: true });
  t.same(parseGenotype('1/.', 1, 1), { alleles: [1, null], phased: false });
  t.same(parseGenotype('1', 1, 1), { alleles: [1], phased: false });
  t.throws(() => parseGenotype('0/2', 1, 9), /line 9: GT '0\/2' names allele 2/);
  t.throws(() => parseGenotype('a/1', 1, 9), /not a genotype/);
  t.equal(allelicState(parseGenotype('1/.', 1, 1), 1, false), undefined, 'half-missing: state unknown');
  t.equal(allelicState(parseGenotype('1/1/1', 1, 1), 1, false), 'homozygous');
});

t.test('bgzip fixture: every BGZF member is decoded', async (t) => {
  const gz = readFileSync(fixture('HG00403A.vcf.gz'));
  let members = 0;
  for (let i = gz.indexOf(Buffer.from([0x1f, 0x8b, 0x08, 0x04])); i >= 0; i = gz.indexOf(Buffer.from([0x1f, 0x8b, 0x08, 0x04]), i + 1)) members++;
  t.ok(members > 10, `the fixture has ${members} gzip members`);
  let data = 0;
  let last = '';
  for await (const l of readLines(createReadStream(fixture('HG00403A.vcf.gz'))).lines) {
    if (!l.startsWith('#')) data++;
    last = l;
  }
  // 20834 = `zcat HG00403A.vcf.gz | grep -vc '^#'`, counted outside the project.
  t.equal(data, 20834);
  t.match(last, /^22\t42527793\t/, 'the last record (in the last member) is read, as zcat shows it');
});

t.test('line reader: CRLF, no final newline, multi-byte characters split across chunks', async (t) => {
  const { Readable } = await import('node:stream');
  const bytes = Buffer.from('a\r\nb\u00e9\nc');
  const chunks = [bytes.subarray(0, 5), bytes.subarray(5)];
  const lines: string[] = [];
  for await (const l of readLines(Readable.from(chunks)).lines) lines.push(l);
  t.same(lines, ['a', 'b\u00e9', 'c']);
});
