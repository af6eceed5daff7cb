import t from 'tap';
import { send, testApp } from './helpers.js';

// If-None-Exist is conditional create's header (http.html#ccreate), and create's only. On a PUT it
// was ignored, so `PUT Patient/p1` with `If-None-Exist` replaced p1, the overwrite the client
// meant to avoid (the header for "only if it does not exist" there is `If-None-Match: *`,
// RFC 9110 §13.1.2). A write other than a create with it answers 400, naming that header.
t.test('If-None-Exist on PUT, PATCH or DELETE answers 400 and changes nothing', async (t) => {
  const app = await testApp(t);
  await send(app, 'PUT', '/fhir/Patient/p1', { resourceType: 'Patient', id: 'p1', identifier: [{ system: 'urn:s', value: '1' }] });
  const h = { 'if-none-exist': 'identifier=urn:s|1' };
  const put = await send(app, 'PUT', '/fhir/Patient/p1', { resourceType: 'Patient', id: 'p1', active: true }, h);
  t.equal(put.statusCode, 400);
  t.match(put.json().issue[0].diagnostics, /If-None-Match: \*/);
  t.equal((await send(app, 'PUT', '/fhir/Patient?identifier=urn:s|1', { resourceType: 'Patient', active: true }, h)).statusCode, 400, 'conditional update');
  const patch = await app.inject({ method: 'PATCH', url: '/fhir/Patient/p1', headers: { 'content-type': 'application/json-patch+json', ...h }, payload: '[{"op":"add","path":"/active","value":true}]' });
  t.equal(patch.statusCode, 400);
  t.equal((await send(app, 'DELETE', '/fhir/Patient/p1', undefined, h)).statusCode, 400);
  t.equal((await send(app, 'DELETE', '/fhir/Patient?identifier=urn:s|1', undefined, h)).statusCode, 400, 'conditional delete');
  const now = await send(app, 'GET', '/fhir/Patient/p1');
  t.equal(now.json().meta.versionId, '1', 'nothing changed');
  t.equal((await send(app, 'PUT', '/fhir/Patient/p2', { resourceType: 'Patient', id: 'p2' }, { 'if-none-match': '*' })).statusCode, 201, 'If-None-Match: * is the form');
});

t.test('a transaction entry other than a create with ifNoneExist answers 400', async (t) => {
  const app = await testApp(t);
  const tx = await send(app, 'POST', '/fhir', {
    resourceType: 'Bundle', type: 'transaction',
    entry: [{ resource: { resourceType: 'Patient', id: 'p1' }, request: { method: 'PUT', url: 'Patient/p1', ifNoneExist: 'identifier=urn:s|1' } }],
  });
  t.equal(tx.statusCode, 400);
  t.match(tx.json().issue[0].diagnostics, /ifNoneMatch/);
  t.equal((await send(app, 'GET', '/fhir/Patient/p1')).statusCode, 404, 'nothing stored');
  const batch = await send(app, 'POST', '/fhir', {
    resourceType: 'Bundle', type: 'batch',
    entry: [{ request: { method: 'DELETE', url: 'Patient/p1', ifNoneExist: 'identifier=urn:s|1' } }],
  });
  t.match(batch.json().entry[0].response.status, /^400/, 'a batch entry on its own');
});
