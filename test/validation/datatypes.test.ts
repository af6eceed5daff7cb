import t from 'tap';
import { validateResource, validationStatus } from '../../src/validation/validate.js';
import { errorsOf } from './helpers.js';

// The general datatypes' invariants (https://hl7.org/fhir/R4/datatypes.html), wherever the value sits.
const obs = (extra: Record<string, unknown>) => ({ resourceType: 'Observation', status: 'final', code: { text: 'x' }, ...extra });
const one = (r: unknown) => errorsOf(validateResource(r)).map((i) => `${i.expression?.[0]} ${/\((\w+-\d+)\)$/.exec(i.diagnostics ?? '')?.[1] ?? i.diagnostics}`);

t.test('each rule, broken and kept', async (t) => {
  const cases: Array<[string, Record<string, unknown>, Record<string, unknown>, string]> = [
    ['rng-2', obs({ valueRange: { low: { value: 5 }, high: { value: 1 } } }), obs({ valueRange: { low: { value: 1 }, high: { value: 5 } } }), 'Observation.valueRange rng-2'],
    ['rng-2 only for comparable units', obs({ valueRange: { low: { value: 5, system: 'http://unitsofmeasure.org', code: 'mg' }, high: { value: 1, system: 'http://unitsofmeasure.org', code: 'mg' } } }), obs({ valueRange: { low: { value: 5, unit: 'mg' }, high: { value: 1, unit: 'g' } } }), 'Observation.valueRange rng-2'],
    ['per-1', obs({ effectivePeriod: { start: '2020-06-01', end: '2020-01-31' } }), obs({ effectivePeriod: { start: '2020-06-01', end: '2020' } }), 'Observation.effectivePeriod per-1'],
    ['per-1 with times', obs({ effectivePeriod: { start: '2020-06-01T10:00:00Z', end: '2020-06-01T09:59:59Z' } }), obs({ effectivePeriod: { start: '2020-06-01T10:00:00+02:00', end: '2020-06-01T09:00:00Z' } }), 'Observation.effectivePeriod per-1'],
    ['per-1 with fractions of seconds', obs({ effectivePeriod: { start: '2020-01-01T10:00:00.5Z', end: '2020-01-01T10:00:00Z' } }), obs({ effectivePeriod: { start: '2020-01-01T10:00:00Z', end: '2020-01-01T10:00:00.5Z' } }), 'Observation.effectivePeriod per-1'],
    ['qty-3', obs({ valueQuantity: { value: 10, code: 'mg' } }), obs({ valueQuantity: { value: 10, unit: 'mg' } }), 'Observation.valueQuantity.system qty-3'],
    ['qty-3 on a Duration', { resourceType: 'Procedure', status: 'completed', subject: { reference: 'Patient/p' }, performedAge: { value: 3, code: 'a' } }, { resourceType: 'Procedure', status: 'completed', subject: { reference: 'Patient/p' }, performedAge: { value: 3, code: 'a', system: 'http://unitsofmeasure.org' } }, 'Procedure.performedAge.system qty-3'],
    ['rat-1', obs({ valueRatio: { numerator: { value: 1 } } }), obs({ valueRatio: { numerator: { value: 1 }, denominator: { value: 2 } } }), 'Observation.valueRatio rat-1'],
    ['att-1', { resourceType: 'Patient', photo: [{ data: 'AAAA' }] }, { resourceType: 'Patient', photo: [{ data: 'AAAA', contentType: 'image/png' }] }, 'Patient.photo[0].contentType att-1'],
    ['cpt-2', { resourceType: 'Patient', telecom: [{ value: '555-1234' }] }, { resourceType: 'Patient', telecom: [{ value: '555-1234', system: 'phone' }] }, 'Patient.telecom[0].system cpt-2'],
  ];
  for (const [what, bad, good, expected] of cases) {
    t.same(one(bad), [expected], `${what}: broken`);
    t.equal(validationStatus(errorsOf(validateResource(bad))), 422, `${what}: a rule, 422`);
    t.same(one(good), [], `${what}: kept`);
  }
});

t.test('Timing.repeat (tim-1 … tim-10)', async (t) => {
  const med = (repeat: Record<string, unknown>) => ({
    resourceType: 'MedicationRequest', status: 'active', intent: 'order', subject: { reference: 'Patient/p' }, medicationCodeableConcept: { text: 'x' },
    dosageInstruction: [{ timing: { repeat } }],
  });
  const at = 'MedicationRequest.dosageInstruction[0].timing.repeat';
  t.same(one(med({ duration: 2 })), [`${at}.durationUnit tim-1`]);
  t.same(one(med({ period: 1 })), [`${at}.periodUnit tim-2`]);
  t.same(one(med({ period: -1, periodUnit: 'd' })), [`${at}.period tim-5`]);
  t.same(one(med({ periodMax: 2, periodUnit: 'd' })), [`${at}.period tim-6`]);
  t.same(one(med({ countMax: 2 })), [`${at}.count tim-8`]);
  t.same(one(med({ offset: 30, when: ['CM'] })), [`${at}.offset tim-9`]);
  t.same(one(med({ timeOfDay: ['08:00:00'], when: ['MORN'] })), [`${at} tim-10`]);
  t.same(one(med({ frequency: 2, period: 1, periodUnit: 'd', offset: 30, when: ['ACM'] })), [], 'a sound schedule');
});

t.test('in Bundle entries and contained resources too', async (t) => {
  const bad = obs({ valueRange: { low: { value: 5 }, high: { value: 1 } } });
  t.same(one({ resourceType: 'Bundle', type: 'collection', entry: [{ resource: bad }] }), ['Bundle.entry[0].resource.valueRange rng-2']);
});
