import t, { type Test } from 'tap';
import type { FastifyInstance } from 'fastify';
import { bearer, FHIR_JSON, makeApp, serverToken } from './helpers.js';

/**
 * Another patient's deleted resource is, to a patient-level token, an unknown id: found by
 * black-box testing, a read, HEAD, patch, `$validate` or batch read of it answered 410 Gone where
 * an unknown id answers 404 (telling the token that the id had existed), `If-Match` on it named
 * its deletion version, and a PUT by the token re-created it in the token's compartment on top of
 * the other patient's history (answering versionId 3, and a history that is the other patient's).
 */
const obs = (id: string, patient: string) => ({ resourceType: 'Observation', id, status: 'final', code: { text: 'x' }, subject: { reference: `Patient/${patient}` } });

async function setUp(t: Test): Promise<{ app: FastifyInstance; admin: string; pa: string }> {
  const app = await makeApp();
  t.teardown(() => app.close());
  const admin = await serverToken(app, ['system/*.cruds']);
  for (const r of [obs('ob-gone', 'pb'), obs('oa-gone', 'pa')]) {
    t.equal((await app.inject({ method: 'PUT', url: `/fhir/Observation/${r.id}`, headers: { ...bearer(admin), ...FHIR_JSON }, payload: r })).statusCode, 201);
    t.equal((await app.inject({ method: 'DELETE', url: `/fhir/Observation/${r.id}`, headers: bearer(admin) })).statusCode, 204);
  }
  const pa = await serverToken(app, ['patient/*.cruds'], { patient: 'pa', clientId: 'app-a' });
  return { app, admin, pa };
}

t.test('another patient\'s deleted resource answers as an unknown id', async (t) => {
  const { app, admin, pa } = await setUp(t);
  const send = (method: string, url: string, payload?: unknown, headers: Record<string, string> = {}) =>
    app.inject({ method: method as 'GET', url, headers: { ...bearer(pa), ...(payload === undefined ? {} : FHIR_JSON), ...headers }, payload: payload as never });
  const patch = [{ op: 'replace', path: '/status', value: 'amended' }];
  const cases: Array<[string, string, unknown?, Record<string, string>?]> = [
    ['GET', '/fhir/Observation/ID'],
    ['HEAD', '/fhir/Observation/ID'],
    ['PATCH', '/fhir/Observation/ID', patch, { 'content-type': 'application/json-patch+json' }],
    ['POST', '/fhir/Observation/ID/$validate?mode=delete', { resourceType: 'Parameters' }],
  ];
  for (const [method, url, payload, headers] of cases) {
    const other = await send(method, url.replace('ID', 'ob-gone'), payload, headers);
    const unknown = await send(method, url.replace('ID', 'never-was'), payload, headers);
    t.equal(other.statusCode, unknown.statusCode, `${method} ${url}: as an unknown id (${other.statusCode} / ${unknown.statusCode})`);
    t.notMatch(other.body, /deleted/, `${method} ${url}: no word of a deletion`);
    const own = await send(method, url.replace('ID', 'oa-gone'), payload, headers);
    t.equal(own.statusCode, 410, `${method} ${url}: the token's own deleted resource still answers 410`);
  }
  const batch = await send('POST', '/fhir', { resourceType: 'Bundle', type: 'batch', entry: [{ request: { method: 'GET', url: 'Observation/ob-gone' } }, { request: { method: 'GET', url: 'Observation/never-was' } }] });
  t.equal(batch.statusCode, 200);
  const [a, b] = batch.json().entry.map((e: { response: { status: string } }) => e.response.status);
  t.equal(a, b, `batch reads: the same status (${a} / ${b})`);

  const ifMatchOther = await send('PUT', '/fhir/Observation/ob-gone', obs('ob-gone', 'pa'), { 'if-match': 'W/"1"' });
  const ifMatchUnknown = await send('PUT', '/fhir/Observation/never-was', obs('never-was', 'pa'), { 'if-match': 'W/"1"' });
  t.notMatch(ifMatchOther.body, /deleted|version 2/, `If-Match names no deletion (${ifMatchOther.statusCode} ${ifMatchOther.body.slice(0, 160)})`);
  t.ok(ifMatchUnknown.statusCode === 412, 'an unknown id under If-Match: 412');

  const take = await send('PUT', '/fhir/Observation/ob-gone', obs('ob-gone', 'pa'));
  t.equal(take.statusCode, 404, `a PUT does not re-create another patient's deleted resource as the token's (${take.statusCode})`);
  const history = (await app.inject({ url: '/fhir/Observation/ob-gone/_history', headers: bearer(admin) })).json();
  t.equal(history.total, 2, 'nothing was written on the other patient\'s history');
  const txTake = await send('POST', '/fhir', { resourceType: 'Bundle', type: 'transaction', entry: [{ resource: obs('ob-gone', 'pa'), request: { method: 'PUT', url: 'Observation/ob-gone' } }] });
  t.equal(txTake.statusCode, 404, `nor does a transaction entry (${txTake.statusCode})`);
  const ownAgain = await send('PUT', '/fhir/Observation/oa-gone', obs('oa-gone', 'pa'));
  t.equal(ownAgain.statusCode, 201, 'the token re-creates its own deleted resource');
  const adminAgain = await app.inject({ method: 'PUT', url: '/fhir/Observation/ob-gone', headers: { ...bearer(admin), ...FHIR_JSON }, payload: obs('ob-gone', 'pa') });
  t.equal(adminAgain.statusCode, 201, 'a system token still re-creates any deleted resource');
});

t.test('a vread of another patient\'s versions reads as one of an unknown id, to the word', async (t) => {
  const { app, pa } = await setUp(t);
  const get = (url: string) => app.inject({ url, headers: bearer(pa) });
  // version 1 is the other patient's live Observation, version 2 its deletion
  for (const vid of ['1', '2']) {
    const other = await get(`/fhir/Observation/ob-gone/_history/${vid}`);
    const unknown = await get(`/fhir/Observation/never-was/_history/${vid}`);
    t.equal(other.statusCode, 404, `version ${vid}: 404`);
    t.equal(other.statusCode, unknown.statusCode, `version ${vid}: as an unknown id`);
    t.equal(other.body.replaceAll('ob-gone', 'ID'), unknown.body.replaceAll('never-was', 'ID'), `version ${vid}: the same OperationOutcome`);
  }
});
