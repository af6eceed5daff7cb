import t from 'tap';
import type { Observation, ObservationComponent, Parameters } from '@medplum/fhirtypes';
import { testApp } from '../fhir/helpers.js';
import { conformanceProblems, example, examplesSkip, groups, jak2Variant, loadBundle, opGet, partValue, put } from './helpers.js';

/**
 * The specific-variants operations are about simple variants ("Determine if specified simple
 * variants are present", find-subject-specific-variants; the population one is its count): a
 * structural Variant is answered by the structural operations, not by these, even when its HGVS
 * is the one asked for. A Variant with a simple location beside a structural one (the IG's
 * cgexample) is still found through the simple one.
 */
const loinc = (code: string) => ({ coding: [{ system: 'http://loinc.org', code }] });
const hgvs = (code: string, text: string): ObservationComponent => ({
  code: loinc(code), valueCodeableConcept: { coding: [{ system: 'http://varnomen.hgvs.org', code: text }] },
});

/** An imprecise 23 kb deletion on GRCh38 chr1 (outer/inner start-end), stating g. and c. HGVS. */
function structuralDeletion(id: string, patient: string): Observation {
  const base = jak2Variant(id, patient);
  return {
    ...base,
    component: [
      { code: loinc('48013-7'), valueCodeableConcept: { coding: [{ system: 'http://www.ncbi.nlm.nih.gov/refseq', code: 'NC_000001.11' }] } },
      { code: loinc('92822-6'), valueCodeableConcept: loinc('LA30100-4') },
      { code: loinc('48019-4'), valueCodeableConcept: { coding: [{ system: 'http://www.sequenceontology.org', code: 'SO:0000159' }] } },
      { code: loinc('81301-4'), valueRange: { low: { value: 2999900 }, high: { value: 3023100 } } },
      { code: loinc('81302-2'), valueRange: { low: { value: 3000100 }, high: { value: 3022900 } } },
      hgvs('81290-9', 'NC_000001.11:g.3000001_3023000del'),
      hgvs('48004-6', 'NM_000999.1:c.-50_*100del'),
      { code: loinc('48002-0'), valueCodeableConcept: loinc('LA6683-2') },
    ],
  };
}

t.test('structural variants are not answered by the specific-variants operations', async (t) => {
  const app = await testApp(t);
  await put(app, { resourceType: 'Patient', id: 'ps' });
  await put(app, structuralDeletion('sv1', 'ps'));
  const asked = ['NC_000001.11:g.3000001_3023000del', 'NC_000001.11:3000000:23000:', 'NM_000999.1:c.-50_*100del'];

  const subject = await opGet(app, 'find-subject-specific-variants', { subject: 'Patient/ps', variants: asked });
  t.equal(subject.statusCode, 200, subject.body);
  const body = subject.json() as Parameters;
  t.same(conformanceProblems('find-subject-specific-variants', body), []);
  t.same(groups(body, 'variants').map((g) => partValue(g, 'presence')), [false, false, false], 'subject: not present as a simple variant');
  t.same(groups(body, 'variants').flatMap((g) => g.filter((p) => p.name === 'variant')), [], 'and not returned');

  const pop = await opGet(app, 'find-population-specific-variants', { variants: asked, includePatientList: 'true' });
  t.equal(pop.statusCode, 200, pop.body);
  const popBody = pop.json() as Parameters;
  t.same(conformanceProblems('find-population-specific-variants', popBody), []);
  t.same(groups(popBody, 'variants').map((g) => partValue(g, 'numerator')), [{ value: 0 }, { value: 0 }, { value: 0 }], 'population: not counted');

  // the structural operations are where it is answered
  const sv = await opGet(app, 'find-subject-structural-intersecting-variants', { subject: 'Patient/ps', ranges: 'NC_000001.11:3000000-3001000' });
  t.equal(partValue(groups(sv.json() as Parameters, 'variants')[0], 'presence'), true);
});

t.test('a Variant with a simple location beside a structural one is found through the simple one', { skip: examplesSkip }, async (t) => {
  const app = await testApp(t);
  await loadBundle(app, example('bundle-cgexample'));
  // discrete-variant: g.HGVS on NC_000003.11 (simple); exact C>T and outer/inner ranges on NG_017064.1 (structural)
  const asked = ['NC_000003.11:g.128625063C>T', 'NM_014049.4:c.1249C>T', 'NG_017064.1:31731:C:T'];
  const subject = (await opGet(app, 'find-subject-specific-variants', { subject: 'Patient/ExamplePatient', variants: asked })).json() as Parameters;
  t.same(groups(subject, 'variants').map((g) => partValue(g, 'presence')), [true, true, false]);
  const pop = (await opGet(app, 'find-population-specific-variants', { variants: asked })).json() as Parameters;
  t.same(groups(pop, 'variants').map((g) => (partValue(g, 'numerator') as { value: number }).value), [1, 1, 0]);
});
