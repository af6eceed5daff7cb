import t from 'tap';
import { validateResource } from '../../src/validation/validate.js';
import { errorsOf, fixture, summary } from './helpers.js';

// A Bundle is checked as a shell; each entry resource with its own type, located under its entry.

function transaction(...resources: Record<string, unknown>[]): Record<string, any> {
  return {
    resourceType: 'Bundle',
    type: 'transaction',
    entry: resources.map((resource, i) => ({
      fullUrl: `urn:uuid:00000000-0000-4000-8000-00000000000${i}`,
      resource,
      request: { method: 'POST', url: String(resource.resourceType) },
    })),
  };
}

t.test('a valid transaction of genomics resources', async (t) => {
  const b = transaction(fixture('molecularsequence-example'), fixture('observation-variant'), fixture('diagnosticreport-genetics'));
  t.same(errorsOf(validateResource(b)), []);
});

t.test('entry problems are located under Bundle.entry[N].resource', async (t) => {
  const obs = fixture('observation-variant');
  obs.component[4].valueString = 7;
  obs.component[4].foo = 1;
  const seq = fixture('molecularsequence-example');
  seq.type = 'xna';
  const b = transaction(seq, fixture('diagnosticreport-genetics'), obs);
  const issues = errorsOf(validateResource(b));
  t.same(summary(issues), [
    'value Bundle.entry[0].resource.type',
    'structure Bundle.entry[2].resource.component[4].foo',
    'structure Bundle.entry[2].resource.component[4].valueString',
  ]);
  t.equal(issues[1]!.diagnostics, "Unknown element 'foo' in Bundle.entry[2].resource.component[4]");
});

t.test('the Bundle shell itself, and entries that are no resource', async (t) => {
  const b = transaction(fixture('observation-variant'));
  b.type = 'bag';
  b.entry[0].request.method = 'FETCH';
  b.entry.push({ resource: { resourceType: 'Medplum' } }, { resource: { id: 'x' } }, { resource: 'Patient/1' });
  t.same(summary(validateResource(b)), [
    'value Bundle.type',
    'value Bundle.entry[0].request.method',
    'structure Bundle.entry[3].resource',
    'not-supported Bundle.entry[1].resource.resourceType',
    'required Bundle.entry[2].resource.resourceType',
  ]);
});

t.test('no 146-way oneOf noise: one issue for one problem', async (t) => {
  const obs = fixture('observation-variant');
  obs.status = 'nope';
  t.equal(validateResource(transaction(obs)).length, 1);
});

t.test('contained resources inside entries, and response outcomes', async (t) => {
  const report = fixture('diagnosticreport-genetics');
  report.contained[0].valueCodeableConcept = 'Pathogenic';
  const b: Record<string, any> = { resourceType: 'Bundle', type: 'transaction-response', entry: [{ resource: report, response: { status: '400', outcome: { resourceType: 'OperationOutcome', issue: [{ severity: 'fatal', code: 'nope' }] } } }] };
  t.same(summary(validateResource(b)), [
    'structure Bundle.entry[0].resource.contained[0].valueCodeableConcept',
    'value Bundle.entry[0].response.outcome.issue[0].code',
  ]);
});

t.test('Parameters.parameter.resource, also in parts', async (t) => {
  const obs = fixture('observation-variant');
  delete obs.code;
  const p = {
    resourceType: 'Parameters',
    parameter: [
      { name: 'ok', resource: fixture('molecularsequence-example') },
      { name: 'nested', part: [{ name: 'bad', resource: obs }] },
    ],
  };
  t.same(summary(validateResource(p)), ['required Parameters.parameter[1].part[0].resource.code']);
});
