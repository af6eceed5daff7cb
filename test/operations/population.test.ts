import t from 'tap';
import type { Observation, OperationOutcome, Parameters, ParametersParameter } from '@medplum/fhirtypes';
import type { FastifyInstance } from 'fastify';
import { testApp } from '../fhir/helpers.js';
import { bearer, makeApp, serverToken } from '../auth/helpers.js';
import { conformanceProblems, example, examplesSkip, groups, jak2Variant, loadBundle, opGet, opPost, partValue, put } from './helpers.js';

/**
 * Population operations: distinct patients, patient lists, minimum cell size, source class,
 * assembly warnings, and refusal for patient-level tokens.
 */
async function seed(app: FastifyInstance): Promise<void> {
  await loadBundle(app, example('bundle-cgexample'));
  await loadBundle(app, example('bundle-oncologyexamples-r4'));
  for (const p of ['p1', 'p2', 'p3']) await put(app, { resourceType: 'Patient', id: p });
  await put(app, jak2Variant('v1', 'p1'));
  await put(app, jak2Variant('v1b', 'p1')); // same patient twice: still one patient
  await put(app, jak2Variant('v2', 'p2'));
  await put(app, jak2Variant('v3', 'p3', 'LA6684-0')); // somatic
}

t.test('population operations', { skip: examplesSkip }, async (t) => {
  const app = await testApp(t);
  await seed(app);

  t.test('specific variants: distinct patients, HGVS and SPDI alike, patient list, source class', async (t) => {
    const res = await opGet(app, 'find-population-specific-variants', { variants: ['NC_000009.12:g.5073770G>T', 'NC_000009.12:5073769:G:T', 'NC_000009.12:g.5073770G>C'], includePatientList: 'true' });
    t.equal(res.statusCode, 200, res.body);
    const body = res.json() as Parameters;
    t.same(conformanceProblems('find-population-specific-variants', body), []);
    const [hgvs, spdi, other] = groups(body, 'variants');
    t.equal(partValue(hgvs, 'variantItem'), 'NC_000009.12:g.5073770G>T');
    t.same(partValue(hgvs, 'numerator'), { value: 4 }, 'oncology patient + p1 + p2 + p3');
    t.same(partValue(spdi, 'numerator'), { value: 4 });
    t.same(partValue(other, 'numerator'), { value: 0 });
    t.ok((partValue(hgvs, 'denominator') as { value: number }).value >= 5, 'denominator: patients in the cohort');
    t.same(hgvs.filter((p) => p.name === 'subject').map((p) => p.valueString).slice(-3), ['Patient/p1', 'Patient/p2', 'Patient/p3']);
    t.equal(other.filter((p) => p.name === 'subject').length, 0);
    const germline = (await opGet(app, 'find-population-specific-variants', { variants: 'NC_000009.12:5073769:G:T', genomicSourceClass: 'germline' })).json() as Parameters;
    t.same(partValue(groups(germline, 'variants')[0], 'numerator'), { value: 3 });
    const somatic = (await opPost(app, 'find-population-specific-variants', [{ name: 'variants', valueString: 'NC_000009.12:5073769:G:T' }, { name: 'genomicSourceClass', valueString: 'http://loinc.org|LA6684-0' }])).json() as Parameters;
    t.same(partValue(groups(somatic, 'variants')[0], 'numerator'), { value: 1 });
    const noList = (await opGet(app, 'find-population-specific-variants', { variants: 'NC_000009.12:5073769:G:T' })).json() as Parameters;
    t.equal(groups(noList, 'variants')[0].filter((p) => p.name === 'subject').length, 0, 'no list unless asked');
  });

  t.test('structural ranges, with an assembly warning for the other build', async (t) => {
    const inter = (await opGet(app, 'find-population-structural-intersecting-variants', { ranges: ['NC_000009.12:5073000-5074000', 'NC_000009.12:1-100'] })).json() as Parameters;
    t.same(conformanceProblems('find-population-structural-intersecting-variants', inter), []);
    // the seeded variants are simple (JAK2 SNVs): the structural operations do not count them
    t.same(groups(inter, 'variants').map((g) => partValue(g, 'numerator')), [{ value: 0 }, { value: 0 }]);
    const sub = (await opGet(app, 'find-population-structural-subsuming-variants', { ranges: ['NC_000009.12:5073769-5073770', 'NC_000009.12:5073000-5074000'] })).json() as Parameters;
    t.same(conformanceProblems('find-population-structural-subsuming-variants', sub), []);
    t.same(groups(sub, 'variants').map((g) => partValue(g, 'numerator')), [{ value: 0 }, { value: 0 }]);
    const b37 = (await opGet(app, 'find-population-structural-intersecting-variants', { ranges: 'NC_000009.11:5073000-5074000' })).json() as Parameters;
    const outcome = b37.parameter?.find((p) => p.name === 'outcome')?.resource as OperationOutcome;
    t.equal(outcome?.issue?.[0]?.severity, 'warning', 'GRCh37 question over GRCh38 data is flagged');
  });

  t.test('haplotypes and implications', async (t) => {
    const hap = (await opGet(app, 'find-population-specific-haplotypes', { haplotypes: ['CYP2C9 *2/*5', 'CYP2D6*4'], includePatientList: 'true' })).json() as Parameters;
    t.same(conformanceProblems('find-population-specific-haplotypes', hap), []);
    t.same(groups(hap, 'haplotypes').map((g) => partValue(g, 'numerator')), [{ value: 1 }, { value: 0 }]);
    const tx = (await opGet(app, 'find-population-tx-implications', { treatments: 'http://www.nlm.nih.gov/research/umls/rxnorm|11289', includePatientList: 'true' })).json() as Parameters;
    t.same(conformanceProblems('find-population-tx-implications', tx), []);
    t.same(partValue(groups(tx, 'implications')[0], 'numerator'), { value: 1 });
    t.same(groups(tx, 'implications')[0].filter((p) => p.name === 'subject').map((p) => p.valueString), ['Patient/ExamplePatient']);
    const txVar = (await opGet(app, 'find-population-tx-implications', { variants: 'NC_000009.12:g.5073770G>T' })).json() as Parameters;
    t.same(partValue(groups(txVar, 'implications')[0], 'numerator'), { value: 1 }, 'only the oncology patient has implications for it');
    const dx = (await opGet(app, 'find-population-dx-implications', { conditions: 'MONDO:0012624' })).json() as Parameters;
    t.same(conformanceProblems('find-population-dx-implications', dx), []);
    t.same(partValue(groups(dx, 'implications')[0], 'numerator'), { value: 1 });
    const mc = (await opGet(app, 'find-population-molecular-consequences', { featureConsequences: 'SO:0001575' })).json() as Parameters;
    t.same(conformanceProblems('find-population-molecular-consequences', mc), []);
    t.same(partValue(groups(mc, 'consequences')[0], 'numerator'), { value: 0 }, 'no molecular consequences loaded here');
  });

  t.test('errors', async (t) => {
    const missing = await opGet(app, 'find-population-specific-variants', {});
    t.equal(missing.statusCode, 400);
    t.same((missing.json() as OperationOutcome).issue?.[0]?.expression, ['variants']);
    const bad = await opGet(app, 'find-population-structural-intersecting-variants', { ranges: 'NC_000009.12:5-x' });
    t.equal(bad.statusCode, 400);
    t.same((bad.json() as OperationOutcome).issue?.[0]?.expression, ['ranges']);
  });
});

