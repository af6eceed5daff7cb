import t from 'tap';
import { bearer, FHIR_JSON, makeApp, serverToken } from './helpers.js';

/**
 * A patient-level token's writes are checked with their contained resources (found by black-box
 * testing: a create carrying a contained Observation about Patient/p2 was accepted).
 */
t.test('contained resources obey the compartment check', async (t) => {
  const app = await makeApp();
  t.teardown(() => app.close());
  const p1 = await serverToken(app, ['patient/*.cruds'], { patient: 'p1', clientId: 'app-p1' });
  const create = (contained: object[]) => app.inject({
    method: 'POST', url: '/fhir/DiagnosticReport', headers: { ...bearer(p1), ...FHIR_JSON },
    payload: { resourceType: 'DiagnosticReport', status: 'final', code: { text: 'r' }, subject: { reference: 'Patient/p1' }, contained, result: contained.map((c) => ({ reference: `#${(c as { id: string }).id}` })) } as never,
  });
  const obs = (patient: string) => ({ resourceType: 'Observation', id: 'c1', status: 'final', code: { text: 'x' }, subject: { reference: `Patient/${patient}` } });
  t.equal((await create([obs('p2')])).statusCode, 403, 'a contained Observation about another patient: refused');
  t.equal((await create([{ resourceType: 'Patient', id: 'c1' }])).statusCode, 403, 'a contained Patient: refused');
  const ok = await create([obs('p1')]);
  t.equal(ok.statusCode, 201, `a contained Observation about the token's patient: accepted (${ok.body.slice(0, 200)})`);
  const admin = await serverToken(app, ['system/*.cruds']);
  const sys = await app.inject({ method: 'POST', url: '/fhir/DiagnosticReport', headers: { ...bearer(admin), ...FHIR_JSON }, payload: { resourceType: 'DiagnosticReport', status: 'final', code: { text: 'r' }, subject: { reference: 'Patient/p1' }, contained: [obs('p2')], result: [{ reference: '#c1' }] } as never });
  t.equal(sys.statusCode, 201, 'a system token is not confined');
});
