import t from 'tap';
import { send, testApp } from './helpers.js';

// $operations as Bundle entries: a batch runs them as the standalone requests they are; a
// transaction refuses them by name (they cannot join its all-or-nothing commit).

t.test('an operation as a transaction entry is refused by name, nothing stored', async (t) => {
  const app = await testApp(t);
  for (const url of ['Patient/$validate', '$validate', 'Patient/p1/$validate']) {
    const res = await send(app, 'POST', '/fhir', {
      resourceType: 'Bundle', type: 'transaction', entry: [
        { resource: { resourceType: 'Patient', name: [{ family: 'Op' }] }, request: { method: 'POST', url: 'Patient' } },
        { resource: { resourceType: 'Patient' }, request: { method: 'POST', url } },
      ],
    });
    t.equal(res.statusCode, 400, url);
    const issue = res.json().issue[0];
    t.equal(issue.code, 'not-supported', url);
    t.match(issue.diagnostics, /Operations .* are not supported as POST entries of a transaction/, `${url}: ${issue.diagnostics}`);
    t.notMatch(issue.diagnostics, /Invalid id|Unknown resource type/, url);
    t.same(issue.expression, ['Bundle.entry[1].request.url'], url);
  }
  t.equal((await send(app, 'GET', '/fhir/Patient?_summary=count')).json().total, 0);
});

t.test('the same operation in a batch runs, and a plain transaction still works', async (t) => {
  const app = await testApp(t);
  const batch = await send(app, 'POST', '/fhir', { resourceType: 'Bundle', type: 'batch', entry: [{ resource: { resourceType: 'Patient' }, request: { method: 'POST', url: 'Patient/$validate' } }] });
  t.equal(batch.json().entry[0].response.status, '200 OK');
  const tx = await send(app, 'POST', '/fhir', { resourceType: 'Bundle', type: 'transaction', entry: [{ resource: { resourceType: 'Patient' }, request: { method: 'POST', url: 'Patient' } }] });
  t.equal(tx.statusCode, 200);
});

t.test('an operation\'s result in a batch is the entry\'s resource: $validate\'s OperationOutcome too (it is the result, not a note on it)', async (t) => {
  const app = await testApp(t);
  await send(app, 'PUT', '/fhir/Patient/p1', { resourceType: 'Patient', id: 'p1' });
  const res = await send(app, 'POST', '/fhir', {
    resourceType: 'Bundle', type: 'batch',
    entry: [
      { resource: { resourceType: 'Patient' }, request: { method: 'POST', url: 'Patient/$validate' } },
      { resource: { resourceType: 'Patient', gender: 'nonsense' }, request: { method: 'POST', url: 'Patient/$validate' } },
      { request: { method: 'GET', url: 'Patient/p1/$validate' } },
      { resource: { resourceType: 'Patient' }, request: { method: 'POST', url: 'Patient' } },
    ],
  }, { prefer: 'return=OperationOutcome' });
  t.equal(res.statusCode, 200);
  const [ok, bad, get, write] = res.json().entry;
  for (const [label, e] of [['valid', ok], ['invalid', bad], ['GET instance', get]] as const) {
    t.equal(e.response.status, '200 OK', label);
    t.equal(e.resource?.resourceType, 'OperationOutcome', `${label}: the outcome is the entry's resource`);
    t.notOk(e.response.outcome, `${label}: not the response's outcome`);
  }
  t.match(bad.resource.issue, [{ severity: 'error', expression: ['Patient.gender'] }], 'the verdict is in the resource');
  t.equal(write.response.status, '201 Created');
  t.equal(write.response.outcome?.resourceType, 'OperationOutcome', 'a write\'s return=OperationOutcome stays in response.outcome');
  t.notOk(write.resource);
});
