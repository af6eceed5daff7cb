import t from 'tap';
import { send, testApp } from './helpers.js';

/**
 * If-Match on a conditional delete is held against the matched resource, as on a conditional
 * update and a delete by id (RFC 9110 §13.1.1: the method must not run when it fails). It was not
 * read, so a version-guarded conditional delete removed a resource that had changed since.
 */
t.test('conditional delete: If-Match must name the matched version, else 412 and nothing is deleted', async (t) => {
  const app = await testApp(t);
  const body = { resourceType: 'Patient', identifier: [{ system: 'urn:mrn', value: '1' }] };
  const created = await send(app, 'POST', '/fhir/Patient', body);
  const id = created.json().id;
  const url = '/fhir/Patient?identifier=urn:mrn|1';
  const stale = await send(app, 'DELETE', url, undefined, { 'if-match': 'W/"9"' });
  t.equal(stale.statusCode, 412, 'another version: refused');
  t.match(stale.json().issue[0].diagnostics, /If-Match/);
  t.equal((await send(app, 'GET', `/fhir/Patient/${id}`)).statusCode, 200, 'still there');
  t.equal((await send(app, 'DELETE', '/fhir/Patient?identifier=urn:mrn|none', undefined, { 'if-match': 'W/"1"' })).statusCode, 412, 'no match: the tag names a version of nothing (as a delete by id of an unknown id)');
  t.equal((await send(app, 'DELETE', url, undefined, { 'if-match': 'W/"1"' })).statusCode, 204, 'the matched version: deleted');
  t.equal((await send(app, 'GET', `/fhir/Patient/${id}`)).statusCode, 410);
});

t.test('a batch entry\'s request.ifMatch on a conditional delete is held too', async (t) => {
  const app = await testApp(t);
  await send(app, 'POST', '/fhir/Patient', { resourceType: 'Patient', identifier: [{ system: 'urn:mrn', value: '2' }] });
  const res = await send(app, 'POST', '/fhir', { resourceType: 'Bundle', type: 'batch', entry: [{ request: { method: 'DELETE', url: 'Patient?identifier=urn:mrn|2', ifMatch: 'W/"5"' } }] });
  t.match(res.json().entry[0].response.status, /^412/);
  t.equal((await send(app, 'GET', '/fhir/Patient?identifier=urn:mrn|2')).json().total, 1, 'not deleted');
});
