import t from 'tap';
import type { Parameters } from '@medplum/fhirtypes';
import type { FastifyInstance } from 'fastify';
import { send, testApp } from '../fhir/helpers.js';
import { DEMO_VCF } from '../../src/demo/demo-vcf.js';
import { conformanceProblems, groups, opGet, partValue, put } from './helpers.js';

/** $find-study-metadata over VCF-imported reports (the demo VCF states no date). */
async function importDemoVcf(app: FastifyInstance, patient: string, extra: Parameters['parameter'] = []): Promise<void> {
  await put(app, { resourceType: 'Patient', id: patient });
  const res = await send(app, 'POST', '/fhir/$import-vcf', { resourceType: 'Parameters', parameter: [
    { name: 'patient', valueString: patient }, { name: 'build', valueString: 'GRCh38' }, { name: 'vcf', valueString: DEMO_VCF }, ...(extra ?? []),
  ] });
  if (res.statusCode >= 300) throw new Error(`import failed ${res.statusCode}: ${res.body.slice(0, 1000)}`);
}

t.test('a report without a date of its own still has its 1..1 testDate', async (t) => {
  const app = await testApp(t);
  const before = new Date(Date.now() - 1000).toISOString();
  await importDemoVcf(app, 'p2');
  const body = (await opGet(app, 'find-study-metadata', { subject: 'p2' })).json() as Parameters;
  t.same(conformanceProblems('find-study-metadata', body), []);
  const [test] = groups(body, 'tests');
  const date = partValue(test, 'testDate') as string;
  t.ok(date && date >= before, `testDate ${date}: when the report was recorded`);
  const day = date.slice(0, 10);
  t.equal(groups((await opGet(app, 'find-study-metadata', { subject: 'p2', testDateRange: `eq${day}` })).json() as Parameters, 'tests').length, 1, 'and testDateRange finds it by that date');
  t.equal(groups((await opGet(app, 'find-study-metadata', { subject: 'p2', testDateRange: 'lt2000' })).json() as Parameters, 'tests').length, 0);
});

t.test('the specimenId $find-study-metadata answers works as specimenIdentifiers', async (t) => {
  const app = await testApp(t);
  await importDemoVcf(app, 'p2', [{ name: 'specimen', valueString: 'tumorA' }]);
  const tests = async (q: Record<string, string>) =>
    groups((await opGet(app, 'find-study-metadata', { subject: 'p2', ...q })).json() as Parameters, 'tests');
  const [test] = await tests({});
  const answered = partValue(test, 'specimenId') as string;
  t.equal(answered, 'Specimen/tumorA', 'no Specimen resource: its reference');
  for (const v of [answered, 'tumorA']) {
    t.equal((await tests({ specimenIdentifiers: v })).length, 1, `study metadata by ${v}`);
    const variants = (await opGet(app, 'find-subject-specific-variants', { subject: 'p2', variants: 'NC_000013.11:32332591:A:C', specimenIdentifiers: v })).json() as Parameters;
    t.equal(partValue(groups(variants, 'variants')[0], 'presence'), true, `variants by ${v}`);
  }
  for (const v of ['Specimen/tumorB', 'tumorB', 'Specimen/tumor']) t.equal((await tests({ specimenIdentifiers: v })).length, 0, v);

  // a Specimen with an identifier is answered by it, and found by it (and by its id)
  await put(app, { resourceType: 'Specimen', id: 'tumorA', identifier: [{ system: 'urn:lab', value: 'S-123' }], subject: { reference: 'Patient/p2' } } as never);
  const [withId] = await tests({});
  t.equal(partValue(withId, 'specimenId'), 'S-123');
  for (const v of ['S-123', 'urn:lab|S-123', 'Specimen/tumorA']) t.equal((await tests({ specimenIdentifiers: v })).length, 1, v);
  t.equal((await tests({ specimenIdentifiers: 'urn:other|S-123' })).length, 0);
});

t.test("testDateRange finds a report dated by its analysis by the testDate it is answered with", async (t) => {
  // a report stating no date of its own whose genomic study analysis is dated: testDate is the
  // analysis' date, and testDateRange (here and on the subject operations) compares that date,
  // not when the report was recorded
  const app = await testApp(t);
  await put(app, { resourceType: 'Patient', id: 'p2' });
  const vcf = DEMO_VCF.replace(/^(##fileformat=[^\n]*\n)/, '$1##fileDate=20190501\n');
  t.not(vcf, DEMO_VCF);
  const imp = await send(app, 'POST', '/fhir/$import-vcf', { resourceType: 'Parameters', parameter: [
    { name: 'patient', valueString: 'p2' }, { name: 'build', valueString: 'GRCh38' }, { name: 'vcf', valueString: vcf },
  ] });
  t.ok(imp.statusCode < 300, imp.body.slice(0, 300));
  const found = (await send(app, 'GET', '/fhir/DiagnosticReport?subject=Patient/p2')).json() as { entry: Array<{ resource: Record<string, unknown> }> };
  t.equal(found.entry.length, 1);
  const report = found.entry[0].resource;
  t.equal(report.effectiveDateTime, '2019-05-01');
  delete report.effectiveDateTime;
  await put(app, report as never);
  const tests = async (testDateRange?: string | string[]) =>
    groups((await opGet(app, 'find-study-metadata', { subject: 'p2', ...(testDateRange ? { testDateRange } : {}) })).json() as Parameters, 'tests');
  t.equal(partValue((await tests())[0], 'testDate'), '2019-05-01', 'testDate: the analysis date');
  t.equal((await tests('eq2019-05-01')).length, 1, 'found by that date');
  t.equal((await tests(['ge2019-01-01', 'lt2019-06'])).length, 1);
  t.equal((await tests(`ge${new Date().toISOString().slice(0, 10)}`)).length, 0, 'not by when it was recorded');
  const presence = async (testDateRange: string) => {
    const res = await opGet(app, 'find-subject-variants', { subject: 'p2', ranges: 'NC_000017.11:1-90000000', testDateRange });
    return partValue(groups(res.json() as Parameters, 'variants')[0], 'presence');
  };
  t.equal(await presence('eq2019-05-01'), true, "the subject operations: the report's results by that date");
  t.equal(await presence(`ge${new Date().toISOString().slice(0, 10)}`), false);
});
