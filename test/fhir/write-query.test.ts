import t from 'tap';
import { send, testApp } from './helpers.js';

// A write whose target is named by its path takes no search parameters: FHIR R4's conditional
// create sends its criteria in If-None-Exist (https://hl7.org/fhir/R4/http.html#ccreate), and a
// conditional update, patch or delete puts them on the type (`PUT Patient?identifier=…`), not on
// an id. `POST Patient?identifier=x` created a second Patient as if the client had not asked for
// a condition, and `DELETE Patient/p1?identifier=x` deleted p1 whatever the criteria: both
// answer 400 now, naming the form to use. `_format` and `_pretty` shape the answer and stay.
const ident = (v: string) => ({ resourceType: 'Patient', identifier: [{ system: 'urn:s', value: v }] });

t.test('create with search parameters in the URL answers 400 and creates nothing', async (t) => {
  const app = await testApp(t);
  const res = await send(app, 'POST', '/fhir/Patient?identifier=urn:s%7C1', ident('1'));
  t.equal(res.statusCode, 400);
  t.equal(res.json().resourceType, 'OperationOutcome');
  t.match(res.json().issue[0].diagnostics, /If-None-Exist/);
  t.match(res.json().issue[0].diagnostics, /identifier/);
  t.equal((await send(app, 'GET', '/fhir/Patient?_total=accurate')).json().total, 0, 'nothing created');
  t.equal((await send(app, 'POST', '/fhir/Patient?_format=json&_pretty=true', ident('1'))).statusCode, 201, '_format and _pretty shape the answer only');
  const cond = { 'if-none-exist': 'identifier=urn:s|1' };
  t.equal((await send(app, 'POST', '/fhir/Patient', ident('1'), cond)).statusCode, 200, 'the header form is the conditional create');
  t.equal((await send(app, 'POST', '/fhir/Patient?_summary=true', ident('2'))).statusCode, 400, 'a write answers whole: _summary would be ignored too');
});

t.test('PUT, PATCH and DELETE of an id with search parameters answer 400 and change nothing', async (t) => {
  const app = await testApp(t);
  t.equal((await send(app, 'PUT', '/fhir/Patient/p1', { ...ident('1'), id: 'p1' })).statusCode, 201);
  const put = await send(app, 'PUT', '/fhir/Patient/p1?identifier=urn:s%7C2', { ...ident('1'), id: 'p1', active: true });
  t.equal(put.statusCode, 400);
  t.match(put.json().issue[0].diagnostics, /PUT \/?Patient\?/);
  const patch = await app.inject({ method: 'PATCH', url: '/fhir/Patient/p1?active=false', headers: { 'content-type': 'application/json-patch+json' }, payload: JSON.stringify([{ op: 'add', path: '/active', value: true }]) });
  t.equal(patch.statusCode, 400);
  const del = await send(app, 'DELETE', '/fhir/Patient/p1?identifier=urn:s%7C2');
  t.equal(del.statusCode, 400);
  t.match(del.json().issue[0].diagnostics, /DELETE \/?Patient\?/);
  const now = await send(app, 'GET', '/fhir/Patient/p1');
  t.equal(now.statusCode, 200, 'not deleted');
  t.equal(now.json().meta.versionId, '1', 'not changed');
  t.equal((await send(app, 'PUT', '/fhir/Patient/p1?_format=json', { ...ident('1'), id: 'p1' })).statusCode, 200, '_format stays');
  t.equal((await send(app, 'DELETE', '/fhir/Patient/p1?_pretty=true')).statusCode, 204, '_pretty stays');
});

t.test('conditional update, patch and delete keep their criteria', async (t) => {
  const app = await testApp(t);
  const up = await send(app, 'PUT', '/fhir/Patient?identifier=urn:s%7C7', ident('7'));
  t.equal(up.statusCode, 201);
  const id = up.json().id;
  const patch = await app.inject({ method: 'PATCH', url: '/fhir/Patient?identifier=urn:s%7C7', headers: { 'content-type': 'application/json-patch+json' }, payload: JSON.stringify([{ op: 'add', path: '/active', value: true }]) });
  t.equal(patch.statusCode, 200);
  t.equal(patch.json().active, true);
  t.equal((await send(app, 'DELETE', '/fhir/Patient?identifier=urn:s%7C7')).statusCode, 204);
  t.equal((await send(app, 'GET', `/fhir/Patient/${id}`)).statusCode, 410);
});

t.test('Bundles: parameters on POST /fhir, and on create or instance entries, answer 400', async (t) => {
  const app = await testApp(t);
  const batch = (entry: unknown[], type = 'batch', url = '/fhir') => send(app, 'POST', url, { resourceType: 'Bundle', type, entry });
  const create = { resource: ident('1'), request: { method: 'POST', url: 'Patient?identifier=urn:s|1' } };
  t.equal((await batch([create], 'batch', '/fhir?identifier=x')).statusCode, 400, 'POST /fhir takes no parameters');
  t.equal((await batch([{ resource: ident('0'), request: { method: 'POST', url: 'Patient' } }], 'batch', '/fhir?_format=json')).statusCode, 200, 'but _format');
  const b = await batch([create]);
  t.equal(b.statusCode, 200);
  t.match(b.json().entry[0].response.status, /^400/, 'a batch entry is refused on its own');
  t.match(JSON.stringify(b.json().entry[0].response.outcome), /ifNoneExist/);
  const tx = await batch([create], 'transaction');
  t.equal(tx.statusCode, 400, 'a transaction entry fails the transaction');
  t.match(tx.json().issue[0].diagnostics, /ifNoneExist/);
  const put = await batch([{ resource: { ...ident('1'), id: 'p1' }, request: { method: 'PUT', url: 'Patient/p1?identifier=urn:s|1' } }], 'transaction');
  t.equal(put.statusCode, 400);
  const del = await batch([{ request: { method: 'DELETE', url: 'Patient/p1?identifier=urn:s|1' } }], 'transaction');
  t.equal(del.statusCode, 400);
  t.equal((await send(app, 'GET', '/fhir/Patient?_total=accurate')).json().total, 1, 'only the plain create stored');
  const cond = await batch([{ resource: ident('9'), request: { method: 'PUT', url: 'Patient?identifier=urn:s|9' } }], 'transaction');
  t.equal(cond.statusCode, 200, 'a conditional update entry keeps its criteria');
});
