import t from 'tap';
import { bearer, FHIR_JSON, makeApp, serverToken } from './helpers.js';

/**
 * Read and search agree on the Patient compartment (found by black-box testing: search returned a
 * Patient whose link names the token's patient, read answered 404). Per the R4 Patient
 * CompartmentDefinition a Patient is in the compartment of the patients its `link` names (the
 * same person); that Patient's own data stays in its own compartment.
 */
t.test('a linked Patient: search and read agree', async (t) => {
  const app = await makeApp();
  t.teardown(() => app.close());
  const admin = await serverToken(app, ['system/*.cruds']);
  const put = (r: Record<string, unknown> & { resourceType: string; id: string }) => app.inject({ method: 'PUT', url: `/fhir/${r.resourceType}/${r.id}`, headers: { ...bearer(admin), ...FHIR_JSON }, payload: r as never });
  await put({ resourceType: 'Patient', id: 'p1' });
  await put({ resourceType: 'Patient', id: 'p3', link: [{ other: { reference: 'Patient/p1' }, type: 'seealso' }] });
  await put({ resourceType: 'Patient', id: 'p4' });
  await put({ resourceType: 'Observation', id: 'o3', status: 'final', code: { text: 'x' }, subject: { reference: 'Patient/p3' } });
  const p1 = await serverToken(app, ['patient/*.rs'], { patient: 'p1', clientId: 'app-p1' });

  const search = await app.inject({ url: '/fhir/Patient', headers: bearer(p1) });
  const found = (search.json().entry ?? []).map((e: { resource: { id: string } }) => e.resource.id).sort();
  t.same(found, ['p1', 'p3'], 'search: the own Patient and the one linked to it');
  for (const id of found) t.equal((await app.inject({ url: `/fhir/Patient/${id}`, headers: bearer(p1) })).statusCode, 200, `read Patient/${id}: as search says`);
  t.equal((await app.inject({ url: '/fhir/Patient/p3/_history/1', headers: bearer(p1) })).statusCode, 200, 'vread too');
  t.equal((await app.inject({ url: '/fhir/Patient/p4', headers: bearer(p1) })).statusCode, 404, 'an unlinked Patient stays unknown');
  t.equal((await app.inject({ url: '/fhir/Observation/o3', headers: bearer(p1) })).statusCode, 404, 'the linked Patient\'s data is not in p1\'s compartment');
  t.equal((await app.inject({ url: '/fhir/Patient/p3/Observation', headers: bearer(p1) })).statusCode, 404, 'nor is its compartment');
  t.equal((await app.inject({ url: '/fhir/Patient/p3/$everything', headers: bearer(p1) })).statusCode, 404);
  const writer = await serverToken(app, ['patient/*.cruds'], { patient: 'p1', clientId: 'app-p1w' });
  const write = await app.inject({ method: 'PUT', url: '/fhir/Patient/p3', headers: { ...bearer(writer), ...FHIR_JSON }, payload: { resourceType: 'Patient', id: 'p3' } });
  t.ok([403, 404].includes(write.statusCode), `the linked Patient cannot be written (${write.statusCode})`);
});
