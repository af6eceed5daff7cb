import t from 'tap';
import { validateResource, validationStatus } from '../../src/validation/validate.js';
import type { Issue } from '../../src/fhir/outcome.js';
import { componentIndex, errors, example, SD, show, warnings, type Json } from './helpers.js';

/**
 * Deliberately broken copies of IG examples: each breaks one rule of its profile and must fail
 * (422) with an issue that names the profile (short name and canonical), the element and the
 * rule, located by a FHIRPath-style expression.
 */
const VARIANT = `Variant (${SD}variant)`;

type T = Pick<typeof t, 'ok' | 'equal'>;

function expectIssue(
  t: T,
  resource: Json,
  want: { code: Issue['code']; expression: string; includes: string[] },
): void {
  const issues = validateResource(resource);
  const hit = errors(issues).find((i) => i.code === want.code && i.expression?.[0] === want.expression && want.includes.every((s) => i.diagnostics.includes(s)));
  t.ok(hit, `expected ${want.code} at ${want.expression} mentioning ${want.includes.join(' / ')}; got:\n${show(issues)}`);
  t.equal(validationStatus(issues), 422, 'rule failures answer 422');
}

t.test('Variant: wrong fixed code (patternCodeableConcept on Observation.code)', async (t) => {
  const v = example('Observation-VariantExample.json');
  v.code.coding[0].code = '12345-6';
  expectIssue(t, v, { code: 'processing', expression: 'Observation.code', includes: [VARIANT, 'Observation.code', 'patternCodeableConcept', 'http://loinc.org|69548-6'] });
});

t.test('Variant: value outside the required LOINC answer list LL1971-2', async (t) => {
  const v = example('Observation-VariantExample.json');
  v.valueCodeableConcept = { coding: [{ system: 'http://loinc.org', code: 'LA6576-8', display: 'Positive' }] };
  expectIssue(t, v, { code: 'code-invalid', expression: 'Observation.valueCodeableConcept', includes: [VARIANT, 'LL1971-2', 'LA6576-8'] });
  for (const ok of ['LA9633-4', 'LA9634-2']) {
    v.valueCodeableConcept = { coding: [{ system: 'http://loinc.org', code: ok }] };
    t.same(errors(validateResource(v)), [], `${ok} is accepted`);
  }
  v.valueCodeableConcept = { text: 'present' };
  expectIssue(t, v, { code: 'code-invalid', expression: 'Observation.valueCodeableConcept', includes: ['no coding'] });
});

t.test('Variant: missing required category slice (geCategory)', async (t) => {
  const v = example('Observation-VariantExample.json');
  v.category = v.category.filter((c: Json) => c.coding[0].code !== 'GE');
  expectIssue(t, v, { code: 'processing', expression: 'Observation.category', includes: [VARIANT, "slice 'geCategory'", 'v2-0074|GE', 'at least 1'] });
  expectIssue(t, v, { code: 'processing', expression: 'Observation.category', includes: ['Observation.category', 'at least 2 (found 1)'] });
});

t.test('Variant: component slice without its required value (cardinality inside a slice)', async (t) => {
  const v = example('Observation-VariantExample.json');
  const i = componentIndex(v, '92822-6'); // coordinate-system: value[x] 1..1
  t.ok(i >= 0);
  delete v.component[i].valueCodeableConcept;
  expectIssue(t, v, { code: 'processing', expression: `Observation.component[${i}].value`, includes: [VARIANT, 'Observation.component:coordinate-system.value[x]', 'at least 1 (found 0)'] });
});

t.test('Variant: slice max cardinality and value type restricted by the slice', async (t) => {
  const v = example('Observation-VariantExample.json');
  const hgvs = { code: { coding: [{ system: 'http://loinc.org', code: '81290-9' }] }, valueCodeableConcept: { coding: [{ system: 'http://varnomen.hgvs.org', code: 'NC_000017.11:g.43057063G>A' }] } };
  v.component.push(hgvs, structuredClone(hgvs));
  expectIssue(t, v, { code: 'processing', expression: 'Observation.component', includes: ["slice 'genomic-hgvs'", 'at most 1 (found 2)'] });
  const w = example('Observation-VariantExample.json');
  w.component.push({ code: { coding: [{ system: 'http://loinc.org', code: '48018-6' }] }, valueString: 'BRCA1' });
  const at = w.component.length - 1;
  expectIssue(t, w, { code: 'processing', expression: `Observation.component[${at}].valueString`, includes: ['Observation.component:gene-studied.value[x]', 'not allowed', 'CodeableConcept'] });
});

