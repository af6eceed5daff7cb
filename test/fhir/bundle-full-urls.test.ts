import t from 'tap';
import { send, testApp } from './helpers.js';

// Bundle.entry.fullUrl in batches and transactions: an absolute URI (urn:uuid a UUID, urn:oid an
// OID), unique in the Bundle (bdl-7).

const U1 = 'urn:uuid:0f0f0f0f-0000-4000-8000-000000000001';
const U2 = 'urn:uuid:0f0f0f0f-0000-4000-8000-000000000002';
const patient = (fullUrl: string, family = 'A') => ({ fullUrl, resource: { resourceType: 'Patient', name: [{ family }] }, request: { method: 'POST', url: 'Patient' } });
const count = async (app: Awaited<ReturnType<typeof testApp>>) => (await send(app, 'GET', '/fhir/Patient?_summary=count')).json().total;

t.test('a duplicate fullUrl refuses the whole Bundle, naming both entries (bdl-7)', async (t) => {
  const app = await testApp(t);
  for (const type of ['transaction', 'batch']) {
    const res = await send(app, 'POST', '/fhir', {
      resourceType: 'Bundle', type, entry: [
        patient(U1, 'First'),
        patient(U1, 'Second'),
        { resource: { resourceType: 'Observation', status: 'final', code: { text: 'x' }, subject: { reference: U1 } }, request: { method: 'POST', url: 'Observation' } },
      ],
    });
    t.equal(res.statusCode, 400, `${type}: ${res.body.slice(0, 200)}`);
    const issue = res.json().issue[0];
    t.same(issue.expression, ['Bundle.entry[1].fullUrl'], type);
    t.match(issue.diagnostics, /Bundle\.entry\[0\].*bdl-7/, type);
  }
  t.equal(await count(app), 0, 'nothing stored');
  const ok = await send(app, 'POST', '/fhir', { resourceType: 'Bundle', type: 'transaction', entry: [patient(U1), patient(U2)] });
  t.equal(ok.statusCode, 200, 'distinct fullUrls are fine');
});

t.test('a fullUrl that is not an absolute URI, a urn:uuid without a UUID or a urn:oid without an OID is refused', async (t) => {
  const app = await testApp(t);
  for (const bad of ['urn:uuid:abc', 'Patient/rel1', 'urn:oid:1.2.abc', 'urn:uuid:0f0f0f0f-0000-4000-8000-00000000000']) {
    const tx = await send(app, 'POST', '/fhir', { resourceType: 'Bundle', type: 'transaction', entry: [patient(U1), patient(bad)] });
    t.equal(tx.statusCode, 400, `transaction: ${bad}`);
    t.same(tx.json().issue[0].expression, ['Bundle.entry[1].fullUrl'], `transaction: ${bad}`);
    const batch = await send(app, 'POST', '/fhir', { resourceType: 'Bundle', type: 'batch', entry: [patient(U2), patient(bad)] });
    t.equal(batch.statusCode, 200, `batch: ${bad}`);
    const [good, refused] = batch.json().entry;
    t.match(good.response.status, /^201/, `batch: ${bad}: the other entry runs`);
    t.equal(refused.response.status, '400 Bad Request', `batch: ${bad}: the entry fails alone`);
    t.same(refused.response.outcome.issue[0].expression, ['Bundle.entry[1].fullUrl'], `batch: ${bad}`);
    await send(app, 'DELETE', '/fhir/Patient?family=A');
  }
  t.equal(await count(app), 0, 'no transaction stored anything');
  const ok = await send(app, 'POST', '/fhir', {
    resourceType: 'Bundle', type: 'transaction', entry: [
      patient('urn:uuid:0F0F0F0F-0000-4000-8000-00000000000A'), patient('urn:oid:1.2.840.10008.1'), patient('http://example.org/fhir/Patient/abs1'),
    ],
  });
  t.equal(ok.statusCode, 200, `absolute fullUrls are fine: ${ok.body.slice(0, 200)}`);
});

t.test('a RESTful fullUrl must agree with the resource id it names', async (t) => {
  const app = await testApp(t);
  const entry = (fullUrl: string, id: string) => ({ fullUrl, resource: { resourceType: 'Patient', id }, request: { method: 'PUT', url: `Patient/${id}` } });
  const bad = await send(app, 'POST', '/fhir', { resourceType: 'Bundle', type: 'transaction', entry: [entry('http://localhost/fhir/Patient/abc3', 'xyz3')] });
  t.equal(bad.statusCode, 400, bad.body.slice(0, 200));
  t.same(bad.json().issue[0].expression, ['Bundle.entry[0].fullUrl']);
  t.equal(await count(app), 0, 'nothing stored');
  const ok = await send(app, 'POST', '/fhir', { resourceType: 'Bundle', type: 'transaction', entry: [entry('http://localhost/fhir/Patient/xyz3', 'xyz3'), entry('http://other.example/fhir/Patient/q1', 'q1')] });
  t.equal(ok.statusCode, 200, `agreeing fullUrls, also on another base: ${ok.body.slice(0, 200)}`);
});
