import t from 'tap';
import { validateResource, validationStatus } from '../../src/validation/validate.js';
import { errorsOf, fixture } from './helpers.js';

// Valid FHIR R4 genetics content (MolecularSequence, genetics Observations, a genetics
// DiagnosticReport with a contained Observation) must pass every layer without an issue.
for (const name of ['molecularsequence-example', 'observation-genetics-1', 'observation-variant', 'diagnosticreport-genetics']) {
  t.test(`${name} is valid`, async (t) => {
    const issues = validateResource(fixture(name));
    t.same(errorsOf(issues), [], 'no errors (Genomics Reporting profile hints may come as warnings)');
    t.equal(validationStatus(issues), 200);
  });
}

t.test('primitive extensions and repeating primitives with nulls, paired as the JSON format says', async (t) => {
  const patient = {
    resourceType: 'Patient',
    id: 'p1',
    birthDate: '1970-03-30',
    _birthDate: { extension: [{ url: 'http://hl7.org/fhir/StructureDefinition/patient-birthTime', valueDateTime: '1970-03-30T14:35:45-05:00' }] },
    name: [{ given: ['Peter', null], _given: [null, { extension: [{ url: 'http://example.org/nick', valueString: 'Pete' }] }] }],
    gender: 'male',
  };
  t.same(errorsOf(validateResource(patient)), []);
});

t.test('leap day and local references to contained resources', async (t) => {
  const obs = fixture('observation-variant');
  obs.effectiveDateTime = '2020-02-29';
  t.same(errorsOf(validateResource(obs)), []);
  const report = fixture('diagnosticreport-genetics');
  report.contained[0].subject = { reference: '#' }; // '#' points at the container itself
  t.same(errorsOf(validateResource(report)), []);
});
