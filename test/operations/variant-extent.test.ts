import t from 'tap';
import type { Parameters } from '@medplum/fhirtypes';
import type { FastifyInstance } from 'fastify';
import { send, testApp } from '../fhir/helpers.js';
import { groups, opGet, partValue, put, resourcesNamed } from './helpers.js';

/**
 * Which bases a Variant covers for the range operations and `genomic-region` (variant-extent.ts):
 * VCF padding bases are not part of a change, an insertion lies between two bases, an imprecise
 * variant's outer range is never taken for a certain extent, and simple and structural
 * operations answer with their own kind of variant.
 */
const VCF = [
  '##fileformat=VCFv4.2',
  '##reference=GRCh38',
  '##INFO=<ID=SVTYPE,Number=1,Type=String,Description="x">',
  '##INFO=<ID=END,Number=1,Type=Integer,Description="x">',
  '##INFO=<ID=SVLEN,Number=.,Type=Integer,Description="x">',
  '##INFO=<ID=CIPOS,Number=2,Type=Integer,Description="x">',
  '##INFO=<ID=CIEND,Number=2,Type=Integer,Description="x">',
  '##FORMAT=<ID=GT,Number=1,Type=String,Description="x">',
  '#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\tS1',
  '1\t67\t.\tT\tTTGTAG\t50\tPASS\t.\tGT\t0/1',
  '1\t916\t.\tC\t<INS:ME:L1>\t50\tPASS\tSVTYPE=INS;CIPOS=-16,22\tGT\t0/1',
  '1\t2000\t.\tA\tG\t50\tPASS\t.\tGT\t0/1',
  '1\t756295\t.\tC\t<DEL>\t50\tPASS\tSVTYPE=DEL;END=756329\tGT\t0/1',
  '1\t2827694\t.\tCGTGGATGCGGGGAC\tC\t50\tPASS\t.\tGT\t0/1',
  '1\t3000000\t.\tN\t<DEL>\t50\tPASS\tSVTYPE=DEL;END=3023000;CIPOS=-100,100;CIEND=-100,100\tGT\t0/1',
  '1\t4000000\t.\tN\t<DUP>\t50\tPASS\tSVTYPE=DUP;END=4010000;CIPOS=-10,10;CIEND=-10,10\tGT\t0/1',
  '',
].join('\n');

async function importVcf(app: FastifyInstance, patient: string, vcf: string): Promise<void> {
  await put(app, { resourceType: 'Patient', id: patient });
  const res = await send(app, 'POST', '/fhir/$import-vcf', { resourceType: 'Parameters', parameter: [{ name: 'patient', valueString: patient }, { name: 'vcf', valueString: vcf }] });
  if (res.statusCode >= 300) throw new Error(`import failed ${res.statusCode}: ${res.body.slice(0, 1000)}`);
}

t.test('variant extents', async (t) => {
  const app = await testApp(t);
  await importVcf(app, 'px', VCF);
  const presence = async (op: string, ranges: string[]): Promise<boolean[]> => {
    const res = await opGet(app, op, { subject: 'Patient/px', ranges });
    t.equal(res.statusCode, 200, res.body);
    return groups(res.json() as Parameters, 'variants').map((g) => partValue(g, 'presence') as boolean);
  };
  const found = async (op: string, range: string): Promise<string[]> => {
    const res = await opGet(app, op, { subject: 'Patient/px', ranges: range, includeVariants: 'true' });
    t.equal(res.statusCode, 200, res.body);
    return resourcesNamed(groups(res.json() as Parameters, 'variants')[0], 'variant').map((r) => JSON.stringify(r));
  };
  const region = async (range: string): Promise<number> => {
    const res = await app.inject({ method: 'GET', url: `/fhir/Observation?genomic-region=${range}&_count=0&_total=accurate` });
    t.equal(res.statusCode, 200, res.body);
    return (res.json() as { total: number }).total;
  };

  t.test('an outer range is never a certain extent: without an inner range nothing is subsumed', async (t) => {
    const op = 'find-subject-structural-subsuming-variants';
    // <INS:ME:L1> at 916 with CIPOS=-16,22: outer [900, 938), no inner range
    t.same(await presence(op, ['NC_000001.11:910-911', 'NC_000001.11:900-938']), [false, false]);
    t.same(await presence('find-subject-structural-intersecting-variants', ['NC_000001.11:910-911']), [true], 'it may touch them');
    // <DEL> 3000000-3023000 with CIPOS/CIEND ±100: inner [3000100, 3022900)
    t.same(await presence(op, ['NC_000001.11:3001000-3002000', 'NC_000001.11:3000100-3022900', 'NC_000001.11:3000050-3001000']), [true, true, false]);
  });
});
