import t from 'tap';
import type { Extension, Observation, OperationOutcome, Parameters, ParametersParameter } from '@medplum/fhirtypes';
import { testApp } from '../fhir/helpers.js';
import { docsApp } from '../docs/helpers.js';
import { conformanceProblems, example, examplesSkip, groups, loadBundle, opGet, opPost, partValue, put, resourcesNamed } from './helpers.js';
import { EVIDENCE_URL } from '../../src/genomics/operations/evidence.js';

/**
 * Implications (tx, dx), molecular consequences and haplotypes over the IG examples, with the
 * coverage evidence chain implication -> variant -> genomic report.
 */
function evidence(p: ParametersParameter): Record<string, unknown[]> {
  const out: Record<string, unknown[]> = {};
  for (const e of (p.extension ?? []).filter((x) => x.url === EVIDENCE_URL)) {
    for (const part of e.extension ?? []) {
      const v = Object.entries(part).find(([k]) => k.startsWith('value'))?.[1];
      (out[part.url] ??= []).push(v);
    }
  }
  return out;
}
const implications = (p: Parameters, name = 'implication') => (p.parameter ?? []).filter((x) => x.name === name);

t.test('implications, consequences and haplotypes on the IG examples', { skip: examplesSkip }, async (t) => {
  const app = await testApp(t);
  await loadBundle(app, example('bundle-cgexample'));
  const onc = await loadBundle(app, example('bundle-oncologyexamples-r4'));
  const oncPatient = onc.get('urn:uuid:d0b4affa-91d6-46d1-af01-b30d9f16ef6d')!;
  const jak2 = onc.get('urn:uuid:16fdd5fc-e665-48af-99e4-48d603f3e12d')!;
  for (const id of ['Patient-HG00403', 'Organization-ExampleLab', 'Observation-variant-with-molec-consequences', 'Observation-molec-conseq1', 'Observation-molec-conseq2', 'Observation-molec-conseq3', 'Observation-molec-conseq4']) {
    await put(app, example(id));
  }

  t.test('tx: by variant (SPDI or HGVS), with the variant and the evidence chain', async (t) => {
    for (const variant of ['NC_000009.12:g.5073770G>T', 'NC_000009.12:5073769:G:T']) {
      const res = await opGet(app, 'find-subject-tx-implications', { subject: oncPatient, variants: variant });
      t.equal(res.statusCode, 200, res.body);
      const body = res.json() as Parameters;
      t.same(conformanceProblems('find-subject-tx-implications', body), []);
      const imps = implications(body);
      t.ok(imps.length >= 4, `${imps.length} therapeutic implications rest on the JAK2 variant`);
      t.same(resourcesNamed(body.parameter, 'variant').map((r) => `Observation/${r.id}`), [jak2], 'the derivedFrom target is in the answer');
      const ev = evidence(imps[0]);
      t.match((ev.report?.[0] as { reference: string }).reference, /^DiagnosticReport\//);
      t.same(ev.status, ['final']);
      t.ok(ev.performer?.length, 'performer');
      t.ok(ev.specimen?.length, 'specimen');
      t.ok(ev.method?.length, 'method (the test performed)');
    }
    const none = (await opGet(app, 'find-subject-tx-implications', { subject: oncPatient, variants: 'NC_000009.12:g.5073770G>A' })).json() as Parameters;
    t.equal(implications(none).length, 0, 'a different alt allele has no implication');
  });

  t.test('tx: by treatment (code or text) and condition; through a genotype (haplotypes)', async (t) => {
    const warfarin = (await opGet(app, 'find-subject-tx-implications', { subject: 'Patient/ExamplePatient', treatments: 'http://www.nlm.nih.gov/research/umls/rxnorm|11289' })).json() as Parameters;
    t.same(implications(warfarin).map((p) => p.resource!.id).sort(), ['efficacy', 'highrisk', 'metab']);
    t.same(resourcesNamed(warfarin.parameter, 'genotype').map((r) => r.id), ['genotype']);
    t.same(conformanceProblems('find-subject-tx-implications', warfarin), []);
    // highrisk is not listed in the report itself: its evidence comes through the genotype it rests on
    const highrisk = implications(warfarin).find((p) => p.resource!.id === 'highrisk')!;
    t.same(evidence(highrisk).report, [{ reference: 'DiagnosticReport/report' }]);
    t.same(evidence(highrisk).issued, ['2016-09-06T00:00:00-05:00']);
    t.same(evidence(highrisk).performer, [{ reference: 'Organization/ExampleLab' }]);
    const byName = (await opGet(app, 'find-subject-tx-implications', { subject: oncPatient, treatments: 'ruxolitinib' })).json() as Parameters;
    t.ok(implications(byName).length >= 1, 'a treatment given as text matches by name');
    const other = (await opGet(app, 'find-subject-tx-implications', { subject: 'Patient/ExamplePatient', treatments: 'rxnorm-nope|1' })).json() as Parameters;
    t.equal(implications(other).length, 0);
    const byHap = (await opPost(app, 'find-subject-tx-implications', [
      { name: 'subject', valueString: 'Patient/ExamplePatient' }, { name: 'haplotypes', valueString: 'CYP2C9 *2/*5' },
    ])).json() as Parameters;
    t.equal(implications(byHap).length, 3, 'implications resting on the genotype');
  });

  t.test('dx: by condition, by variant, with testDateRange and specimenIdentifiers', async (t) => {
    const q = { subject: 'Patient/ExamplePatient', conditions: 'MONDO:0012624' };
    const body = (await opGet(app, 'find-subject-dx-implications', q)).json() as Parameters;
    t.same(conformanceProblems('find-subject-dx-implications', body), []);
    t.same(implications(body).map((p) => p.resource!.id), ['dis-path']);
    t.same(resourcesNamed(body.parameter, 'variant').map((r) => r.id), ['discrete-variant']);
    t.same(evidence(implications(body)[0]).report, [{ reference: 'DiagnosticReport/report' }]);
    const byVariant = (await opGet(app, 'find-subject-dx-implications', { subject: 'Patient/ExamplePatient', variants: 'NC_000003.11:128625062:C:T' })).json() as Parameters;
    t.same(implications(byVariant).map((p) => p.resource!.id), ['dis-path']);
    const inRange = (await opGet(app, 'find-subject-dx-implications', { ...q, testDateRange: ['ge2016-01-01', 'lt2017'] })).json() as Parameters;
    t.equal(implications(inRange).length, 1, 'report dated 2016 is inside [2016-01-01, 2017)');
    const later = (await opGet(app, 'find-subject-dx-implications', { ...q, testDateRange: 'ge2017-01-01' })).json() as Parameters;
    t.equal(implications(later).length, 0, 'nothing tested from 2017 on');
    const period = (await opPost(app, 'find-subject-dx-implications', [
      { name: 'subject', valueString: 'Patient/ExamplePatient' }, { name: 'testDateRange', valuePeriod: { start: '2015-01-01', end: '2015-12-31' } },
    ])).json() as Parameters;
    t.equal(implications(period).length, 0, 'Period over POST');
    const spec = (await opGet(app, 'find-subject-tx-implications', { subject: oncPatient, specimenIdentifiers: '076e1948-2217-11e9-94d8-12e241dc1f66' })).json() as Parameters;
    t.ok(implications(spec).length >= 4, 'implications derived from the identified specimen');
    const noSpec = (await opGet(app, 'find-subject-tx-implications', { subject: oncPatient, specimenIdentifiers: 'no-such-specimen' })).json() as Parameters;
    t.equal(implications(noSpec).length, 0);
    const bad = await opGet(app, 'find-subject-dx-implications', { ...q, testDateRange: 'sa2016' });
    t.equal(bad.statusCode, 400);
    t.same(bad.json().issue[0].expression, ['testDateRange']);
  });

  t.test('molecular consequences by variant and by feature consequence', async (t) => {
    const body = (await opGet(app, 'find-subject-molecular-consequences', { subject: 'Patient/HG00403', variants: 'NC_000001.10:86852620:A:G' })).json() as Parameters;
    t.same(conformanceProblems('find-subject-molecular-consequences', body), []);
    t.equal(implications(body, 'consequence').length, 4);
    t.same(resourcesNamed(body.parameter, 'variant').map((r) => r.id), ['variant-with-molec-consequences']);
    const splice = (await opGet(app, 'find-subject-molecular-consequences', { subject: 'Patient/HG00403', featureConsequences: 'http://www.sequenceontology.org|SO:0001575' })).json() as Parameters;
    t.same(implications(splice, 'consequence').map((p) => p.resource!.id), ['molec-conseq1']);
  });

  t.test('haplotypes by gene (code or symbol) and specific haplotypes', async (t) => {
    for (const gene of ['http://www.genenames.org|HGNC:2623', 'HGNC:2623', 'CYP2C9']) {
      const body = (await opGet(app, 'find-subject-haplotypes', { subject: 'Patient/ExamplePatient', genes: gene })).json() as Parameters;
      t.same(conformanceProblems('find-subject-haplotypes', body), []);
      const [g] = groups(body, 'haplotypes');
      t.equal(partValue(g, 'geneItem'), gene);
      t.same(resourcesNamed(g, 'genotype').map((r) => r.id), ['genotype'], gene);
    }
    const none = (await opGet(app, 'find-subject-haplotypes', { subject: 'Patient/ExamplePatient', genes: 'HGNC:1100' })).json() as Parameters;
    t.same(groups(none, 'haplotypes')[0].map((p) => p.name), ['geneItem']);
    const specific = (await opGet(app, 'find-subject-specific-haplotypes', { subject: 'Patient/ExamplePatient', haplotypes: ['http://www.pharmvar.org|CYP2C9 *2/*5', '*2', 'CYP2D6*4'] })).json() as Parameters;
    t.same(conformanceProblems('find-subject-specific-haplotypes', specific), []);
    t.same(groups(specific, 'haplotypes').map((g) => partValue(g, 'presence')), [true, true, false]);
    t.same(resourcesNamed(groups(specific, 'haplotypes')[1], 'haplotype').map((r) => (r as Observation).id), ['haplotype']);
  });
});

export type { Extension };

t.test("an other-build warning names the input it is about when both variants and ranges are given", async (t) => {
  const app = await docsApp({ seed: true });
  t.teardown(() => app.close());
  // demo-p1's data is on GRCh38 chromosome 7: the GRCh37 range is the one warned about
  const res = await opGet(app, 'find-subject-tx-implications', { subject: 'demo-p1', variants: 'NC_000007.14:55191821:T:G', ranges: 'NC_000007.13:55000000-55300000' });
  t.equal(res.statusCode, 200, res.body.slice(0, 300));
  const outcome = (res.json() as Parameters).parameter?.find((p) => p.name === 'outcome')?.resource as OperationOutcome;
  t.same(outcome?.issue?.map((i) => i.expression), [['ranges']], 'the warning names ranges, not variants');
});
