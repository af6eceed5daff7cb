import t from 'tap';
import { validateResource, validationStatus } from '../../src/validation/validate.js';
import { errors, example, SD, show, warnings, type Json } from './helpers.js';

/**
 * Genomic resources that claim no profile but carry a Genomics Reporting code are checked as the
 * matching profile: warnings by default (stored), errors under strictProfiles (422).
 */
function unprofiled(file: string): Json {
  const r = example(file);
  delete r.meta;
  return r;
}

t.test('a conformant IG-coded Observation without meta.profile raises nothing', async (t) => {
  for (const f of ['Observation-VariantExample.json', 'Observation-GenotypeExample1.json', 'Observation-TherapeuticImplicationExample1.json']) {
    t.same(validateResource(unprofiled(f)), [], f);
    t.same(validateResource(unprofiled(f), { strictProfiles: true }), [], `${f} (strict)`);
  }
});

t.test('a non-conformant Variant-coded Observation: warnings by default, errors when strict', async (t) => {
  const v = unprofiled('Observation-VariantExample.json');
  v.category = v.category.slice(0, 1);
  const lax = validateResource(v);
  t.same(errors(lax), [], show(lax));
  t.ok(warnings(lax).length >= 1);
  t.ok(warnings(lax).every((i) => i.diagnostics.includes(`Variant (${SD}variant)`) && i.diagnostics.includes('inferred from code http://loinc.org|69548-6')), show(lax));
  t.equal(validationStatus(lax), 200, 'warnings do not stop a write');
  const strict = validateResource(v, { strictProfiles: true });
  t.ok(errors(strict).some((i) => i.diagnostics.includes("slice 'geCategory'")), show(strict));
  t.equal(validationStatus(strict), 422);
});

t.test('each IG code maps to its profile', async (t) => {
  const cases: Array<[string, string, string]> = [
    ['Observation', 'http://loinc.org|69548-6', 'Variant'],
    ['Observation', 'http://loinc.org|84414-2', 'Haplotype'],
    ['Observation', 'http://loinc.org|84413-4', 'Genotype'],
    ['Observation', 'http://loinc.org|82120-7', 'SequencePhaseRelationship'],
    ['Observation', 'http://loinc.org|51963-7', 'TherapeuticImplication'],
    ['Observation', 'http://loinc.org|53037-8', 'DiagnosticImplication'],
    ['Observation', 'http://hl7.org/fhir/uv/genomics-reporting/CodeSystem/tbd-codes-cs|molecular-consequence', 'MolecularConsequence'],
    ['DiagnosticReport', 'http://loinc.org|81247-9', 'GenomicReport'],
    ['DiagnosticReport', 'http://loinc.org|51969-4', 'GenomicReport'],
  ];
  for (const [resourceType, token, name] of cases) {
    const [system, code] = token.split('|');
    // Minimal, structurally valid, but missing the profile's categories: the profile must notice.
    const r: Json = { resourceType, status: 'final', code: { coding: [{ system, code }] } };
    const issues = validateResource(r);
    t.same(errors(issues), [], `${token}: no errors by default\n${show(issues)}`);
    t.ok(warnings(issues).some((i) => i.diagnostics.startsWith(`Profile ${name} (`)), `${token} -> ${name}\n${show(issues)}`);
    t.ok(errors(validateResource(r, { strictProfiles: true })).length > 0, `${token}: errors when strict`);
  }
});

t.test('Observations with other codes are not profile-checked', async (t) => {
  const r: Json = { resourceType: 'Observation', status: 'final', code: { coding: [{ system: 'http://loinc.org', code: '8867-4' }] }, valueQuantity: { value: 60 } };
  t.same(validateResource(r, { strictProfiles: true }), []);
});

t.test('a resource claiming a profile is checked with errors even when not strict', async (t) => {
  const v = example('Observation-VariantExample.json');
  v.category = v.category.slice(0, 1);
  t.ok(errors(validateResource(v)).length > 0);
});
