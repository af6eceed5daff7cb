import t from 'tap';
import { bearer, FHIR_JSON, makeApp, serverToken } from './helpers.js';

/**
 * A system-level search searches the types the token may search (found by black-box testing: a
 * `system/Observation.rs` token got 403 "Missing scope system/*.s" on `GET /fhir`).
 */
t.test('system-level search with a per-type scope', async (t) => {
  const app = await makeApp();
  t.teardown(() => app.close());
  const admin = await serverToken(app, ['system/*.cruds']);
  await app.inject({ method: 'PUT', url: '/fhir/Patient/p1', headers: { ...bearer(admin), ...FHIR_JSON }, payload: { resourceType: 'Patient', id: 'p1' } });
  await app.inject({ method: 'PUT', url: '/fhir/Observation/o1', headers: { ...bearer(admin), ...FHIR_JSON }, payload: { resourceType: 'Observation', id: 'o1', status: 'final', code: { text: 'x' }, subject: { reference: 'Patient/p1' } } });
  const obs = await serverToken(app, ['system/Observation.rs']);
  const res = await app.inject({ url: '/fhir?_count=100&_total=accurate', headers: bearer(obs) });
  t.equal(res.statusCode, 200, res.body.slice(0, 200));
  t.same([...new Set(res.json().entry.map((e: { resource: { resourceType: string } }) => e.resource.resourceType))], ['Observation'], 'only the types it may search');
  t.equal(res.json().total, 1);
  t.equal((await app.inject({ url: '/fhir?_type=Patient', headers: bearer(obs) })).statusCode, 403, 'naming another type still needs its scope');
  const readOnly = await serverToken(app, ['system/Observation.r']);
  const none = await app.inject({ url: '/fhir', headers: bearer(readOnly) });
  t.equal(none.statusCode, 403, 'no search right on any type: refused');
  t.match(none.json().issue[0].diagnostics, /Missing scope system\/\*\.s/);
});
