import t from 'tap';
import { readFileSync } from 'node:fs';
import type { OperationOutcome, Parameters } from '@medplum/fhirtypes';
import type { FastifyInstance } from 'fastify';
import { send, testApp } from '../fhir/helpers.js';
import { conformanceProblems, groups, opGet, partValue, put, resourcesNamed } from './helpers.js';

/**
 * The operations over data imported from the shared VCF fixtures through $import-vcf:
 * HG00404 (GRCh37, studied + uncallable BED) and NB6TK328 (GRCh38 panel with an annotation table
 * that yields diagnostic implications).
 */
const FIX = '/work/shared/fixtures/vcf/';
const text = (f: string) => readFileSync(FIX + f, 'utf8');

async function importVcf(app: FastifyInstance, patient: string, parameter: Parameters['parameter']): Promise<void> {
  await put(app, { resourceType: 'Patient', id: patient });
  const res = await send(app, 'POST', '/fhir/$import-vcf', { resourceType: 'Parameters', parameter: [{ name: 'patient', valueString: patient }, ...(parameter ?? [])] });
  if (res.statusCode >= 300) throw new Error(`import failed ${res.statusCode}: ${res.body.slice(0, 1000)}`);
}

t.test('operations over imported VCFs', async (t) => {
  const app = await testApp(t);
  await importVcf(app, 'hg404', [
    { name: 'vcf', valueString: text('HG00404_b37.vcf') }, { name: 'build', valueString: 'GRCh37' },
    { name: 'studied', valueString: text('HG00404_b37_studied.bed') }, { name: 'uncallable', valueString: text('HG00404_b37_noncallable.bed') },
  ]);
  await importVcf(app, 'nb6', [
    { name: 'vcf', valueString: text('NB6TK328_filtered.vcf') }, { name: 'annotations', valueString: text('NB6TK328_annotations.txt') },
  ]);

  t.test('ranges and specific variants on GRCh37 data; GRCh38 question warned', async (t) => {
    // chr1:78956432 T>C (1-based VCF POS) -> 0-based 78956431
    const r = (await opGet(app, 'find-subject-variants', { subject: 'hg404', ranges: ['NC_000001.10:78956431-78956432', 'NC_000001.10:78956432-78956441'], includeVariants: 'true' })).json() as Parameters;
    t.same(conformanceProblems('find-subject-variants', r), []);
    t.same(groups(r, 'variants').map((g) => partValue(g, 'presence')), [true, false]);
    t.equal(resourcesNamed(groups(r, 'variants')[0], 'variant').length, 1);
    const s = (await opGet(app, 'find-subject-specific-variants', { subject: 'hg404', variants: ['NC_000001.10:78956431:T:C', 'NC_000001.10:g.78956432T>C', 'NC_000001.10:g.78956432T>G'] })).json() as Parameters;
    t.same(groups(s, 'variants').map((g) => partValue(g, 'presence')), [true, true, false]);
    const b38 = (await opGet(app, 'find-subject-variants', { subject: 'hg404', ranges: 'NC_000001.11:78956431-78956432' })).json() as Parameters;
    t.equal(partValue(groups(b38, 'variants')[0], 'presence'), false);
    const outcome = b38.parameter?.find((p) => p.name === 'outcome')?.resource as OperationOutcome;
    t.match(outcome?.issue?.[0]?.diagnostics, /GRCh37/);
    t.equal((await opGet(app, 'find-subject-variants', { subject: 'nb6', ranges: 'NC_000001.10:78956431-78956432' })).json().parameter.some((p: { name: string }) => p.name === 'outcome'), false, 'no warning for a patient without data on the other build');
  });

  t.test('study metadata: build, regions studied and uncallable within the ranges', async (t) => {
    const res = await opGet(app, 'find-study-metadata', { subject: 'Patient/hg404', ranges: 'NC_000001.10:78000000-80000000' });
    t.equal(res.statusCode, 200, res.body);
    const body = res.json() as Parameters;
    t.same(conformanceProblems('find-study-metadata', body), []);
    const [test] = groups(body, 'tests');
    t.ok(partValue(test, 'testId'));
    t.match(partValue(test, 'genomicBuild'), { coding: [{ code: 'LA14029-5' }] });
    t.equal(partValue(test, 'regionStudied'), "['NC_000001.10:78000000-80000000']");
    t.equal(partValue(test, 'uncallableRegions'), "['NC_000001.10:79000000-80000000']");
    const none = (await opGet(app, 'find-study-metadata', { subject: 'Patient/hg404', testDateRange: 'lt1990-01-01' })).json() as Parameters;
    t.equal(groups(none, 'tests').length, 0);
    const other = (await opGet(app, 'find-study-metadata', { subject: 'Patient/hg404', testIdentifiers: 'no-such-test' })).json() as Parameters;
    t.equal(groups(other, 'tests').length, 0);
    const byId = (await opGet(app, 'find-study-metadata', { subject: 'Patient/hg404', testIdentifiers: String(partValue(test, 'testId')) })).json() as Parameters;
    t.equal(groups(byId, 'tests').length, 1);
    // the same region asked on GRCh38 (NC_000001.11) of GRCh37 data: flagged, never a silent "nothing studied"
    const b38 = (await opGet(app, 'find-study-metadata', { subject: 'Patient/hg404', ranges: 'NC_000001.11:78000000-80000000' })).json() as Parameters;
    const warning = b38.parameter?.find((p) => p.name === 'outcome')?.resource as { issue?: Array<{ severity: string; diagnostics?: string }> } | undefined;
    t.equal(warning?.issue?.[0]?.severity, 'warning', `a build warning: ${warning?.issue?.[0]?.diagnostics}`);
    t.same(conformanceProblems('find-study-metadata', b38), []);
  });

  t.test('implications from the annotation table; population counts across both imports', async (t) => {
    const dx = (await opGet(app, 'find-subject-dx-implications', { subject: 'nb6' })).json() as Parameters;
    t.same(conformanceProblems('find-subject-dx-implications', dx), []);
    const imps = (dx.parameter ?? []).filter((p) => p.name === 'implication');
    t.ok(imps.length >= 1, `${imps.length} diagnostic implications`);
    t.ok(resourcesNamed(dx.parameter, 'variant').length >= 1, 'with the variants they rest on');
    const pop = (await opGet(app, 'find-population-structural-intersecting-variants', { ranges: ['NC_000001.10:0-249250621', 'NC_000005.10:112841058-112841059'], includePatientList: 'true' })).json() as Parameters;
    // both files hold simple variants only (sequence-resolved, exact ranges): none is structural
    t.same(groups(pop, 'variants').map((g) => partValue(g, 'numerator')), [{ value: 0 }, { value: 0 }]);
    t.same(groups(pop, 'variants').map((g) => g.filter((p) => p.name === 'subject').map((p) => p.valueString)), [[], []]);
  });
});
