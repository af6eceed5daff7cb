import t from 'tap';
import type { Bundle } from '@medplum/fhirtypes';
import { send, testApp } from '../fhir/helpers.js';

// A searchset's `self` link is the request as the server understood it
// (https://hl7.org/fhir/R4/http.html#paging, search.html#conformance: "the self link ... the
// parameters that were used"). $everything answered with the compartment search that runs it
// (`Patient/p1/*?_type=Account,AdverseEvent,…` with every compartment type), which the client never
// sent; its next links stay that search (a page of it), which is how the paging goes on.
const self = (b: Bundle) => b.link?.find((l) => l.relation === 'self')?.url;

t.test('$everything: self is the operation URL with the parameters used', async (t) => {
  const app = await testApp(t);
  await send(app, 'PUT', '/fhir/Patient/p1', { resourceType: 'Patient', id: 'p1' });
  for (let i = 0; i < 3; i++) {
    await send(app, 'PUT', `/fhir/Observation/o${i}`, { resourceType: 'Observation', id: `o${i}`, status: 'final', code: { text: 'x' }, subject: { reference: 'Patient/p1' } });
  }
  const get = async (url: string, body?: unknown) => {
    const res = await send(app, body === undefined ? 'GET' : 'POST', url, body);
    t.equal(res.statusCode, 200, `${url}: ${res.body.slice(0, 200)}`);
    return res.json() as Bundle;
  };
  t.equal(self(await get('/fhir/Patient/p1/$everything')), 'http://localhost/fhir/Patient/p1/$everything');
  const paged = await get('/fhir/Patient/p1/$everything?_count=2&_type=Observation,Patient');
  t.equal(self(paged), 'http://localhost/fhir/Patient/p1/$everything?_count=2&_type=Observation%2CPatient');
  t.match(paged.link?.find((l) => l.relation === 'next')?.url, /\/Patient\/p1\/\*\?.*_cursor=/, 'next continues as the compartment search');
  t.equal(self(await get('/fhir/Patient/p1/$everything?_count=5000')), 'http://localhost/fhir/Patient/p1/$everything?_count=1000', 'the _count used (the maximum)');
  t.equal(self(await get('/fhir/Patient/p1/$everything?_since=2000-01-01T00:00:00Z')), 'http://localhost/fhir/Patient/p1/$everything?_since=2000-01-01T00%3A00%3A00Z');
});

t.test('$everything by POST reads its Parameters (they were ignored: everything was answered)', async (t) => {
  const app = await testApp(t);
  await send(app, 'PUT', '/fhir/Patient/p1', { resourceType: 'Patient', id: 'p1' });
  await send(app, 'PUT', '/fhir/Observation/o1', { resourceType: 'Observation', id: 'o1', status: 'final', code: { text: 'x' }, subject: { reference: 'Patient/p1' } });
  const post = (parameter: unknown[], url = '/fhir/Patient/p1/$everything') => send(app, 'POST', url, { resourceType: 'Parameters', parameter });
  const obs = await post([{ name: '_type', valueCode: 'Observation' }, { name: '_count', valueInteger: 5 }]);
  t.equal(obs.statusCode, 200);
  t.same((obs.json() as Bundle).entry?.map((e) => e.resource?.resourceType), ['Observation'], '_type applied');
  t.equal(self(obs.json()), 'http://localhost/fhir/Patient/p1/$everything?_type=Observation&_count=5', 'self: the GET form of what was used');
  const since = await post([{ name: '_since', valueInstant: '2999-01-01T00:00:00Z' }]);
  t.equal(since.statusCode, 200);
  t.notOk((since.json() as Bundle).entry?.length, '_since applied');
  const unknown = await post([{ name: 'start', valueDate: '2020-01-01' }]);
  t.equal(unknown.statusCode, 400, 'an input the server does not support is refused, not ignored');
  t.match(unknown.json().issue[0].diagnostics, /start/);
  const parts = await post([{ name: '_type', part: [{ name: 'x', valueString: 'y' }] }]);
  t.equal(parts.statusCode, 400, 'parts where a value goes');
  const notParams = await send(app, 'POST', '/fhir/Patient/p1/$everything', { resourceType: 'Patient' });
  t.equal(notParams.statusCode, 400, 'a body that is not Parameters');
});

t.test('$everything takes _pretty like every interaction (it answered 400)', async (t) => {
  const app = await testApp(t);
  await send(app, 'PUT', '/fhir/Patient/p1', { resourceType: 'Patient', id: 'p1' });
  const res = await send(app, 'GET', '/fhir/Patient/p1/$everything?_pretty=true');
  t.equal(res.statusCode, 200);
  t.match(res.body, /\n {2}"resourceType": "Bundle"/);
});
