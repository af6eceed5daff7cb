import t from 'tap';
import { bearer, FHIR_JSON, makeApp, serverToken } from './helpers.js';

/**
 * An instance's history for a patient-level token lists only the versions in its compartment and
 * carries no total (found by black-box testing: total=2 over one entry, counting the version that
 * was another patient's).
 */
t.test('instance history: no total counting versions left out', async (t) => {
  const app = await makeApp();
  t.teardown(() => app.close());
  const admin = await serverToken(app, ['system/*.cruds']);
  const obs = (patient: string) => ({ resourceType: 'Observation', id: 'mv', status: 'final', code: { text: 'x' }, subject: { reference: `Patient/${patient}` } });
  for (const p of ['p2', 'p1']) {
    const res = await app.inject({ method: 'PUT', url: '/fhir/Observation/mv', headers: { ...bearer(admin), ...FHIR_JSON }, payload: obs(p) });
    t.ok(res.statusCode < 300);
  }
  const p1 = await serverToken(app, ['patient/*.rs'], { patient: 'p1', clientId: 'app-p1' });
  const res = await app.inject({ url: '/fhir/Observation/mv/_history', headers: bearer(p1) });
  t.equal(res.statusCode, 200, res.body.slice(0, 200));
  const b = res.json();
  t.same(b.entry.map((e: { resource: { meta: { versionId: string } } }) => e.resource.meta.versionId), ['2'], 'only the version in p1\'s compartment');
  t.equal(b.total, undefined, 'no total');
  const sys = (await app.inject({ url: '/fhir/Observation/mv/_history', headers: bearer(admin) })).json();
  t.equal(sys.total, 2, 'an unrestricted token keeps the total');
});
