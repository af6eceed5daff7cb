import t from 'tap';
import { send, testApp } from './helpers.js';

// A transaction processes its DELETEs first, then POST, then PUT/PATCH (https://hl7.org/fhir/R4/http.html#trules):
// the conditions of the later entries (If-None-Exist, conditional update criteria, conditional
// references) are answered on the state the deletes leave, never by a resource this very
// transaction deletes (whose id would be answered, and referred to, as if it lived on).

const U = 'urn:uuid:5e5e5e5e-0000-4000-8000-000000000003';
const known = { resourceType: 'Patient', id: 'known', identifier: [{ system: 'urn:s', value: 'k' }] };
const obs = (subject: string) => ({ resource: { resourceType: 'Observation', status: 'final', code: { text: 'x' }, subject: { reference: subject } }, request: { method: 'POST', url: 'Observation' } });
type App = Awaited<ReturnType<typeof testApp>>;
const live = async (app: App, ref: string) => (await send(app, 'GET', `/fhir/${ref}`)).statusCode;

t.test('a conditional create after a delete of its match creates, and references to it name the new resource', async (t) => {
  for (const del of ['Patient/known', 'Patient?identifier=urn:s|k']) {
    const app = await testApp(t);
    await send(app, 'PUT', '/fhir/Patient/known', known);
    const res = await send(app, 'POST', '/fhir', {
      resourceType: 'Bundle', type: 'transaction', entry: [
        { request: { method: 'DELETE', url: del } },
        { fullUrl: U, resource: { resourceType: 'Patient', identifier: [{ system: 'urn:s', value: 'k' }] }, request: { method: 'POST', url: 'Patient', ifNoneExist: 'identifier=urn:s|k' } },
        obs(U),
      ],
    }, { prefer: 'return=representation' });
    t.equal(res.statusCode, 200, res.body.slice(0, 300));
    const [, created, o] = res.json().entry;
    t.equal(created.response.status, '201 Created', `DELETE ${del}: the conditional create creates`);
    t.not(created.resource.id, 'known');
    t.equal(o.resource.subject.reference, `Patient/${created.resource.id}`);
    t.equal(await live(app, o.resource.subject.reference), 200, 'the reference resolves');
    t.equal(await live(app, 'Patient/known'), 410, 'the deleted Patient is deleted');
  }
});

t.test('a conditional reference does not resolve to a resource the transaction deletes', async (t) => {
  const app = await testApp(t);
  await send(app, 'PUT', '/fhir/Patient/known', known);
  const res = await send(app, 'POST', '/fhir', {
    resourceType: 'Bundle', type: 'transaction', entry: [{ request: { method: 'DELETE', url: 'Patient/known' } }, obs('Patient?identifier=urn:s|k')],
  });
  t.equal(res.statusCode, 412, res.body.slice(0, 300));
  t.match(res.json().issue[0].diagnostics, /^Bundle\.entry\[1\]: Conditional reference Patient\?identifier=urn:s\|k matched 0 resources/);
  t.equal(await live(app, 'Patient/known'), 200, 'nothing stored');
});

t.test('a conditional update after a delete of its match creates a new resource', async (t) => {
  const app = await testApp(t);
  await send(app, 'PUT', '/fhir/Patient/known', known);
  const res = await send(app, 'POST', '/fhir', {
    resourceType: 'Bundle', type: 'transaction', entry: [
      { request: { method: 'DELETE', url: 'Patient/known' } },
      { resource: { resourceType: 'Patient', identifier: [{ system: 'urn:s', value: 'k' }] }, request: { method: 'PUT', url: 'Patient?identifier=urn:s|k' } },
    ],
  });
  t.equal(res.statusCode, 200, res.body.slice(0, 300));
  const put = res.json().entry[1];
  t.equal(put.response.status, '201 Created');
  t.notMatch(put.response.location, /Patient\/known\//);
  t.equal(await live(app, 'Patient/known'), 410);
  // the same id twice is still refused: a DELETE and a PUT of Patient/known touch one resource
  const twice = await send(app, 'POST', '/fhir', {
    resourceType: 'Bundle', type: 'transaction', entry: [{ request: { method: 'DELETE', url: 'Patient/known' } }, { resource: known, request: { method: 'PUT', url: 'Patient/known' } }],
  });
  t.equal(twice.statusCode, 400);
  t.match(twice.json().issue[0].diagnostics, /also the target of Bundle\.entry\[0\]/);
});