t.test('minimum cell size suppresses small counts and patient lists', { skip: examplesSkip }, async (t) => {
  const app = await testApp(t, { minCellSize: 5 });
  await seed(app);
  const body = (await opGet(app, 'find-population-specific-variants', { variants: 'NC_000009.12:5073769:G:T', includePatientList: 'true' })).json() as Parameters;
  const [g] = groups(body, 'variants');
  t.same(partValue(g, 'numerator'), { value: 5, comparator: '<' });
  t.equal(g.filter((p) => p.name === 'subject').length, 0, 'patient list withheld');
  const outcome = body.parameter?.find((p) => p.name === 'outcome')?.resource as OperationOutcome;
  t.ok(outcome?.issue?.some((i) => i.code === 'suppressed'));
  t.same(conformanceProblems('find-population-specific-variants', body), []);
});

t.test('patient-level tokens: population refused, own subject only', async (t) => {
  const app = await makeApp({ config: { minCellSize: 1 } });
  t.teardown(() => app.close());
  const system = await serverToken(app, ['system/*.*']);
  const put2 = (r: Observation | { resourceType: string; id: string }) => app.inject({ method: 'PUT', url: `/fhir/${r.resourceType}/${r.id}`, headers: { ...bearer(system), 'content-type': 'application/fhir+json' }, payload: JSON.stringify(r) });
  for (const p of ['p1', 'p2']) t.equal((await put2({ resourceType: 'Patient', id: p })).statusCode < 300, true);
  t.equal((await put2(jak2Variant('v1', 'p1'))).statusCode < 300, true);
  const patientToken = await serverToken(app, ['patient/*.read'], { patient: 'p1' });
  const pop = await opGet(app, 'find-population-specific-variants', { variants: 'NC_000009.12:5073769:G:T' }, bearer(patientToken));
  t.equal(pop.statusCode, 403, pop.body);
  const own = await opGet(app, 'find-subject-specific-variants', { subject: 'Patient/p1', variants: 'NC_000009.12:5073769:G:T' }, bearer(patientToken));
  t.equal(own.statusCode, 200, own.body);
  t.equal(partValue(groups(own.json() as Parameters, 'variants')[0], 'presence'), true);
  const other = await opGet(app, 'find-subject-specific-variants', { subject: 'Patient/p2', variants: 'NC_000009.12:5073769:G:T' }, bearer(patientToken));
  t.equal(other.statusCode, 404, 'another patient is "not found"');
  const sys = await opGet(app, 'find-population-specific-variants', { variants: 'NC_000009.12:5073769:G:T' }, bearer(await serverToken(app, ['system/Observation.rs'])));
  t.equal(sys.statusCode, 200, sys.body);
});