t.test('Variant: HGVS binding (value set not expandable: system checked)', async (t) => {
  const v = example('Observation-VariantExample.json');
  v.component.push({ code: { coding: [{ system: 'http://loinc.org', code: '81290-9' }] }, valueCodeableConcept: { coding: [{ system: 'http://example.org/my-notation', code: 'g.1A>T' }] } });
  expectIssue(t, v, { code: 'code-invalid', expression: `Observation.component[${v.component.length - 1}].valueCodeableConcept`, includes: ['hgvs-vs', 'http://varnomen.hgvs.org'] });
  v.component[v.component.length - 1].valueCodeableConcept.coding[0].system = 'http://varnomen.hgvs.org';
  t.same(errors(validateResource(v)), [], 'any code in the HGVS system is accepted');
});

t.test('SequencePhaseRelationship: binding expanded from the vendored CodeSystem', async (t) => {
  const s = example('Observation-SequencePhaseRelationExample1.json');
  s.valueCodeableConcept.coding[0].code = 'Sideways';
  expectIssue(t, s, { code: 'code-invalid', expression: 'Observation.valueCodeableConcept', includes: ['SequencePhaseRelationship', 'sequence-phase-relationship-vs', 'Sideways'] });
  s.valueCodeableConcept.coding[0].code = 'Trans';
  t.same(errors(validateResource(s)), []);
});

t.test('TherapeuticImplication: medication-assessed component needs a CodeableConcept value; derivedFrom is required', async (t) => {
  const ti = example('Observation-TherapeuticImplicationExample1.json');
  const i = componentIndex(ti, '51963-7');
  t.ok(i >= 0, 'the example has its medication-assessed component');
  delete ti.component[i].valueCodeableConcept;
  expectIssue(t, ti, { code: 'processing', expression: `Observation.component[${i}].value`, includes: ['TherapeuticImplication', 'Observation.component:medication-assessed.value[x]', 'at least 1'] });
  const d = example('Observation-TherapeuticImplicationExample1.json');
  delete d.derivedFrom;
  expectIssue(t, d, { code: 'processing', expression: 'Observation.derivedFrom', includes: ['TherapeuticImplication', 'Observation.derivedFrom', 'at least 1 (found 0)'] });
});

t.test('FollowupRecommendation: pattern status (a primitive pattern must match exactly)', async (t) => {
  const task = example('Task-PGxRecEx01.json');
  task.status = 'draft';
  expectIssue(t, task, { code: 'processing', expression: 'Task.status', includes: ['Task.status', 'patternCode', '"requested"', '"draft"'] });
});

t.test('invariants of the profile snapshot: dom-3; ext-1 is layer 4\'s (every resource), reported once', async (t) => {
  const v = example('Observation-VariantExample.json');
  v.extension = [{ url: 'http://hl7.org/fhir/StructureDefinition/observation-secondaryFinding', valueCodeableConcept: { text: 'x' }, extension: [{ url: 'a', valueString: 'b' }] }];
  expectIssue(t, v, { code: 'invariant', expression: 'Observation.extension[0]', includes: ['ext-1'] });
  t.equal(validateResource(v).filter((i) => i.diagnostics.includes('ext-1')).length, 1, 'not again by the profile');
  const c = example('Observation-VariantExample.json');
  c.contained = [{ resourceType: 'Specimen', id: 'orphan' }];
  expectIssue(t, c, { code: 'invariant', expression: 'Observation', includes: [VARIANT, 'dom-3'] });
  c.specimen = { reference: '#orphan' };
  t.same(errors(validateResource(c)).filter((i) => i.diagnostics.includes('dom-3')), [], 'referenced: dom-3 holds');
});

