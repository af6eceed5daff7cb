import t from 'tap';
import { bearer, FHIR_JSON, makeApp, serverToken } from './helpers.js';

/**
 * Bundles from a patient-level token (found by black-box testing): a batch answers each entry on
 * its own (one refused entry refused the whole batch with 403), a transaction's compartment
 * refusal names the entry, and conditional references and conditional updates naming the token's
 * own patient resolve inside the compartment instead of being refused.
 */
const MRN = 'http://hospital.example/mrn';
const obs = (patient: string, extra: object = {}) => ({ resourceType: 'Observation', status: 'final', code: { text: 'x' }, subject: { reference: patient }, ...extra });

t.test('patient-token Bundles are authorized entry by entry', async (t) => {
  const app = await makeApp();
  t.teardown(() => app.close());
  const admin = await serverToken(app, ['system/*.cruds']);
  for (const id of ['p1', 'p2']) {
    await app.inject({ method: 'PUT', url: `/fhir/Patient/${id}`, headers: { ...bearer(admin), ...FHIR_JSON }, payload: { resourceType: 'Patient', id, identifier: [{ system: MRN, value: `MRN-${id}` }] } });
  }
  const p1 = await serverToken(app, ['patient/*.cruds'], { patient: 'p1', clientId: 'app-p1' });
  const post = (payload: object) => app.inject({ method: 'POST', url: '/fhir', headers: { ...bearer(p1), ...FHIR_JSON }, payload: payload as never });

  const batch = await post({ resourceType: 'Bundle', type: 'batch', entry: [
    { request: { method: 'GET', url: 'Patient/p1' } },
    { request: { method: 'POST', url: 'Observation' }, resource: obs('Patient/p2') },
    { request: { method: 'POST', url: 'Observation' }, resource: obs('Patient/p1') },
  ] });
  t.equal(batch.statusCode, 200, batch.body.slice(0, 300));
  t.same(batch.json().entry?.map((e: { response: { status: string } }) => e.response.status.slice(0, 3)), ['200', '403', '201'], 'each entry answered on its own');

  const tx = await post({ resourceType: 'Bundle', type: 'transaction', entry: [
    { request: { method: 'POST', url: 'Observation' }, resource: obs('Patient/p1') },
    { request: { method: 'POST', url: 'Observation' }, resource: obs('Patient/p2') },
  ] });
  t.equal(tx.statusCode, 403);
  t.match(tx.json().issue[0].expression?.[0], /^Bundle\.entry\[1\]/, `the refusal names the entry: ${tx.body.slice(0, 300)}`);

  const own = await post({ resourceType: 'Bundle', type: 'transaction', entry: [
    { request: { method: 'POST', url: 'Observation' }, resource: obs(`Patient?identifier=${MRN}|MRN-p1`) },
    { request: { method: 'PUT', url: `Patient?identifier=${MRN}|MRN-p1` }, resource: { resourceType: 'Patient', identifier: [{ system: MRN, value: 'MRN-p1' }], gender: 'female' } },
  ] });
  t.equal(own.statusCode, 200, `own patient's conditional reference and conditional update: ${own.body.slice(0, 300)}`);
  const updated = (await app.inject({ url: '/fhir/Patient/p1', headers: bearer(admin) })).json();
  t.equal(updated.gender, 'female', 'the conditional update found Patient/p1');

  const other = await post({ resourceType: 'Bundle', type: 'transaction', entry: [
    { request: { method: 'POST', url: 'Observation' }, resource: obs(`Patient?identifier=${MRN}|MRN-p2`) },
  ] });
  t.ok(other.statusCode >= 400, `another patient's identifier does not resolve (${other.statusCode})`);
  t.notMatch(other.body, /p2"/, 'nor is it named');
  const otherPut = await post({ resourceType: 'Bundle', type: 'transaction', entry: [
    { request: { method: 'PUT', url: `Patient?identifier=${MRN}|MRN-p2` }, resource: { resourceType: 'Patient', identifier: [{ system: MRN, value: 'MRN-p2' }], gender: 'male' } },
  ] });
  t.ok(otherPut.statusCode >= 400, `a conditional update of another patient is refused (${otherPut.statusCode})`);
  t.equal((await app.inject({ url: '/fhir/Patient/p2', headers: bearer(admin) })).json().gender, undefined, 'Patient/p2 is untouched');
});
