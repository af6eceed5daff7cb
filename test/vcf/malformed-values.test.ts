import t from 'tap';
import { Readable } from 'node:stream';
import type { Observation } from '@medplum/fhirtypes';
import { FhirError } from '../../src/fhir/errors.js';
import { checkVcf, dryRunVcf } from '../../src/genomics/vcf/import.js';
import type { VcfImportOptions } from '../../src/genomics/vcf/types.js';
import { component, newStore, readAll } from './helpers.js';
import { importVcf } from '../../src/genomics/vcf/import.js';

// Values that parse as numbers or bases but cannot be data: each must refuse its line (and the
// import) naming the field, exactly as a syntax error does, and be skipped and counted under allowErrors.
const HEAD = '##fileformat=VCFv4.2\n##reference=GRCh38\n#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\tS1\n';
const GOOD = 'chr1\t100\t.\tA\tG\t50\tPASS\t.\tGT:AD:DP\t0/1:5,5:10';
const input = (lines: string[]) => Readable.from([HEAD + lines.join('\n') + '\n']);
const outcome = (p: Promise<unknown>) => p.then(() => 'ok', (e: unknown) => (e instanceof FhirError ? `${e.status} ${e.issues[0].diagnostics}` : String(e)));
const opts: VcfImportOptions = { patient: 'p1' };

