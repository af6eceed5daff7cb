import t from 'tap';
import { send, testApp } from './helpers.js';

/**
 * If-None-Match on a write (RFC 9110 §13.1.2, §13.2.2): when it does not hold (`*` and the resource
 * exists, or a listed tag is the current version) the server must not perform the method and
 * answers 412. `PUT` with `If-None-Match: *` is the HTTP way to create only if absent; ignoring the
 * header replaced the resource the client meant not to touch.
 */
const PATCH = { 'content-type': 'application/json-patch+json' };
const patchOps = JSON.stringify([{ op: 'add', path: '/gender', value: 'female' }]);

t.test('PUT with If-None-Match: * creates when absent, 412 when the resource exists', async (t) => {
  const app = await testApp(t);
  const first = await send(app, 'PUT', '/fhir/Patient/p1', { resourceType: 'Patient', id: 'p1' }, { 'if-none-match': '*' });
  t.equal(first.statusCode, 201, 'absent: created');
  const again = await send(app, 'PUT', '/fhir/Patient/p1', { resourceType: 'Patient', id: 'p1', active: true }, { 'if-none-match': '*' });
  t.equal(again.statusCode, 412, 'present: not replaced');
  t.equal(again.json().resourceType, 'OperationOutcome');
  t.match(again.json().issue[0].diagnostics, /If-None-Match/);
  const read = await send(app, 'GET', '/fhir/Patient/p1');
  t.equal(read.headers.etag, 'W/"1"', 'still version 1');
  t.notOk(read.json().active);
  await send(app, 'DELETE', '/fhir/Patient/p1');
  const recreate = await send(app, 'PUT', '/fhir/Patient/p1', { resourceType: 'Patient', id: 'p1' }, { 'if-none-match': '*' });
  t.equal(recreate.statusCode, 201, 'a deleted resource has no current representation: * holds');
});

t.test('If-None-Match with the current tag refuses PUT, PATCH and DELETE; another tag lets them run', async (t) => {
  const app = await testApp(t);
  await send(app, 'PUT', '/fhir/Patient/p1', { resourceType: 'Patient', id: 'p1' });
  const put = await send(app, 'PUT', '/fhir/Patient/p1', { resourceType: 'Patient', id: 'p1', active: true }, { 'if-none-match': 'W/"1"' });
  t.equal(put.statusCode, 412, 'PUT');
  const patch = await app.inject({ method: 'PATCH', url: '/fhir/Patient/p1', headers: { ...PATCH, 'if-none-match': 'W/"1"' }, payload: patchOps });
  t.equal(patch.statusCode, 412, 'PATCH');
  const del = await send(app, 'DELETE', '/fhir/Patient/p1', undefined, { 'if-none-match': '*' });
  t.equal(del.statusCode, 412, 'DELETE');
  t.equal((await send(app, 'GET', '/fhir/Patient/p1')).headers.etag, 'W/"1"', 'nothing changed');

  t.equal((await send(app, 'PUT', '/fhir/Patient/p1', { resourceType: 'Patient', id: 'p1' }, { 'if-none-match': 'W/"7", W/"8"' })).statusCode, 200, 'no listed tag matches: PUT runs');
  const p2 = await app.inject({ method: 'PATCH', url: '/fhir/Patient/p1', headers: { ...PATCH, 'if-none-match': 'W/"1"' }, payload: patchOps });
  t.equal(p2.statusCode, 200, 'PATCH of version 2 under If-None-Match W/"1"');
  t.equal((await send(app, 'DELETE', '/fhir/Patient/p1', undefined, { 'if-none-match': 'W/"1"' })).statusCode, 204);
  t.equal((await send(app, 'PUT', '/fhir/Patient/p2', { resourceType: 'Patient', id: 'p2' }, { 'if-none-match': 'W/"' })).statusCode, 400, 'a malformed header answers 400');
});

t.test('conditional update, patch and delete: If-None-Match is held against the matched resource', async (t) => {
  const app = await testApp(t);
  const body = { resourceType: 'Patient', identifier: [{ system: 'urn:mrn', value: '1' }] };
  await send(app, 'POST', '/fhir/Patient', body);
  const url = '/fhir/Patient?identifier=urn:mrn|1';
  t.equal((await send(app, 'PUT', url, { ...body, active: true }, { 'if-none-match': '*' })).statusCode, 412, 'conditional update');
  t.equal((await app.inject({ method: 'PATCH', url, headers: { ...PATCH, 'if-none-match': '*' }, payload: patchOps })).statusCode, 412, 'conditional patch');
  t.equal((await send(app, 'DELETE', url, undefined, { 'if-none-match': 'W/"1"' })).statusCode, 412, 'conditional delete');
  const created = await send(app, 'PUT', '/fhir/Patient?identifier=urn:mrn|2', { resourceType: 'Patient', identifier: [{ system: 'urn:mrn', value: '2' }] }, { 'if-none-match': '*' });
  t.equal(created.statusCode, 201, 'no match: created');
});

t.test('Bundle entries: request.ifNoneMatch on a write is held as the header is', async (t) => {
  const app = await testApp(t);
  await send(app, 'PUT', '/fhir/Patient/p1', { resourceType: 'Patient', id: 'p1' });
  const entry = { request: { method: 'PUT', url: 'Patient/p1', ifNoneMatch: '*' }, resource: { resourceType: 'Patient', id: 'p1', active: true } };
  const batch = await send(app, 'POST', '/fhir', { resourceType: 'Bundle', type: 'batch', entry: [entry] });
  t.equal(batch.statusCode, 200);
  t.match(batch.json().entry[0].response.status, /^412/, 'batch entry');
  const tx = await send(app, 'POST', '/fhir', { resourceType: 'Bundle', type: 'transaction', entry: [entry] });
  t.equal(tx.statusCode, 412, 'transaction');
  t.equal((await send(app, 'GET', '/fhir/Patient/p1')).headers.etag, 'W/"1"', 'nothing changed');
  const ok = await send(app, 'POST', '/fhir', { resourceType: 'Bundle', type: 'transaction', entry: [{ request: { method: 'PUT', url: 'Patient/p9', ifNoneMatch: '*' }, resource: { resourceType: 'Patient', id: 'p9' } }] });
  t.equal(ok.statusCode, 200, 'absent: created');
  t.match(ok.json().entry[0].response.status, /^201/);
});