t.test('operations also answer at the Observation type level', async (t) => {
  const app = await testApp(t);
  await put(app, { resourceType: 'Patient', id: 'p1' });
  await put(app, jak2Variant('v1', 'p1'));
  const res = await app.inject({ method: 'GET', url: '/fhir/Observation/$find-subject-specific-variants?subject=p1&variants=NC_000009.12:5073769:G:T' });
  t.equal(res.statusCode, 200, res.body);
  t.equal(partValue(groups(res.json() as Parameters, 'variants')[0], 'presence'), true);
});

t.test('a deleted patient is counted nowhere: not in the numerator, the list or the denominator', { skip: examplesSkip }, async (t) => {
  const app = await testApp(t);
  await seed(app);
  const ask = async () => groups((await opGet(app, 'find-population-specific-variants', { variants: 'NC_000009.12:5073769:G:T', includePatientList: 'true' })).json() as Parameters, 'variants')[0];
  const before = await ask();
  t.equal((await app.inject({ method: 'DELETE', url: '/fhir/Patient/p2' })).statusCode, 204);
  const after = await ask();
  const n = (g: ParametersParameter[], name: string) => (partValue(g, name) as { value: number }).value;
  t.equal(n(after, 'numerator'), n(before, 'numerator') - 1, 'numerator');
  t.equal(n(after, 'denominator'), n(before, 'denominator') - 1, 'denominator');
  t.notOk(after.some((p) => p.valueString === 'Patient/p2'), 'not listed');
});

t.test('with a minimum cell size, the other-build warning does not depend on the data', async (t) => {
  const app = await testApp(t, { minCellSize: 3 });
  await put(app, { resourceType: 'Patient', id: 'p1' });
  await put(app, jak2Variant('v1', 'p1')); // one patient, chromosome 9, GRCh38
  const warnings = async (range: string) => {
    const body = (await opGet(app, 'find-population-structural-intersecting-variants', { ranges: range })).json() as Parameters;
    const outcome = body.parameter?.find((p) => p.name === 'outcome')?.resource as OperationOutcome | undefined;
    return (outcome?.issue ?? []).filter((i) => i.code === 'incomplete').map((i) => i.diagnostics!.replace(/NC_\d+\.\d+:\d+-\d+/, 'RANGE').replace(/chromosome \d+/, 'chromosome N'));
  };
  const withData = await warnings('NC_000009.11:5073000-5074000'); // GRCh37 chr9: p1 has chr9 on GRCh38
  const without = await warnings('NC_000010.10:5073000-5074000'); // GRCh37 chr10: nobody has chr10
  t.equal(withData.length, 1, 'a question on the other build is still warned about');
  t.same(withData, without, 'the same warning whether or not anyone has data there');
  t.notOk(withData[0].includes('has variants'), 'and it does not say anyone has data');
});