const CASES: Array<[string, RegExp]> = [
  ['chr1\t0\t.\tA\tG\t50\tPASS\t.\tGT\t0/1', /^line 5: POS 0 is before the first base/],
  ['chr1\t100\t.\tA\tA\t50\tPASS\t.\tGT\t0/1', /^line 5: ALT allele 'A' equals REF/],
  ['chr1\t100\t.\tAC\tG,ac\t50\tPASS\t.\tGT\t0/1', /^line 5: ALT allele 'ac' equals REF/],
  ['chr1\t100\t.\tA\tG\t50\tPASS\t.\tGT:AD\t0/1:-5,5', /^line 5: FORMAT AD value '-5' is not a non-negative integer/],
  ['chr1\t100\t.\tA\tG\t50\tPASS\t.\tGT:AD\t0/1:5.5,3', /^line 5: FORMAT AD value '5.5' is not a non-negative integer/],
  ['chr1\t100\t.\tA\tG\t50\tPASS\t.\tGT:AD\t0/1:5', /^line 5: FORMAT AD has 1 values but Number=R needs 2/],
  ['chr1\t100\t.\tA\tG,T\t50\tPASS\t.\tGT:AD\t1/2:5,5', /^line 5: FORMAT AD has 2 values but Number=R needs 3/],
  ['chr1\t100\t.\tA\tG\t50\tPASS\t.\tGT:AD\t0/1:5,5,5', /^line 5: FORMAT AD has 3 values but Number=R needs 2/],
  ['chr1\t100\t.\tA\tG\t50\tPASS\t.\tGT:DP\t0/1:-1', /^line 5: FORMAT DP value '-1' is not a non-negative integer/],
  // numbers as VCF writes them: not hexadecimal, binary, padded or in exponent form for integers
  ['chr1\t100\t.\tA\tG\t50\tPASS\t.\tGT:AD\t0/1:0x10,0b11', /^line 5: FORMAT AD value '0x10' is not a non-negative integer/],
  ['chr1\t100\t.\tA\tG\t50\tPASS\t.\tGT:DP\t0/1: 5', /^line 5: FORMAT DP value ' 5' is not a non-negative integer/],
  ['chr1\t100\t.\tA\tG\t50\tPASS\t.\tGT:DP\t0/1:1e1', /^line 5: FORMAT DP value '1e1' is not a non-negative integer/],
  ['chr1\t100\t.\tA\tG\t50\tPASS\t.\tGT:AF\t0/1:0x0', /^line 5: FORMAT AF value '0x0' is not a fraction between 0 and 1/],
  ['chr1\t100\t.\tA\tG\t50\tPASS\tDP=2.5\tGT\t0/1', /^line 5: INFO DP value '2.5' is not a non-negative integer/],
  ['chr1\t100\t.\tA\tG,T\t50\tPASS\t.\tGT:AF\t1/2:0.4', /^line 5: FORMAT AF has 1 values but Number=A needs 2 \(one per ALT\)/],
  ['chr1\t100\t.\tA\tG\t50\tPASS\t.\tGT:AF\t0/1:0.6,0.4', /^line 5: FORMAT AF has 2 values but Number=A needs 1/],
  ['chr1\t100\t.\tA\tG\t50\tPASS\t.\tGT:GT\t0/1:1/1', /^line 5: FORMAT key 'GT' is given twice/],
  ['chr1\t100\t.\tA\tG\t50\tPASS\t.\tGT:AD:DP:AD\t0/1:5,5:10:1,9', /^line 5: FORMAT key 'AD' is given twice/],
  ['chr1\t100\t.\tA\tG\t50\tPASS\t.\tGT:AF\t0/1:1.5', /^line 5: FORMAT AF value '1.5' is not a fraction between 0 and 1/],
  ['chr1\t100\t.\tA\tG\t50\tPASS\tAF=-0.1\tGT\t0/1', /^line 5: INFO AF value '-0.1' is not a fraction between 0 and 1/],
  ['chr1\t100\t.\tA\t<DUP>\t50\tPASS\tSVTYPE=DUP;END=200\tGT:CN\t0/1:-2', /^line 5: CN value '-2' is not a non-negative integer/],
  ['chr1\t100\t.\tA\t<CNV>\t50\tPASS\tSVTYPE=CNV;END=200;CN=2.5\tGT\t0/1', /^line 5: CN value '2.5' is not a non-negative integer/],
  ['chr1\t248956423\t.\tA\tG\t50\tPASS\t.\tGT\t0/1', /^line 5: POS 248956423 is past the end of chromosome 1 \(248956422 bases in GRCh38\)/],
  ['chr1\t248956422\t.\tAC\tG\t50\tPASS\t.\tGT\t0/1', /^line 5: REF ending at 248956423 is past the end of chromosome 1/],
  ['chrM\t16570\t.\tA\tG\t50\tPASS\t.\tGT\t1', /^line 5: POS 16570 is past the end of chromosome MT \(16569 bases/],
  ['chr1\t248956400\t.\tA\t<DEL>\t50\tPASS\tSVTYPE=DEL;END=249999999\tGT\t0/1', /^line 5: INFO END 249999999 is past the end of chromosome 1/],
  ['chr1\t1000\t.\tA\t<INS>\t50\tPASS\tSVTYPE=INS;END=900\tGT\t0/1', /^line 5: INFO END 900 is before POS 1000/],
  ['chr1\t1000\t.\tA\t<DEL>\t50\tPASS\tSVTYPE=DEL;END=1300;CIPOS=10,-10\tGT\t0/1', /^line 5: INFO CIPOS 10,-10 is reversed/],
  ['chr1\t1000\t.\tA\t<DEL>\t50\tPASS\tSVTYPE=DEL;END=1300;CIEND=5,-5\tGT\t0/1', /^line 5: INFO CIEND 5,-5 is reversed/],
  ['chr1\t1000\t.\tA\t<DEL>\t50\tPASS\tSVTYPE=DEL;END=1300;CIPOS=-10\tGT\t0/1', /^line 5: INFO CIPOS has 1 values, not 2/],
  ['chr1\t1000\t.\tA\t<DEL>\t50\tPASS\tSVTYPE=DEL;END=1300;CIPOS=-1.5,2\tGT\t0/1', /^line 5: INFO CIPOS value '-1.5' is not an integer/],
  ['chr1\t100\t.\tA\tG\tInfo\tPASS\t.\tGT\t0/1', /^line 5: QUAL 'Info' is not a number/],
];

t.test('malformed values refuse the import naming the field, in mapping and in the pre-pass', async (t) => {
  for (const [line, reason] of CASES) {
    const mapped = await outcome(dryRunVcf(input([GOOD, line]), opts));
    t.match(mapped, new RegExp(`^400 ${reason.source.slice(1)}`), line);
    t.equal(await outcome(checkVcf(input([GOOD, line]), opts)), mapped, 'the check pass refuses it the same way');
  }
});

t.test('under allowErrors they are skipped and counted as malformed, with their reasons', async (t) => {
  const s = await dryRunVcf(input([GOOD, ...CASES.map(([l]) => l)]), { ...opts, allowErrors: true });
  t.equal(s.variants, 1);
  t.equal(s.skipped.malformed, CASES.length);
  t.same(s.errors.map((e) => e.line), CASES.map((_, i) => 5 + i));
  CASES.forEach(([, reason], i) => t.match(`line ${s.errors[i].line}: ${s.errors[i].reason}`, new RegExp(reason.source.replace('line 5', `line ${5 + i}`))));
});

t.test('values at the limits still import', async (t) => {
  const s = await dryRunVcf(input([
    GOOD,
    'chr1\t248956422\t.\tA\tG\t50\tPASS\tAF=1;DP=0\tGT:AD:AF\t1/1:0,0:0',
    'chrM\t16569\t.\tA\tG\t50\tPASS\t.\tGT\t1',
    'chr1\t1000\t.\tA\t<INS>\t50\tPASS\tSVTYPE=INS;END=1000\tGT:CN\t0/1:0',
    'chr1\t2000\t.\tA\t<DEL>\t50\tPASS\tSVTYPE=DEL;END=248956422\tGT\t0/1',
    // QUAL is a Float, and VCF 4.3 section 1.3 Floats include NaN and +/-Inf
    'chr1\t3000\t.\tA\tG\tInf\tPASS\t.\tGT\t0/1',
    'chr1\t3001\t.\tA\tG\tNaN\tPASS\t.\tGT\t0/1',
    'chr1\t3002\t.\tA\tG\t-inf\tPASS\t.\tGT\t0/1',
    'chr1\t3003\t.\tA\tG\t+Infinity\tPASS\t.\tGT\t0/1',
  ]), opts);
  t.equal(s.variants, 9);
  t.same(s.skipped, {});
});

t.test('AD is read per ALT only when the header lets it be (Number=R, or Number=. with the R count)', async (t) => {
  const variantsWith = async (adNumber: string, sample: string) => {
    const store = await newStore();
    t.teardown(() => store.close());
    const head = HEAD.replace('#CHROM', `##FORMAT=<ID=AD,Number=${adNumber},Type=Integer,Description="depths">\n#CHROM`);
    await importVcf(store, Readable.from([`${head}chr1\t100\t.\tA\tG\t50\tPASS\t.\tGT:AD\t${sample}\n`]), opts);
    const [v] = (await readAll<Observation>(store, 'Observation')).filter((o) => o.code?.coding?.[0]?.code === '69548-6');
    const q = (code: string) => (component(v, code)?.valueQuantity as { value: number } | undefined)?.value;
    return { frequency: q('81258-6'), depth: q('82121-5') };
  };
  t.same(await variantsWith('R', '0/1:30,10'), { frequency: 0.25, depth: 10 });
  t.same(await variantsWith('.', '0/1:30,10'), { frequency: 0.25, depth: 10 }, 'GATK 3 Number=. in R order');
  t.same(await variantsWith('.', '0/1:30,10,5'), { frequency: undefined, depth: undefined }, 'Number=. with another count: not used');
  // Complete Genomics: Number=2, depths in GT order (1|0:17,31 is 17 reads for the ALT)
  t.same(await variantsWith('2', '1|0:17,31'), { frequency: undefined, depth: undefined }, 'Number=2: not used');
});

t.test('FORMAT AF is read per ALT only when the header lets it be (Number=A or undeclared, R past the REF, . with the A count, 1 with one ALT)', async (t) => {
  const frequencies = async (afNumber: string | undefined, alts: string, sample: string) => {
    const store = await newStore();
    t.teardown(() => store.close());
    const head = afNumber === undefined ? HEAD : HEAD.replace('#CHROM', `##FORMAT=<ID=AF,Number=${afNumber},Type=Float,Description="fractions">\n#CHROM`);
    await importVcf(store, Readable.from([`${head}chr1\t100\t.\tA\t${alts}\t50\tPASS\t.\tGT:AF\t${sample}\n`]), opts);
    const vs = (await readAll<Observation>(store, 'Observation')).filter((o) => o.code?.coding?.[0]?.code === '69548-6');
    return vs.map((v) => (component(v, '81258-6')?.valueQuantity as { value: number } | undefined)?.value);
  };
  t.same(await frequencies(undefined, 'G,T', '1/2:0.4,0.3'), [0.4, 0.3], 'undeclared: one per ALT (Mutect2, INFO AF)');
  t.same(await frequencies('A', 'G,T', '1/2:0.4,0.3'), [0.4, 0.3]);
  t.same(await frequencies('R', 'G,T', '1/2:0.3,0.4,0.3'), [0.4, 0.3], 'Number=R: the REF fraction first');
  t.same(await frequencies('.', 'G,T', '1/2:0.4,0.3'), [0.4, 0.3], 'Number=. with one per ALT');
  t.same(await frequencies('.', 'G,T', '1/2:0.3,0.4,0.3'), [undefined, undefined], 'Number=. with another count: not used');
  t.same(await frequencies('1', 'G', '0/1:0.4'), [0.4], 'Number=1 (VarDict) with one ALT');
  t.same(await frequencies('1', 'G,T', '1/2:0.4'), [undefined, undefined], 'Number=1 with two ALTs: whose is it? not used');
  t.same(await frequencies('G', 'G,T', '1/2:0.1,0.2,0.3,0.1,0.2,0.1'), [undefined, undefined], 'Number=G: not used');
  const refused = await frequencies('R', 'G,T', '1/2:0.4,0.3').then(() => 'ok', (e: Error) => e.message);
  t.match(refused, /malformed/, 'Number=R with the A count refuses the line');
});
