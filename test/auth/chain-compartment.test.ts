import t from 'tap';
import { bearer, FHIR_JSON, makeApp, serverToken } from './helpers.js';

/**
 * Every level of a chain runs inside the caller's compartment (found by black-box testing): a
 * patient-level token whose own Observation is derived from another patient's could ask yes/no
 * questions about that patient's record through `derived-from:Observation.…`.
 */
const ids = (b: { entry?: Array<{ resource: { resourceType: string; id: string } }> }) => (b.entry ?? []).map((e) => `${e.resource.resourceType}/${e.resource.id}`);

t.test('chains and _has do not reach outside a patient compartment', async (t) => {
  const app = await makeApp();
  t.teardown(() => app.close());
  const admin = await serverToken(app, ['system/*.cruds']);
  const put = async (r: { resourceType: string; id: string }) => {
    const res = await app.inject({ method: 'PUT', url: `/fhir/${r.resourceType}/${r.id}`, headers: { ...bearer(admin), ...FHIR_JSON }, payload: r as never });
    t.ok(res.statusCode < 300, `${r.resourceType}/${r.id}: ${res.body.slice(0, 200)}`);
  };
  for (const id of ['pa', 'pb']) await put({ resourceType: 'Patient', id });
  await put({ resourceType: 'Specimen', id: 'spb', subject: { reference: 'Patient/pb' } } as never);
  await put({
    resourceType: 'Observation', id: 'ob1', status: 'final', code: { text: 'variant' }, subject: { reference: 'Patient/pb' },
    component: [{ code: { coding: [{ system: 'http://loinc.org', code: '53037-8' }] }, valueCodeableConcept: { coding: [{ system: 'http://loinc.org', code: 'LA6683-2' }] } }],
  } as never);
  await put({ resourceType: 'Observation', id: 'oa1', status: 'final', code: { text: 'own' }, subject: { reference: 'Patient/pa' }, derivedFrom: [{ reference: 'Observation/ob1' }] } as never);
  await put({ resourceType: 'DiagnosticReport', id: 'dra', status: 'final', code: { text: 'r' }, subject: { reference: 'Patient/pa' }, result: [{ reference: 'Observation/ob1' }], specimen: [{ reference: 'Specimen/spb' }] } as never);
  const pa = await serverToken(app, ['patient/*.rs'], { patient: 'pa', clientId: 'app-a' });

  const urls = [
    '/fhir/Observation?derived-from:Observation.component-value-concept=LA6683-2',
    '/fhir/Observation?derived-from:Observation.subject=Patient/pb',
    '/fhir/Observation?derived-from:Observation.subject:Patient._id=pb',
    '/fhir/DiagnosticReport?result:Observation.subject=Patient/pb',
    '/fhir/DiagnosticReport?specimen:Specimen.subject=Patient/pb',
    '/fhir/Patient?_has:Observation:subject:derived-from:Observation.subject=Patient/pb',
  ];
  for (const url of urls) {
    const res = await app.inject({ url, headers: bearer(pa) });
    t.equal(res.statusCode, 200, url);
    t.same(ids(res.json()), [], `${url}: no hit through another patient's resource`);
    const sys = await app.inject({ url, headers: bearer(admin) });
    t.ok(ids(sys.json()).length > 0, `${url}: a system token still finds it (${sys.body.slice(0, 200)})`);
  }
  const compartmentSearch = await app.inject({ url: '/fhir/Patient/pa/Observation?derived-from:Observation.subject=Patient/pb', headers: bearer(admin) });
  t.same(ids(compartmentSearch.json()), ['Observation/oa1'], 'an unconfined compartment search restricts its matches only (FHIR semantics)');
  const own = await app.inject({ url: '/fhir/Observation?derived-from:Observation.subject=Patient/pa', headers: bearer(pa) });
  t.same(ids(own.json()), [], 'nothing of pa is derived from pa');
  await put({ resourceType: 'Observation', id: 'oa2', status: 'final', code: { text: 'own2' }, subject: { reference: 'Patient/pa' }, derivedFrom: [{ reference: 'Observation/oa1' }] } as never);
  const ownChain = await app.inject({ url: '/fhir/Observation?derived-from:Observation.subject=Patient/pa', headers: bearer(pa) });
  t.same(ids(ownChain.json()), ['Observation/oa2'], 'a chain inside the compartment still works');
});
