import t from 'tap';
import { readFileSync } from 'node:fs';
import { validateResource, validationStatus } from '../../src/validation/validate.js';
import { errorsOf, summary } from './helpers.js';

// An extension's value is of a type its definition allows: core R4 extensions and the IG's own.
const variant = JSON.parse(readFileSync(new URL('../../schemas/genomics/examples/Observation-VariantExample.json', import.meta.url), 'utf8'));
const CORE = 'http://hl7.org/fhir/StructureDefinition/';
const IG = 'http://hl7.org/fhir/uv/genomics-reporting/StructureDefinition/';

t.test('a value of another type is refused, naming the extension and the types it takes', async (t) => {
  const cases: Array<[Record<string, unknown>, string]> = [
    [{ ...variant, extension: [{ url: `${CORE}observation-secondaryFinding`, valueString: 'a' }] }, 'Observation.extension[0].valueString'],
    // (each where its context allows it: extension-context.test.ts covers the other places)
    [{ resourceType: 'Observation', status: 'final', code: { text: 'x' }, component: [{ code: { text: 'c' }, valueString: 'v', extension: [{ url: `${IG}repeat-motif-order`, valueString: 'a' }] }] }, 'Observation.component[0].extension[0].valueString'],
    [{ resourceType: 'Procedure', status: 'completed', subject: { reference: 'Patient/p1' }, extension: [{ url: `${IG}genomic-study-analysis-ext`, valueString: 'x' }] }, 'Procedure.extension[0].valueString'],
    [{ resourceType: 'Observation', status: 'final', code: { text: 'x' }, component: [{ code: { text: 'c' }, valueString: 'v', extension: [{ url: `${CORE}bodySite`, valueString: 'arm' }] }] }, 'Observation.component[0].extension[0].valueString'],
    [{ resourceType: 'Patient', birthDate: '2000-01-01', _birthDate: { extension: [{ url: `${CORE}patient-birthTime`, valueDate: '2000-01-01' }] } }, 'Patient._birthDate.extension[0].valueDate'],
  ];
  for (const [r, at] of cases) {
    const issues = errorsOf(validateResource(r));
    t.same(summary(issues), [`structure ${at}`], at);
    t.match(issues[0]?.diagnostics, /the extension's value must be of type/);
    t.equal(validationStatus(issues), 400);
  }
  const complex = errorsOf(validateResource({ resourceType: 'Patient', extension: [{ url: `${CORE}patient-citizenship`, valueString: 'x' }] }));
  t.match(complex[0]?.diagnostics, /takes no value .*sub-extensions/, 'a complex extension takes no value');
});

t.test('the right types, and extensions this server does not know, pass', async (t) => {
  for (const r of [
    { ...variant, extension: [{ url: `${CORE}observation-secondaryFinding`, valueCodeableConcept: { text: 'incidental' } }] },
    { resourceType: 'Patient', extension: [{ url: `${CORE}patient-birthPlace`, valueAddress: { city: 'Lyon' } }, { url: `${CORE}patient-mothersMaidenName`, valueString: 'X' }] },
    { resourceType: 'Patient', birthDate: '2000-01-01', _birthDate: { extension: [{ url: `${CORE}patient-birthTime`, valueDateTime: '2000-01-01T10:00:00Z' }] } },
    { resourceType: 'Patient', extension: [{ url: 'http://example.org/fhir/StructureDefinition/local', valueBoolean: true }] },
    { resourceType: 'Patient', extension: [{ url: `${CORE}patient-citizenship`, extension: [{ url: 'code', valueCodeableConcept: { text: 'FR' } }] }] },
  ]) t.same(summary(validateResource(r)), [], JSON.stringify(r.extension ?? r._birthDate).slice(0, 100));
});

t.test('ext-1 (extensions or a value, not both, not neither) on every resource, profiled or not, reported once', async (t) => {
  const both = { url: 'http://example.org/fhir/StructureDefinition/local', valueString: 'x', extension: [{ url: 'part', valueString: 'y' }] };
  const neither = { url: 'http://example.org/fhir/StructureDefinition/local' };
  const cases: Array<[string, Record<string, unknown>, string]> = [
    ['unprofiled Patient, both', { resourceType: 'Patient', extension: [both] }, 'Patient.extension[0]'],
    ['unprofiled Patient, neither', { resourceType: 'Patient', extension: [neither] }, 'Patient.extension[0]'],
    ['a modifierExtension', { resourceType: 'Patient', modifierExtension: [both] }, 'Patient.modifierExtension[0]'],
    ['a nested extension', { resourceType: 'Patient', extension: [{ url: 'http://example.org/outer', extension: [both] }] }, 'Patient.extension[0].extension[0]'],
    ['a primitive\'s extension', { resourceType: 'Patient', birthDate: '2000-01-01', _birthDate: { extension: [both] } }, 'Patient._birthDate.extension[0]'],
    ['the IG Variant (profiled)', { ...variant, extension: [both] }, 'Observation.extension[0]'],
  ];
  for (const [label, r, at] of cases) {
    const issues = errorsOf(validateResource(r)).filter((i) => /ext-1/.test(i.diagnostics));
    t.equal(issues.length, 1, `${label}: one ext-1 issue (${JSON.stringify(issues.map((i) => i.diagnostics))})`);
    t.same(issues[0]?.expression, [at], `${label}: at ${at}`);
    t.equal(validationStatus(validateResource(r)), 422, `${label}: a rule failure`);
  }
  t.same(summary(validateResource({ resourceType: 'Patient', extension: [{ url: 'http://example.org/outer', extension: [{ url: 'a', valueString: 'y' }] }] })), [], 'extensions alone pass');
});

t.test('a known extension with a value of the wrong type, in a profile that slices it: one issue, naming the url, the path and the types', async (t) => {
  const ex = (name: string) => JSON.parse(readFileSync(new URL(`../../schemas/genomics/examples/${name}.json`, import.meta.url), 'utf8'));
  const analysis = ex('Procedure-PGXGenomicStudyAnalysis'); // claims GenomicStudyAnalysis
  const report = ex('DiagnosticReport-GenomicReportExample01'); // claims GenomicReport
  const cases: Array<[string, Record<string, unknown>, string, string, string]> = [
    ['method-type (CodeableConcept) given a string', { ...analysis, extension: [...analysis.extension, { url: `${IG}genomic-study-analysis-method-type`, valueString: 'x' }] }, 'Procedure.extension[3].valueString', 'genomic-study-analysis-method-type', 'must be of type CodeableConcept, not string'],
    ['recommended-action (Reference) given a string', { ...report, extension: [...(report.extension ?? []), { url: `${IG}recommended-action`, valueString: 'x' }] }, `DiagnosticReport.extension[${(report.extension ?? []).length}].valueString`, 'recommended-action', 'must be of type Reference, not string'],
    // a complex extension given a value instead of its sub-extensions
    ['regions (complex) given a value', { ...analysis, extension: [analysis.extension[0], analysis.extension[1], { url: `${IG}genomic-study-analysis-regions`, valueString: 'x' }] }, 'Procedure.extension[2].valueString', 'genomic-study-analysis-regions', 'takes no value'],
  ];
  for (const [label, r, at, url, says] of cases) {
    const issues = errorsOf(validateResource(r));
    t.equal(issues.length, 1, `${label}: one issue (${JSON.stringify(issues.map((i) => i.diagnostics))})`);
    t.same(issues[0]?.expression, [at], `${label}: at the value`);
    t.ok(issues[0]?.diagnostics.includes(`${IG}${url}`), `${label}: names the extension`);
    t.ok(issues[0]?.diagnostics.includes(says), `${label}: says what it takes (${issues[0]?.diagnostics})`);
    t.notMatch(issues[0]?.diagnostics, /value takes no value/, `${label}: worded plainly`);
  }
  // a sub-extension's value is the profile's to check (the invariant layer knows top-level urls only): still one issue
  const studied = { ...analysis, extension: [analysis.extension[0], analysis.extension[1], { url: `${IG}genomic-study-analysis-regions`, extension: [{ url: 'studied', valueString: 'x' }] }] };
  const sub = errorsOf(validateResource(studied));
  t.same(summary(sub), ['processing Procedure.extension[2].extension[0].valueString'], `a sub-extension: one issue (${JSON.stringify(sub.map((i) => i.diagnostics))})`);
  t.match(sub[0]?.diagnostics, /genomic-study-analysis-regions\).*studied\.value\[x\].*allowed: CodeableConcept, Reference/);
});