t.test('nested extension profiles are checked (GenomicStudyAnalysis metrics extension)', async (t) => {
  const p = example('Procedure-PGXGenomicStudyAnalysis.json');
  const i = p.extension.findIndex((e: Json) => e.url.endsWith('/genomic-study-analysis-metrics'));
  t.ok(i >= 0);
  p.extension[i].extension[0] = { url: 'sequencing-coverage', valueString: 'lots' };
  expectIssue(t, p, { code: 'processing', expression: `Procedure.extension[${i}].extension[0].valueString`, includes: ['GenomicStudyAnalysis', 'Metrics', 'not allowed'] });
});

t.test('issues inside a transaction Bundle are located under the entry', async (t) => {
  const b = example('Bundle-bundle-cgexample.json');
  const i = b.entry.findIndex((e: Json) => e.resource.meta?.profile?.includes(SD + 'variant'));
  b.entry[i].resource.code.coding[0].code = '00000-0';
  expectIssue(t, b, { code: 'processing', expression: `Bundle.entry[${i}].resource.code`, includes: [VARIANT, '69548-6'] });
});

t.test('TherapeuticImplication names the medication or therapy it assesses (server rule gx-ti-1)', async (t) => {
  const ti = example('Observation-TherapeuticImplicationExample1.json');
  t.same(errors(validateResource(ti)), [], 'the IG example passes');
  ti.component = ti.component.filter((c: Json) => !c.code.coding.some((x: Json) => x.code === '51963-7'));
  expectIssue(t, ti, { code: 'invariant', expression: 'Observation.component', includes: ['TherapeuticImplication', `${SD}therapeutic-implication`, 'gx-ti-1', '51963-7'] });
  const trial = example('Observation-Therapeutic-Implication-Clinical-Trial-2.json');
  t.same(errors(validateResource(trial)), [], 'a non-medication therapy (associated-therapy) is enough');
  delete ti.meta;
  const inferred = validateResource(ti);
  t.same(errors(inferred), [], 'without meta.profile the rule only warns');
  t.ok(warnings(inferred).some((i) => i.diagnostics.includes('gx-ti-1')), show(inferred));
  t.ok(errors(validateResource(ti, { strictProfiles: true })).some((i) => i.diagnostics.includes('gx-ti-1')), 'and is an error under strict profiles');
});

t.test('a reference outside the types the profile narrows its element to (targetProfile) fails', async (t) => {
  // each element allows more types in base R4 (or any, Reference(Any)) than in its profile
  const cases: [string, string, (r: Json) => void, string, string][] = [
    ['MedicationRecommendation', 'Task-MedicationRecommendationExample1.json', (r) => { r.focus = { reference: 'Patient/CGPatientExample01' }; }, 'Task.focus', 'MedicationStatement'],
    ['MedicationRecommendation', 'Task-MedicationRecommendationExample1.json', (r) => { r.reasonReference = { reference: 'Condition/c1' }; }, 'Task.reasonReference', 'Observation'],
    ['FollowupRecommendation', 'Task-PGxRecEx01.json', (r) => { r.reasonReference = { reference: 'http://example.org/fhir/Condition/c1' }; }, 'Task.reasonReference', 'Observation'],
    ['GenomicStudy', 'Procedure-PGXGenomicStudy.json', (r) => { r.asserter = { reference: 'Patient/CGPatientExample01' }; }, 'Procedure.asserter', 'Practitioner'],
    ['GenomicStudy', 'Procedure-PGXGenomicStudy.json', (r) => { r.basedOn = [{ reference: 'CarePlan/cp1' }]; }, 'Procedure.basedOn[0]', 'ServiceRequest'],
    ['GenomicStudy', 'Procedure-PGXGenomicStudy.json', (r) => { r.reasonReference = [{ type: 'DiagnosticReport', identifier: { value: 'r1' } }]; }, 'Procedure.reasonReference[0]', 'Condition'],
    // an extension's valueReference (Reference(Any) in base R4), checked through the extension's profile
    ['RecommendedAction', 'DiagnosticReport-GenomicReportExample01.json', (r) => { r.extension[0].valueReference = { reference: 'ServiceRequest/sr1' }; }, 'DiagnosticReport.extension[0].valueReference', 'Task'],
    ['GenomicDataFile', 'DocumentReference-genomicVCFfile-simple.json', (r) => { r.context = { ...r.context, related: [{ reference: 'Patient/CGPatientExample01' }] }; }, 'DocumentReference.context.related[0]', 'DiagnosticReport'],
  ];
  for (const [name, file, breakIt, at, allowed] of cases) {
    const r = example(file);
    t.same(errors(validateResource(r)), [], `${file} passes as it is`);
    breakIt(r);
    expectIssue(t, r, { code: 'processing', expression: at, includes: [name, 'refers to a', allowed] });
  }
  const local = example('Task-MedicationRecommendationExample1.json');
  local.contained = [{ resourceType: 'Patient', id: 'p' }];
  local.focus = { reference: '#p' };
  expectIssue(t, local, { code: 'processing', expression: 'Task.focus', includes: ['MedicationRecommendation', 'refers to a Patient', 'MedicationStatement'] });
  const ok = example('Procedure-PGXGenomicStudy.json');
  ok.asserter = { reference: 'PractitionerRole/pr1' };
  ok.reasonReference = [{ reference: 'Observation/o1' }, { reference: '#nowhere-local' }];
  t.same(errors(validateResource(ok)).filter((i) => i.diagnostics.includes('refers to')), [], 'a type the profile allows passes; a local reference to no contained resource is ref-1\'s, not a type issue');
  const base = example('DiagnosticReport-GenomicReportExample01.json');
  base.result[0] = { reference: 'Patient/CGPatientExample01' };
  const issues = errors(validateResource(base));
  t.equal(issues.filter((i) => i.diagnostics.includes('refers to a Patient')).length, 1, `a type base R4 refuses already is reported once, by the base rule (400)\n${show(issues)}`);
  t.equal(validationStatus(issues), 400);
});

