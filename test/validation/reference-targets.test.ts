import t from 'tap';
import { validateResource, validationStatus } from '../../src/validation/validate.js';
import { errorsOf, summary } from './helpers.js';

// A Reference points at a type its element allows (R4 ElementDefinition.type.targetProfile).
const report = (result: unknown[], extra: Record<string, unknown> = {}) => ({ resourceType: 'DiagnosticReport', status: 'final', code: { text: 'x' }, result, ...extra });

t.test('a reference to a type the element does not allow is refused, with the allowed ones named', async (t) => {
  const issues = errorsOf(validateResource(report([{ reference: 'Observation/o1' }, { reference: 'Patient/p1' }])));
  t.same(summary(issues), ['structure DiagnosticReport.result[1]']);
  t.match(issues[0]?.diagnostics, /refers to a Patient.*Reference\(Observation\)/);
  t.equal(validationStatus(issues), 400);
  t.same(summary(validateResource(report([], { subject: { reference: 'Practitioner/d1' } }))).filter((s) => s !== 'structure DiagnosticReport.result'), ['structure DiagnosticReport.subject'], 'subject: Patient, Group, Device, Location only');
  t.same(summary(validateResource(report([{ type: 'Patient', identifier: { value: '1' } }]))), ['structure DiagnosticReport.result[0]'], 'a logical reference says its type in Reference.type');
  t.same(summary(validateResource(report([{ reference: 'http://other.example/fhir/Patient/p1/_history/2' }]))), ['structure DiagnosticReport.result[0]'], 'absolute and version-specific');
});

t.test('references that name no type, or an allowed one, pass', async (t) => {
  for (const ref of [
    { reference: 'Observation/o1' },
    { reference: 'http://other.example/fhir/Observation/o1' },
    { reference: 'urn:uuid:0b4e6e0e-0000-4000-8000-000000000001' },
    { identifier: { system: 'urn:lab', value: '1' } },
    { display: 'the variant' },
  ]) t.same(summary(validateResource(report([ref]))), [], JSON.stringify(ref));
  // Reference(Any): extensions, Observation.focus, Provenance.target
  t.same(summary(validateResource({ resourceType: 'Observation', status: 'final', code: { text: 'x' }, focus: [{ reference: 'Practitioner/1' }] })), []);
  t.same(summary(validateResource({ resourceType: 'Patient', extension: [{ url: 'http://e.org/x', valueReference: { reference: 'Basic/1' } }] })), []);
});

t.test('checked wherever the element sits: choices, backbones, Bundle entries', async (t) => {
  const obs = { resourceType: 'Observation', status: 'final', code: { text: 'x' }, valueString: 'v', component: [{ code: { text: 'c' }, valueString: 'v' }], derivedFrom: [{ reference: 'Patient/p' }] };
  t.same(summary(validateResource(obs)), ['structure Observation.derivedFrom[0]']);
  const proc = { resourceType: 'Procedure', status: 'completed', subject: { reference: 'Patient/p' }, performer: [{ actor: { reference: 'Specimen/s' } }] };
  t.same(summary(validateResource(proc)), ['structure Procedure.performer[0].actor'], 'a backbone element');
  const sr = { resourceType: 'ServiceRequest', status: 'active', intent: 'order', subject: { reference: 'Patient/p' }, reasonReference: [{ reference: 'Patient/p' }] };
  t.same(summary(validateResource(sr)), ['structure ServiceRequest.reasonReference[0]']);
  const med = { resourceType: 'MedicationRequest', status: 'active', intent: 'order', subject: { reference: 'Patient/p' }, medicationReference: { reference: 'Substance/s' } };
  t.same(summary(validateResource(med)), ['structure MedicationRequest.medicationReference'], 'a choice element');
  t.same(summary(validateResource({ resourceType: 'Bundle', type: 'collection', entry: [{ resource: report([{ reference: 'Patient/p1' }]) }] })), ['structure Bundle.entry[0].resource.result[0]']);
});

t.test('after review: only real resource types count; Reference.type in both forms; type and reference must agree', async (t) => {
  // an absolute URL need not be a FHIR REST address
  t.same(summary(validateResource(report([{ reference: 'https://reports.example.org/api/Variant/123' }]))), [], 'Variant is no resource type');
  t.same(summary(validateResource(report([{ type: 'http://hl7.org/fhir/StructureDefinition/Patient', identifier: { value: '1' } }]))), ['structure DiagnosticReport.result[0]'], 'absolute Reference.type');
  t.same(summary(validateResource(report([{ type: 'http://hl7.org/fhir/StructureDefinition/Observation', identifier: { value: '1' } }]))), []);
  const clash = errorsOf(validateResource(report([{ reference: 'Observation/1', type: 'Patient' }])));
  t.ok(clash.some((i) => i.expression?.[0] === 'DiagnosticReport.result[0].type' && /says Patient but its reference points at a Observation/.test(i.diagnostics ?? '')), JSON.stringify(clash.map((i) => i.diagnostics)));
  t.same(summary(validateResource({ resourceType: 'Observation', status: 'final', code: { text: 'x' }, focus: [{ reference: 'Patient/1', type: 'Group' }] })), ['invariant Observation.focus[0].type'], 'a clash is a clash on Reference(Any) too');
});

t.test('a local reference is judged by the type of the contained resource it names', async (t) => {
  const contained = [{ resourceType: 'Specimen', id: 'sp' }, { resourceType: 'Observation', id: 'o1', status: 'final', code: { text: 'x' }, specimen: { reference: '#sp' } }];
  const issues = errorsOf(validateResource(report([{ reference: '#sp' }, { reference: '#o1' }], { contained, specimen: [{ reference: '#sp' }] })));
  t.same(summary(issues), ['structure DiagnosticReport.result[0]'], 'result #sp is a Specimen; #o1 an Observation');
  t.match(issues[0]?.diagnostics, /refers to a Specimen.*Reference\(Observation\)/);
  t.equal(validationStatus(issues), 400);
  // inside a contained resource, a sibling: the contained Observation's specimen pointing at another Observation
  const sibling = [{ resourceType: 'Observation', id: 'o2', status: 'final', code: { text: 'x' } }, { resourceType: 'Observation', id: 'o1', status: 'final', code: { text: 'x' }, specimen: { reference: '#o2' } }];
  t.same(summary(validateResource(report([{ reference: '#o1' }, { reference: '#o2' }], { contained: sibling }))), ['structure DiagnosticReport.contained[1].specimen'], 'a contained resource\'s reference to a sibling');
  t.same(summary(validateResource(report([{ reference: '#nope' }], { contained }))).filter((s) => s.includes('result')), ['invariant DiagnosticReport.result[0].reference'], 'an id no contained resource has is ref-1\'s, not a type issue');
});
