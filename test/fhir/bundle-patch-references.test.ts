import t from 'tap';
import { send, testApp } from './helpers.js';

// A transaction rewrites every reference to an entry's fullUrl (https://hl7.org/fhir/R4/http.html#trules),
// in what a PATCH entry writes as well: the patched resource is a resource of the Bundle like any other.

const U = 'urn:uuid:5e5e5e5e-0000-4000-8000-000000000001';
const binary = (ops: unknown[]) => ({ resourceType: 'Binary', contentType: 'application/json-patch+json', data: Buffer.from(JSON.stringify(ops)).toString('base64') });
const patchEntry = (ops: unknown[]) => ({ resource: binary(ops), request: { method: 'PATCH', url: 'Observation/o1' } });

/** An app holding Observation/o1 (version 1), the resource the PATCH entries change. */
async function appWithO1(t: Parameters<typeof testApp>[0]) {
  const app = await testApp(t);
  await send(app, 'PUT', '/fhir/Observation/o1', { resourceType: 'Observation', id: 'o1', status: 'final', code: { text: 'x' } });
  return app;
}

t.test("a PATCH entry's reference to another entry's fullUrl is rewritten to the id assigned", async (t) => {
  const app = await appWithO1(t);
  const res = await send(app, 'POST', '/fhir', {
    resourceType: 'Bundle', type: 'transaction', entry: [
      { fullUrl: U, resource: { resourceType: 'Patient' }, request: { method: 'POST', url: 'Patient' } },
      patchEntry([{ op: 'add', path: '/subject', value: { reference: U } }, { op: 'add', path: '/extension', value: [{ url: 'http://x.org/e', valueReference: { reference: U } }] }]),
    ],
  }, { prefer: 'return=representation' });
  t.equal(res.statusCode, 200, res.body.slice(0, 300));
  const [patient, patched] = res.json().entry;
  const ref = `Patient/${patient.resource.id}`;
  t.equal(patched.resource.subject.reference, ref);
  t.equal(patched.resource.extension[0].valueReference.reference, ref, 'inside an extension too');
  const stored = (await send(app, 'GET', '/fhir/Observation/o1')).json();
  t.equal(stored.subject.reference, ref, 'as stored');
});

t.test('a PATCH entry naming a urn:uuid that is no entry of the Bundle is refused, nothing stored', async (t) => {
  const app = await appWithO1(t);
  const res = await send(app, 'POST', '/fhir', {
    resourceType: 'Bundle', type: 'transaction', entry: [
      { resource: { resourceType: 'Patient' }, request: { method: 'POST', url: 'Patient' } },
      patchEntry([{ op: 'add', path: '/subject', value: { reference: U } }]),
    ],
  });
  t.equal(res.statusCode, 400, res.body.slice(0, 300));
  t.match(res.json().issue[0].diagnostics, /^Bundle\.entry\[1\]: .*not the fullUrl of any entry/);
  t.equal((await send(app, 'GET', '/fhir/Observation/o1')).json().meta.versionId, '1');
  t.equal((await send(app, 'GET', '/fhir/Patient?_summary=count')).json().total, 0);
});

t.test("a batch PATCH entry that refers to another entry's fullUrl fails alone, as any batch entry that does (batch entries are independent)", async (t) => {
  const app = await appWithO1(t);
  const res = await send(app, 'POST', '/fhir', {
    resourceType: 'Bundle', type: 'batch', entry: [
      { fullUrl: U, resource: { resourceType: 'Patient' }, request: { method: 'POST', url: 'Patient' } },
      patchEntry([{ op: 'add', path: '/extension', value: [{ url: 'http://x.org/e', valueReference: { reference: U } }] }]),
      patchEntry([{ op: 'add', path: '/subject', value: { reference: 'urn:uuid:5e5e5e5e-0000-4000-8000-0000000000ff' } }]),
    ],
  });
  t.equal(res.statusCode, 200, res.body.slice(0, 300));
  const [created, refused, other] = res.json().entry;
  t.equal(created.response.status, '201 Created');
  t.equal(refused.response.status, '400 Bad Request');
  t.match(refused.response.outcome.issue[0].diagnostics, new RegExp(`refers to ${U}, another entry of the batch`));
  t.equal(other.response.status, '200 OK', 'a urn:uuid that is no entry of the batch is data, as in a standalone PATCH');
  t.equal((await send(app, 'GET', '/fhir/Observation/o1')).json().meta.versionId, '2', 'only the independent PATCH ran');
});

t.test("a transaction PATCH entry's conditional reference is resolved, on the state the transaction leaves", async (t) => {
  const app = await appWithO1(t);
  await send(app, 'PUT', '/fhir/Patient/known', { resourceType: 'Patient', id: 'known', identifier: [{ system: 'urn:s', value: 'k' }] });
  const res = await send(app, 'POST', '/fhir', {
    resourceType: 'Bundle', type: 'transaction', entry: [patchEntry([{ op: 'add', path: '/subject', value: { reference: 'Patient?identifier=urn:s|k' } }])],
  }, { prefer: 'return=representation' });
  t.equal(res.statusCode, 200, res.body.slice(0, 300));
  t.equal(res.json().entry[0].resource.subject.reference, 'Patient/known');
  // one the POST of this very transaction creates counts too: exactly as for a POST entry's reference (pending-writes.ts)
  const later = await send(app, 'POST', '/fhir', {
    resourceType: 'Bundle', type: 'transaction', entry: [
      { resource: { resourceType: 'Patient', identifier: [{ system: 'urn:s', value: 'new' }] }, request: { method: 'POST', url: 'Patient' } },
      patchEntry([{ op: 'add', path: '/subject', value: { reference: 'Patient?identifier=urn:s|new' } }]),
    ],
  }, { prefer: 'return=representation' });
  t.equal(later.statusCode, 200, later.body.slice(0, 300));
  t.equal(later.json().entry[1].resource.subject.reference, `Patient/${later.json().entry[0].resource.id}`);
});
