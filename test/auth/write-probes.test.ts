import t from 'tap';
import { bearer, FHIR_JSON, makeApp, serverToken } from './helpers.js';

/**
 * Writes that change nothing must not tell a patient-level token which ids exist in other
 * patients' compartments. Found by black-box testing: DELETE of another patient's Observation
 * answered 404 where an unknown id answers 204, and under `If-Match` a PUT or DELETE of it
 * answered 404 where an unknown id answers 412: side-effect-free probes of the id space. Now
 * such a resource is, to these writes, an absent one (nothing is deleted or written).
 */
const obs = (id: string, patient: string) => ({ resourceType: 'Observation', id, status: 'final', code: { text: 'x' }, subject: { reference: `Patient/${patient}` } });

t.test('writes answer another patient\'s resource as an absent one', async (t) => {
  const app = await makeApp();
  t.teardown(() => app.close());
  const admin = await serverToken(app, ['system/*.cruds']);
  for (const r of [obs('ob-live', 'pb'), obs('oa-live', 'pa')]) {
    t.equal((await app.inject({ method: 'PUT', url: `/fhir/Observation/${r.id}`, headers: { ...bearer(admin), ...FHIR_JSON }, payload: r })).statusCode, 201);
  }
  const pa = await serverToken(app, ['patient/*.cruds'], { patient: 'pa', clientId: 'app-a' });
  const send = (method: string, url: string, payload?: unknown, headers: Record<string, string> = {}) =>
    app.inject({ method: method as 'PUT', url, headers: { ...bearer(pa), ...(payload === undefined ? {} : FHIR_JSON), ...headers }, payload: payload as never });
  const same = async (label: string, run: (id: string) => ReturnType<typeof send>) => {
    const other = await run('ob-live');
    const unknown = await run('never-was');
    t.equal(other.statusCode, unknown.statusCode, `${label}: as an unknown id (${other.statusCode} / ${unknown.statusCode})`);
    t.notMatch(other.body, /current is|ob-live.*exists/, `${label}: names no current version`);
  };
  await same('DELETE', (id) => send('DELETE', `/fhir/Observation/${id}`));
  await same('DELETE with If-Match', (id) => send('DELETE', `/fhir/Observation/${id}`, undefined, { 'if-match': 'W/"1"' }));
  await same('PUT with If-Match', (id) => send('PUT', `/fhir/Observation/${id}`, obs(id, 'pa'), { 'if-match': 'W/"1"' }));
  const tx = (id: string) => send('POST', '/fhir', { resourceType: 'Bundle', type: 'transaction', entry: [{ request: { method: 'DELETE', url: `Observation/${id}` } }] });
  await same('transaction DELETE', tx);
  const kept = await app.inject({ url: '/fhir/Observation/ob-live', headers: bearer(admin) });
  t.equal(kept.statusCode, 200, 'the other patient\'s Observation is still there');
  t.equal(kept.json().meta.versionId, '1', 'unchanged');
  t.equal((await send('DELETE', '/fhir/Observation/oa-live', undefined, { 'if-match': 'W/"1"' })).statusCode, 204, 'the token still deletes its own');
  t.equal((await app.inject({ url: '/fhir/Observation/oa-live', headers: bearer(admin) })).statusCode, 410, 'which is gone');
});