t.test('qty-3 in a profile\'s snapshot is layer 4\'s (every Quantity), reported once', async (t) => {
  const p = example('Procedure-PGXGenomicStudyAnalysis.json');
  const i = p.extension.findIndex((e: Json) => e.url.endsWith('/genomic-study-analysis-metrics'));
  const j = p.extension[i].extension.findIndex((e: Json) => e.valueQuantity);
  t.ok(i >= 0 && j >= 0, 'the example has a metrics quantity');
  p.extension[i].extension[j].valueQuantity = { value: 100, code: 'x' }; // a unit code without its system
  const at = `Procedure.extension[${i}].extension[${j}].valueQuantity`;
  const issues = validateResource(p);
  const qty3 = errors(issues).filter((x) => x.diagnostics.includes('qty-3'));
  t.equal(qty3.length, 1, show(issues));
  t.match(qty3[0]?.expression?.[0], at);
  t.equal(validationStatus(issues), 422);
  p.extension[i].extension[j].valueQuantity = { value: 100, comparator: '<' }; // sqty-1: the profile's (SimpleQuantity)
  expectIssue(t, p, { code: 'invariant', expression: at, includes: ['Metrics', 'sqty-1'] });
});

t.test("a complex extension's sub-extension with a relative url it does not define is refused (as the HL7 validator says: not defined by the extension)", async (t) => {
  const p = example('Procedure-PGXGenomicStudyAnalysis.json');
  const i = p.extension.findIndex((e: Json) => e.url.endsWith('/genomic-study-analysis-regions'));
  t.ok(i >= 0, 'the example has its regions extension');
  const subs = p.extension[i].extension.length;
  p.extension[i].extension.push({ url: 'studed', valueReference: { reference: 'DocumentReference/d1' } }); // a typo of 'studied'
  expectIssue(t, p, { code: 'processing', expression: `Procedure.extension[${i}].extension[${subs}]`, includes: ['GenomicStudyAnalysis', 'GenomicStudyAnalysisRegions', "'studed'", 'not defined', 'studied'] });
  // an extension of its own (an absolute url) may sit there: the slicing is open
  const q = example('Procedure-PGXGenomicStudyAnalysis.json');
  q.extension[i].extension.push({ url: 'http://example.org/fhir/StructureDefinition/lab-note', valueString: 'x' });
  t.same(errors(validateResource(q)), [], 'an absolute url passes');
  // the metrics extension, inside the same profile: the check is per extension definition
  const m = example('Procedure-PGXGenomicStudyAnalysis.json');
  const j = m.extension.findIndex((e: Json) => e.url.endsWith('/genomic-study-analysis-metrics'));
  m.extension[j].extension.push({ url: 'studied', valueReference: { reference: 'DocumentReference/d1' } });
  expectIssue(t, m, { code: 'processing', expression: `Procedure.extension[${j}].extension[${m.extension[j].extension.length - 1}]`, includes: ['Metrics', "'studied'", 'not defined'] });
});

