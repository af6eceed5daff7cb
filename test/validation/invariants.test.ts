import t from 'tap';
import { validateResource, validationStatus } from '../../src/validation/validate.js';
import { errorsOf, fixture, summary } from './helpers.js';

// Layer 4: the invariants that matter for data quality, each with its exact expression.

t.test('obs-6: dataAbsentReason only without a value', async (t) => {
  const obs = fixture('observation-variant');
  obs.dataAbsentReason = { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/data-absent-reason', code: 'unknown' }] };
  const issues = errorsOf(validateResource(obs));
  t.same(summary(issues), ['invariant Observation.dataAbsentReason']);
  t.match(issues[0]!.diagnostics, /obs-6/);
  t.equal(validationStatus(issues), 422);
  delete obs.valueCodeableConcept;
  t.same(errorsOf(validateResource(obs)), [], 'fine once the value is gone');
});

t.test('obs-7: with a value, no component repeats Observation.code', async (t) => {
  const obs = fixture('observation-variant');
  obs.component[2].code = structuredClone(obs.code);
  t.same(summary(validateResource(obs)), ['invariant Observation.component[2].code']);
  delete obs.valueCodeableConcept;
  t.same(errorsOf(validateResource(obs)), [], 'allowed when Observation has no value');
});

t.test('obs-3: a reference range says something', async (t) => {
  const obs = fixture('observation-genetics-1');
  obs.referenceRange = [{ type: { text: 'normal' } }];
  t.same(summary(validateResource(obs)), ['invariant Observation.referenceRange[0]']);
});

t.test('ele-1: no empty objects or arrays', async (t) => {
  const obs = fixture('observation-variant');
  obs.note = [];
  obs.component[0].code.coding[0] = {};
  obs.interpretation = [{}];
  // not FHIR JSON at all (json.html): malformed, 400, like an empty string (ele-1.test.ts)
  t.same(summary(validateResource(obs)), [
    'structure Observation.component[0].code.coding[0]',
    'structure Observation.note',
    'structure Observation.interpretation[0]',
  ]);
  t.equal(validationStatus(validateResource(obs)), 400);
});

t.test('ref-1 and ref-2: references resolve locally and say something', async (t) => {
  const report = fixture('diagnosticreport-genetics');
  report.result[0].reference = '#r2';
  report.subject = { type: 'Patient' };
  const issues = errorsOf(validateResource(report));
  t.same(summary(issues), ['invariant DiagnosticReport.subject', 'invariant DiagnosticReport.result[0].reference']);
  t.match(issues[1]!.diagnostics, /'#r2' does not match the id of a contained resource \(ref-1\)/);
  report.subject = { identifier: { system: 'http://example.org/mrn', value: '123' } };
  report.result[0].reference = '#r1';
  t.same(errorsOf(validateResource(report)), [], 'an identifier is enough');
});

t.test('choice types: one form of value[x] only', async (t) => {
  const obs = fixture('observation-variant');
  obs.component[4].valueInteger = 1;
  const issues = errorsOf(validateResource(obs));
  t.same(summary(issues), ['structure Observation.component[4].valueInteger']);
  t.match(issues[0]!.diagnostics, /Only one form of value\[x\] is allowed in Observation.component\[4\], found valueString and valueInteger/);
});

t.test('required primitives and choices the schema cannot require', async (t) => {
  const obs = fixture('observation-genetics-1');
  delete obs.status;
  // value[x] is 0..1: an Extension with neither value[x] nor extensions is no missing required
  // element, but ext-1 (an invariant, 422) refuses it
  obs.extension[0] = { url: 'http://example.org/x' };
  obs.extension[1] = { valueString: 'no url' };
  t.same(summary(validateResource(obs)).sort(), ['invariant Observation.extension[0]', 'required Observation.extension[1].url', 'required Observation.status']);
  obs.status = undefined;
  delete obs.status;
  obs._status = { extension: [{ url: 'http://hl7.org/fhir/StructureDefinition/data-absent-reason', valueCode: 'unknown' }] };
  t.same(summary(validateResource(obs)).sort(), ['invariant Observation.extension[0]', 'required Observation.extension[1].url'], '_status alone stands for status');
});

t.test('primitive / _element pairing', async (t) => {
  const patient: Record<string, unknown> = { resourceType: 'Patient', name: [{ given: ['a', null] }] };
  t.same(summary(validateResource(patient)), ['structure Patient.name[0].given[1]']);
  patient.name = [{ given: ['a', 'b'], _given: [null] }];
  t.same(summary(validateResource(patient)), ['structure Patient.name[0].given'], 'length compared once');
  patient.name = [{ given: [null], _given: [null] }];
  t.same(summary(validateResource(patient)).length, 2, 'a null on both sides is nothing');
  patient.name = [{ given: ['a'], _given: [{}] }];
  t.same(summary(validateResource(patient)), ['structure Patient.name[0]._given[0]'], 'an empty object (ele-1): use null');
});

t.test('contained resources: dom-2 and dom-4, validated with their own type', async (t) => {
  const report = fixture('diagnosticreport-genetics');
  report.contained[0].meta = { versionId: '3' };
  report.contained[0].status = 'done';
  report.contained[0].contained = [{ resourceType: 'Patient', id: 'x' }];
  t.same(summary(validateResource(report)).sort(), [
    'invariant DiagnosticReport.contained[0].contained[0]',
    'invariant DiagnosticReport.contained[0].meta',
    'value DiagnosticReport.contained[0].status',
  ]);
});

t.test('MolecularSequence: msq-3 as an error, msq-5 and msq-6 as warnings', async (t) => {
  const seq = fixture('molecularsequence-example');
  t.same(validateResource(seq), [], 'the R4 example passes without warnings');
  seq.coordinateSystem = 2;
  seq.referenceSeq.genomeBuild = 'GRCh37';
  const issues = validateResource(seq);
  t.same(summary(issues), ['invariant MolecularSequence.coordinateSystem']);
  t.same(issues.filter((i) => i.severity === 'warning').map((i) => i.diagnostics.match(/\((msq-\d)\)$/)?.[1]), ['msq-5', 'msq-6']);
  t.equal(validationStatus(issues), 422);
});
