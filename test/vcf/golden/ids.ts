import { createHash } from 'node:crypto';
import { createReadStream, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { readLines } from '../../../src/genomics/vcf/line-reader.js';
import { emptySummary, mapVcf } from '../../../src/genomics/vcf/map-vcf.js';
import type { VcfImportOptions } from '../../../src/genomics/vcf/types.js';
import { fixture, fixtureText } from '../helpers.js';

/**
 * The ids and identifiers an import produces, per fixture and per structural-variant test file, as
 * the code made them when written (`--write`). A re-import is idempotent only while these stay
 * the same, so a change to how calls are keyed must leave them alone (ids-golden.test.ts).
 * Small files are kept in full (a new call may be added, none may change); large ones as a digest.
 */
const HEAD = '##fileformat=VCFv4.2\n##fileDate=20240102\n##contig=<ID=chr1,length=248956422>\n##contig=<ID=chr22,length=50818468>\n#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\tS1\n';
const row = (...c: Array<string | number>) => c.join('\t');
/** The structural records of test/vcf/edge-cases.test.ts, in one file (one SV per site). */
const SV_TEXT = HEAD + [
  row('chr1', 1000, '.', 'N', '<DEL>', 50, 'PASS', 'SVTYPE=DEL;END=2000', 'GT', '0/1'),
  row('chr1', 1500, '.', 'A', '<DEL>,<DUP>', 50, 'PASS', 'SVLEN=-100,200', 'GT', '1/2'),
  row('chr1', 2000, '.', 'A', '<DEL>', 50, 'PASS', 'SVTYPE=DEL;END=2010;CIPOS=-5,50;CIEND=-50,5', 'GT', '0/1'),
  row('chr1', 3000, '.', 'A', '<DUP:TANDEM>', 50, 'PASS', 'SVTYPE=DUP;END=3500;CIPOS=-10,10;CIEND=-20,20', 'GT:CN', '0/1:3'),
  row('chr1', 4000, '.', 'A', '<INV>', 50, 'PASS', 'SVTYPE=INV;END=4100', 'GT', '1/1'),
  row('chr1', 5000, '.', 'A', '<INS>', 50, 'PASS', 'SVTYPE=INS;SVLEN=300', 'GT', '0/1'),
  row('chr1', 5500, '.', 'A', '<DEL>,<DEL>', 50, 'PASS', 'SVTYPE=DEL;SVLEN=-100,-110', 'GT', '1/2'),
  row('chr1', 6000, '.', 'A', '<CNV>', 50, 'PASS', 'SVTYPE=CNV;END=7000', 'GT:CN', '0/1:1'),
  row('chr1', 8000, '.', 'A', '<CN0>', 50, 'PASS', 'END=9000', 'GT', '0/1'),
  row('chr1', 9000, '.', 'A', '<INS>,<DUP>', 50, 'PASS', 'SVLEN=50,300', 'GT', '1/2'),
  row('chr1', 9900, '.', 'A', '<INS>', 50, 'PASS', 'SVTYPE=INS;END=9900;CIPOS=-16,22', 'GT', '0/1'),
  // one call twice (a true duplicate)
  row('chr1', 10000, '.', 'A', '<DEL>', 50, 'PASS', 'SVTYPE=DEL;END=10100', 'GT', '0/1'),
  row('chr1', 10000, '.', 'A', '<DEL>', 50, 'PASS', 'SVTYPE=DEL;END=10100', 'GT', '0/1'),
  row('chr22', 1000, '.', 'T', '<CN2>', 50, 'PASS', 'SVTYPE=CNV;END=2000', 'GT:CN', '0|1:3'),
  row('chr22', 5000, '.', 'T', '<CN2>', 50, 'PASS', 'SVTYPE=CNV;END=6000', 'GT', '0|1'),
].join('\n') + '\n';

export interface IdCase { name: string; text: () => Readable; opts: VcfImportOptions }
const file = (name: string) => () => (name.endsWith('.gz') ? createReadStream(fixture(name)).pipe(createGunzip()) : createReadStream(fixture(name)));
const bed = (name: string) => ({ name, text: fixtureText(name) });
export const ID_CASES: IdCase[] = [
  { name: 'vcf_example2.vcf', text: file('vcf_example2.vcf'), opts: { patient: 'p1', build: 'GRCh37' } },
  { name: 'vcf_example3.vcf', text: file('vcf_example3.vcf'), opts: { patient: 'p1' } },
  { name: 'vcf_example4.vcf', text: file('vcf_example4.vcf'), opts: { patient: 'p1', build: 'GRCh37', allowErrors: true } },
  { name: 'vcftests.vcf', text: file('vcftests.vcf'), opts: { patient: 'p1', build: 'GRCh38' } },
  { name: 'vcf_structural_variants.vcf', text: file('vcf_structural_variants.vcf'), opts: { patient: 'p1' } },
  { name: 'vcf_structural_variants.vcf somatic specimen', text: file('vcf_structural_variants.vcf'), opts: { patient: 'p1', genomicSource: 'somatic', specimen: 'tumorA' } },
  {
    name: 'NB6TK328_filtered.vcf', text: file('NB6TK328_filtered.vcf'),
    opts: { patient: 'p1', genomicSource: 'somatic', annotations: fixtureText('NB6TK328_annotations.txt'), studiedBed: bed('NB6TK328_region_studied.bed') },
  },
  { name: 'HG00404_b37.vcf', text: file('HG00404_b37.vcf'), opts: { patient: 'p1', studiedBed: bed('HG00404_b37_studied.bed'), uncallableBed: bed('HG00404_b37_noncallable.bed') } },
  { name: 'HG00403A.vcf.gz', text: file('HG00403A.vcf.gz'), opts: { patient: 'p1', studiedBed: bed('HG00403A_studied.bed') } },
  { name: 'structural records of the tests', text: () => Readable.from([SV_TEXT]), opts: { patient: 'p1' } },
];

/** `id identifier` of every resource the import maps, in order. */
export async function idsOf(c: IdCase): Promise<string[]> {
  const out: string[] = [];
  for await (const r of mapVcf(readLines(c.text()), c.opts, emptySummary())) {
    const identifier = (r as { identifier?: Array<{ value?: string }> | { value?: string } }).identifier;
    out.push(`${r.id} ${(Array.isArray(identifier) ? identifier[0]?.value : identifier?.value) ?? ''}`);
  }
  return out;
}

export const FULL_BELOW = 500;
export type IdGolden = Record<string, { count: number; sha256: string; ids?: string[] }>;
export const GOLDEN_FILE = join(import.meta.dirname, 'ids.json');
export const digest = (ids: string[]) => createHash('sha256').update(ids.join('\n')).digest('hex');

if (process.argv.includes('--write')) {
  const golden: IdGolden = {};
  for (const c of ID_CASES) {
    const ids = await idsOf(c);
    golden[c.name] = { count: ids.length, sha256: digest(ids), ...(ids.length < FULL_BELOW ? { ids } : {}) };
  }
  writeFileSync(GOLDEN_FILE, JSON.stringify(golden, null, 1) + '\n');
  console.log(Object.entries(golden).map(([k, v]) => `${k}: ${v.count}`).join('\n'));
}