t.test('a fixed or pattern primitive given only as extensions (no value) does not match it', async (t) => {
  const DAR = { extension: [{ url: 'http://hl7.org/fhir/StructureDefinition/data-absent-reason', valueCode: 'unknown' }] };
  const p = example('Procedure-PGXGenomicStudyAnalysis.json');
  delete p.status;
  p._status = DAR; // counts for status 1..1, but the profile requires the value "completed"
  expectIssue(t, p, { code: 'processing', expression: 'Procedure.status', includes: ['GenomicStudyAnalysis', 'Procedure.status', 'patternCode', '"completed"', 'no value'] });
  const task = example('Task-PGxRecEx01.json');
  delete task.intent;
  task._intent = DAR;
  expectIssue(t, task, { code: 'processing', expression: 'Task.intent', includes: ['FollowupRecommendation', 'Task.intent', '"proposal"', 'no value'] });
  const ok = example('Procedure-PGXGenomicStudyAnalysis.json');
  ok._status = DAR; // beside the value: nothing missing
  t.same(errors(validateResource(ok)), [], 'extensions beside the value pass');
});

/**
 * Two forms of one choice (`valueString` and `valueInteger` in a component) are one problem, which
 * the invariant layer states ("Only one form of value[x]"); the profile repeated it as the
 * cardinality of `value[x]`, once for the element and once per slice the item falls in. A choice
 * the profile forbids (max 0) is still the profile's to report.
 */
t.test('two forms of a choice: said once, by the invariant layer; a forbidden choice still by the profile', async (t) => {
  const v = example('Observation-VariantExample.json');
  const i = v.component.findIndex((c: Json) => typeof c.valueString === 'string');
  v.component[i].valueInteger = 3;
  const issues = errors(validateResource(v));
  t.notOk(issues.some((x) => /value\[x\]: cardinality allows at most/.test(x.diagnostics)), `no cardinality issue for the second form:\n${show(issues)}`);
  t.ok(issues.some((x) => x.code === 'structure' && /Only one form of value\[x\] is allowed in Observation\.component\[\d+\]/.test(x.diagnostics)), 'the invariant layer says it');
  t.ok(issues.some((x) => x.expression?.[0] === `Observation.component[${i}].valueInteger` && /type Integer is not allowed here \(allowed: string\)/.test(x.diagnostics)), 'and the profile that the type is not one it allows');
  const ti = example('Observation-EGFR-L858R-therapuDrug1.json');
  ti.valueString = 'x'; // TherapeuticImplication: Observation.value[x] 0..0
  expectIssue(t, ti, { code: 'processing', expression: 'Observation.valueString', includes: ['Observation.value[x]', 'cardinality allows at most 0 (found 1)'] });
});

/**
 * An element base R4 already requires (Observation.code, Observation.status, a component's code)
 * is reported missing by the structure layer ("Missing required element"); the profile, whose
 * min is the same, said it again as its cardinality. What the profile itself raises (Variant's
 * two categories, its required component slices) stays the profile's.
 */
t.test('a missing element base R4 requires: said once, by the structure layer; a profile-raised minimum still by the profile', async (t) => {
  for (const [what, drop, at] of [
    ['code', (v: Json) => delete v.code, 'Observation.code'],
    ['status', (v: Json) => delete v.status, 'Observation.status'],
    ['a component code', (v: Json) => delete v.component[0].code, 'Observation.component[0].code'],
  ] as const) {
    const v = example('Observation-VariantExample.json');
    drop(v);
    const issues = errors(validateResource(v)).filter((i) => i.expression?.[0] === at);
    t.same(issues.map((i) => i.code), ['required'], `${what}: one issue at ${at}:\n${show(issues)}`);
  }
  const v = example('Observation-VariantExample.json');
  v.category = v.category.slice(0, 1);
  expectIssue(t, v, { code: 'processing', expression: 'Observation.category', includes: [VARIANT, 'Observation.category: cardinality requires at least 2 (found 1)'] });
});
