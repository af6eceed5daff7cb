import t from 'tap';
import type { CapabilityStatement } from '@medplum/fhirtypes';
import { testApp } from './helpers.js';

/**
 * The CapabilityStatement names the Genomics Reporting IG but listed none of its profiles, so a
 * client that discovers support by `rest.resource.supportedProfile` (what it would check before
 * sending a Variant or a GenomicReport) found none. Each type now lists the IG's concrete
 * profiles on it, the ones a `meta.profile` claim is validated against; abstract ones
 * (genomic-base, finding, implication) are not instantiated and are left out.
 */
const IG = 'http://hl7.org/fhir/uv/genomics-reporting/StructureDefinition/';

t.test('supportedProfile lists the IG profiles per type', async (t) => {
  const app = await testApp(t);
  const cap = (await app.inject({ url: '/fhir/metadata' })).json() as CapabilityStatement;
  const of = (type: string) => cap.rest![0].resource!.find((r) => r.type === type)?.supportedProfile;
  const obs = of('Observation') ?? [];
  for (const p of ['variant', 'haplotype', 'genotype', 'sequence-phase-relationship', 'therapeutic-implication', 'diagnostic-implication', 'molecular-consequence', 'molecular-biomarker']) {
    t.ok(obs.includes(IG + p), `Observation: ${p}`);
  }
  for (const p of ['genomic-base', 'finding', 'implication']) t.notOk(obs.includes(IG + p), `abstract ${p} is not listed`);
  t.same(of('DiagnosticReport'), [IG + 'genomic-report']);
  t.same(of('Procedure'), [IG + 'genomic-study', IG + 'genomic-study-analysis']);
  t.same(of('DocumentReference'), [IG + 'genomic-data-file']);
  t.same(of('Task'), [IG + 'followup-recommendation', IG + 'medication-recommendation']);
  t.equal(of('Patient'), undefined, 'a type the IG does not profile lists none');

  // what is listed is what a claim is checked against
  const claim = await app.inject({
    method: 'POST', url: '/fhir/Observation/$validate', headers: { 'content-type': 'application/fhir+json' },
    payload: { resourceType: 'Observation', meta: { profile: [IG + 'variant'] }, status: 'final', code: { text: 'x' } },
  });
  t.match(claim.body, /Profile Variant/, 'a listed profile is enforced');
});
