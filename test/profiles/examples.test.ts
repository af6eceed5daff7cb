import t from 'tap';
import { validateResource, validationStatus } from '../../src/validation/validate.js';
import { validateProfiles } from '../../src/validation/profiles/index.js';
import { compiledProfile } from '../../src/validation/profiles/compile-profile.js';
import { errors, example, exampleFiles, SD, show, type Json } from './helpers.js';

/**
 * Every example of the Genomics Reporting IG 3.0.0 passes the whole validation pipeline
 * (structure + profiles + invariants) with the profiles it claims, and the profile layer really
 * ran on them (each claimed profile is a compiled, vendored one).
 */
t.test('every IG example validates cleanly with its own profiles', async (t) => {
  const files = exampleFiles();
  t.ok(files.length >= 200, `${files.length} examples vendored`);
  const claimed = new Set<string>();
  let profiled = 0;
  for (const f of files) {
    const r = example(f);
    const resources: Json[] = [r, ...(r.resourceType === 'Bundle' ? (r.entry ?? []).map((e: Json) => e.resource).filter(Boolean) : [])];
    for (const x of resources) {
      for (const p of x.meta?.profile ?? []) {
        claimed.add(p);
        profiled++;
      }
    }
    const issues = validateResource(r);
    t.same(errors(issues), [], `${f}: no errors\n${show(issues)}`);
    t.same(issues.filter((i) => i.diagnostics.startsWith('Profile ')), [], `${f}: no profile issues`);
  }
  t.ok(profiled > 300, `${profiled} resources claim a profile`);
  for (const p of claimed) {
    if (p.startsWith(SD)) t.ok(compiledProfile(p), `${p} is vendored and compiles`);
  }
  t.ok(claimed.has(SD + 'variant') && claimed.has(SD + 'therapeutic-implication') && claimed.has(SD + 'genomic-report'));
});

t.test('Parameters-*Output examples (operation results) validate too', async (t) => {
  const outputs = exampleFiles().filter((f) => /^Parameters-.*Output\.json$/.test(f));
  t.ok(outputs.length >= 17, `${outputs.length} output examples (at least one per IG operation)`);
  for (const f of outputs) t.same(errors(validateResource(example(f))), [], f);
});

t.test('profile checks also apply to a profile asked for explicitly ($validate profile=)', async (t) => {
  const v = example('Observation-VariantExample.json');
  delete v.meta;
  t.same(validateProfiles(v, { profiles: [SD + 'variant|3.0.0'] }), [], 'the example conforms (versioned canonical accepted)');
  const g = example('Observation-GenotypeExample1.json');
  delete g.meta;
  const issues = validateProfiles(g, { profiles: [SD + 'variant'] });
  t.ok(errors(issues).some((i) => i.diagnostics.includes('69548-6')), `a Genotype is not a Variant\n${show(issues)}`);
  t.equal(validationStatus(issues), 422);
});

t.test('an unknown profile asked for explicitly is an error; an unknown claimed one a warning', async (t) => {
  const v = example('Observation-VariantExample.json');
  const asked = validateProfiles(v, { profiles: ['http://example.org/StructureDefinition/nope'] });
  t.equal(asked.length, 1);
  t.equal(asked[0].code, 'not-supported');
  v.meta.profile.push('http://example.org/StructureDefinition/other-ig');
  // stored, but the client learns that this claim was not checked
  t.match(validateProfiles(v), [{ severity: 'warning', code: 'not-supported', expression: ['Observation.meta.profile[1]'] }]);
  t.equal(validateProfiles(v).length, 1);
});

t.test('a profile asked for in another version than the vendored one is checked against 3.0.0, and the answer says so', async (t) => {
  const v = example('Observation-VariantExample.json');
  delete v.meta;
  const issues = validateProfiles(v, { profiles: [SD + 'variant|2.0.0'] });
  // otherwise $validate answers "All OK" to a question about 2.0.0 that it never asked
  t.match(issues, [{ severity: 'warning', code: 'not-supported', diagnostics: /variant\|2\.0\.0.*version 3\.0\.0/ }], show(issues));
  t.equal(issues.length, 1);
  t.same(validateProfiles(v, { profiles: [SD + 'variant|3.0.0'] }), [], 'the vendored version: no remark');
  const g = example('Observation-GenotypeExample1.json');
  delete g.meta;
  t.ok(errors(validateProfiles(g, { profiles: [SD + 'variant|2.0.0'] })).some((i) => i.diagnostics.includes('69548-6')), 'still checked');
});

/**
 * A canonical with a version names that version (https://hl7.org/fhir/R4/references.html#canonical):
 * the base R4 definition claimed in another FHIR version (`…/Observation|5.0.0`) passed without a
 * word, although the resource was checked against 4.0.1 only. It gets the remark an IG profile in
 * another version gets (a warning: the claim is about what was checked, not a fault in the data).
 */
