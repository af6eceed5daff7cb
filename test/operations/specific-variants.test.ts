import t from 'tap';
import type { Parameters } from '@medplum/fhirtypes';
import type { FastifyInstance } from 'fastify';
import { send, testApp } from '../fhir/helpers.js';
import { groups, opGet, partValue, put } from './helpers.js';

/**
 * $find-subject-specific-variants over imported VCF calls: an indel in a run matches every
 * HGVS/SPDI placement its stated bases allow, and a form that states other bases does not.
 */
const header = (build: string) => [
  '##fileformat=VCFv4.2', `##reference=${build}`, '##FORMAT=<ID=GT,Number=1,Type=String,Description="x">',
  '#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\tS1',
];

async function importVcf(app: FastifyInstance, patient: string, build: string, lines: string[]): Promise<void> {
  await put(app, { resourceType: 'Patient', id: patient });
  const vcf = [...header(build), ...lines, ''].join('\n');
  const res = await send(app, 'POST', '/fhir/$import-vcf', { resourceType: 'Parameters', parameter: [{ name: 'patient', valueString: patient }, { name: 'vcf', valueString: vcf }] });
  if (res.statusCode >= 300) throw new Error(`import failed ${res.statusCode}: ${res.body.slice(0, 1000)}`);
}

t.test('specific variants: runs and stated bases', async (t) => {
  const app = await testApp(t);
  await importVcf(app, 'p38', 'GRCh38', ['17\t43057063\t.\tG\tGG\t50\tPASS\t.\tGT\t0/1']);
  await importVcf(app, 'p37', 'GRCh37', ['1\t201017687\t.\tC\tCT\t50\tPASS\t.\tGT\t0/1']);
  const present = async (subject: string, variants: string[]): Promise<boolean[]> => {
    const res = await opGet(app, 'find-subject-specific-variants', { subject, variants });
    t.equal(res.statusCode, 200, res.body);
    return groups(res.json() as Parameters, 'variants').map((g) => partValue(g, 'presence') as boolean);
  };
  t.same(await present('Patient/p38', [
    'NC_000017.11:43057062:G:GG', 'NC_000017.11:g.43057062_43057063insG', 'NC_000017.11:g.43057063dupG', 'NC_000017.11:g.43057063_43057064insG', 'NC_000017.11:43057063::G',
  ]), [true, true, true, true, true], 'every placement of the inserted G next to the stated G');
  t.same(await present('Patient/p38', ['NC_000017.11:g.43057064_43057065insG', 'NC_000017.11:g.43057063dupT', 'NC_000017.11:43057062::T']), [false, false, false]);
  t.same(await present('Patient/p37', ['NC_000001.10:g.201017687dupT']), [false], 'dupT says base 201017687 is T; the stored REF says C');
  t.same(await present('Patient/p37', ['NC_000001.10:g.201017687_201017688insT', 'NC_000001.10:201017686:C:CT', 'NC_000001.10:201017687::T']), [true, true, true]);
  const pop = await opGet(app, 'find-population-specific-variants', { variants: ['NC_000017.11:g.43057063dupG', 'NC_000001.10:g.201017687dupT'] });
  t.same(groups(pop.json() as Parameters, 'variants').map((g) => (partValue(g, 'numerator') as { value: number }).value), [1, 0]);

  for (const bad of ['NC_000017.11:g.100_50del', 'NC_000017.11:g.0A>G', 'NC_000017.11:g.99999999999999999999A>G', 'NC_000007.14:99999999999999999999:A:G', 'NC_000017.11:g.100T>T', 'NC_000017.11:99:T:T']) {
    const res = await opGet(app, 'find-subject-specific-variants', { subject: 'Patient/p38', variants: ['NC_000017.11:43057062:G:GG', bad] });
    t.equal(res.statusCode, 400, `${bad}: ${res.body}`);
    t.match(res.json(), { resourceType: 'OperationOutcome', issue: [{ expression: ['variants'] }] });
  }
  // an unchanged base is HGVS `g.100T=` (README: accepted; it is no variant, so it is not present)
  const same = await opGet(app, 'find-subject-specific-variants', { subject: 'Patient/p38', variants: 'NC_000017.11:g.100T=' });
  t.equal(same.statusCode, 200, same.body.slice(0, 200));
  t.same(await present('Patient/p38', ['NC_000017.11:g.100T=']), [false]);
});