t.test('a base definition claimed or asked for in another FHIR version: checked against 4.0.1, and the answer says so', async (t) => {
  const BASE = 'http://hl7.org/fhir/StructureDefinition/Observation';
  const v = example('Observation-VariantExample.json');
  const claim = (profile: string) => validateResource({ ...v, meta: { profile: [`${SD}variant`, profile] } });
  for (const strictProfiles of [false, true]) {
    const other = validateResource({ ...v, meta: { profile: [`${SD}variant`, `${BASE}|5.0.0`] } }, { strictProfiles });
    t.match(other, [{ severity: 'warning', code: 'not-supported', expression: ['Observation.meta.profile[1]'], diagnostics: /Observation\|5\.0\.0.*version 4\.0\.1 .*checked the resource against that/ }], show(other));
    t.equal(other.length, 1, `one remark (strict ${strictProfiles})`);
    t.equal(validationStatus(other), 200, 'stored: a remark, not a fault');
  }
  t.same(claim(`${BASE}|4.0.1`), [], 'R4 4.0.1 itself: no remark');
  t.same(claim(`${BASE}|4.0`), [], 'major.minor of the held version: no remark');
  t.same(claim(BASE), [], 'no version: no remark');
  t.same(validateResource({ ...v, meta: { profile: [`${SD}variant|3.0`] } }), [], 'an IG profile by major.minor: no remark either');
  // $validate's profile parameter (validateProfiles' `profiles`) is answered in the operation (validate-operation.test.ts)
});

/**
 * A claim of another type's base definition (an Observation claiming `…/StructureDefinition/Patient`)
 * cannot hold, as a claim of an IG profile on another type cannot (an error there, and from
 * $validate's `profile`); it was warned about as a profile "not known to this server".
 */
t.test('meta.profile naming the base definition of another type: an error, as for an IG profile of another type', async (t) => {
  const v = example('Observation-VariantExample.json');
  const issues = validateResource({ ...v, meta: { profile: [`${SD}variant`, 'http://hl7.org/fhir/StructureDefinition/Patient|4.0.1'] } });
  t.match(issues, [{ severity: 'error', code: 'processing', expression: ['Observation.meta.profile[1]'], diagnostics: /Patient\|4\.0\.1 is the base definition of Patient, not of Observation/ }], show(issues));
  t.equal(issues.length, 1);
  t.equal(validationStatus(issues), 422, 'a rule failure, as for an IG profile of another type');
  const ig = validateResource({ ...v, meta: { profile: [`${SD}genomic-report`] } });
  t.match(ig, [{ severity: 'error', code: 'processing' }], 'the IG profile of another type, for comparison');
  // within a Bundle: located where the entry sits
  const bundle = { resourceType: 'Bundle', type: 'collection', entry: [{ fullUrl: 'urn:uuid:0b7e3d2c-1f7a-4a36-9c55-7b0a0c3a4e11', resource: { resourceType: 'Patient', meta: { profile: ['http://hl7.org/fhir/StructureDefinition/Observation'] } } }] };
  t.match(validateResource(bundle), [{ severity: 'error', expression: ['Bundle.entry[0].resource.meta.profile[0]'] }]);
  t.match(validateProfiles(v, { profiles: ['http://example.org/p'] }), [{ severity: 'error', code: 'not-supported', expression: ['profile'] }], 'an unknown requested profile names the parameter');
});

t.test('an IG profile of another type is reported at the claim (or the profile parameter), not at the whole resource', async (t) => {
  const v = example('Observation-VariantExample.json');
  const claimed = validateResource({ ...v, meta: { profile: [`${SD}variant`, `${SD}genomic-report`] } });
  t.match(claimed, [{ severity: 'error', code: 'processing', expression: ['Observation.meta.profile[1]'], diagnostics: /GenomicReport .*genomic-report\) applies to DiagnosticReport resources, not Observation/ }], show(claimed));
  t.equal(claimed.length, 1);
  const asked = validateProfiles(v, { profiles: [`${SD}genomic-report`] });
  t.match(asked, [{ severity: 'error', code: 'processing', expression: ['profile'] }], show(asked));
  t.equal(asked.length, 1);
});

t.test('validateResource asked for a base definition (the API $validate uses): what layer 2 checks, not an unknown profile', async (t) => {
  const v = example('Observation-VariantExample.json');
  const BASE = 'http://hl7.org/fhir/StructureDefinition/';
  t.same(validateResource(v, { profiles: [`${BASE}Observation`] }), [], 'the own type: nothing to add');
  t.same(validateResource(v, { profiles: [`${BASE}Observation|4.0.1`] }), [], 'in 4.0.1: nothing to add');
  t.match(validateResource(v, { profiles: [`${BASE}Observation|5.0.0`] }), [{ severity: 'warning', code: 'not-supported', expression: ['profile'], diagnostics: /version 4\.0\.1/ }]);
  t.match(validateResource(v, { profiles: [`${BASE}Patient`] }), [{ severity: 'error', expression: ['profile'], diagnostics: /base definition of Patient, not of Observation/ }]);
});
