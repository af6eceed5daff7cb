import t from 'tap';
import type { FastifyInstance } from 'fastify';
import { bearer, FHIR_JSON, makeApp, serverToken } from './helpers.js';

/**
 * A patient-level token's search with `_elements` or `_summary=text` trims the elements that put
 * a resource in the patient's compartment (`subject`): the response filter, judging the trimmed
 * resource, dropped every match, so a patient app asking `Observation?_elements=status` got an
 * empty page (and `entry: []`) beside `total: 2`. The filter now judges a subsetted resource by
 * its stored version; another patient's resource still never passes.
 */
async function put(app: FastifyInstance, token: string, resource: { resourceType: string; id: string }): Promise<void> {
  const res = await app.inject({ method: 'PUT', url: `/fhir/${resource.resourceType}/${resource.id}`, headers: { ...bearer(token), ...FHIR_JSON }, payload: resource });
  if (res.statusCode >= 300) throw new Error(`PUT ${resource.resourceType}/${resource.id}: ${res.statusCode} ${res.body}`);
}

const obs = (id: string, patient: string) => ({ resourceType: 'Observation', id, status: 'final', code: { text: 'test' }, subject: { reference: `Patient/${patient}` } });

function ids(bundle: { entry?: Array<{ resource?: { resourceType: string; id: string } }> }): string[] {
  return (bundle.entry ?? []).filter((e) => e.resource && e.resource.resourceType !== 'OperationOutcome').map((e) => `${e.resource!.resourceType}/${e.resource!.id}`).sort();
}

t.test('patient-level token: subsetted search results are judged by the stored resource', async (t) => {
  const app = await makeApp();
  t.teardown(() => app.close());
  const admin = await serverToken(app, ['system/*.cruds']);
  await put(app, admin, { resourceType: 'Patient', id: 'pa' });
  await put(app, admin, { resourceType: 'Patient', id: 'pb' });
  await put(app, admin, obs('oa1', 'pa'));
  await put(app, admin, obs('oa2', 'pa'));
  await put(app, admin, obs('ob1', 'pb'));
  await put(app, admin, { resourceType: 'DiagnosticReport', id: 'ra', status: 'final', code: { text: 'r' }, subject: { reference: 'Patient/pa' }, result: [{ reference: 'Observation/oa1' }, { reference: 'Observation/ob1' }] } as never);
  const pa = await serverToken(app, ['patient/*.rs'], { patient: 'pa', clientId: 'app-a' });
  const get = async (url: string) => {
    const res = await app.inject({ url, headers: bearer(pa) });
    t.equal(res.statusCode, 200, url);
    return res.json();
  };

  for (const q of ['_elements=status', '_elements=id', '_summary=text', '_elements=status&_count=1']) {
    const b = await get(`/fhir/Observation?${q}`);
    const want = q.includes('_count=1') ? ['Observation/oa1'] : ['Observation/oa1', 'Observation/oa2'];
    t.same(ids(b), want, `Observation?${q}: the own matches, subsetted`);
    t.notOk(b.entry?.length === 0, `Observation?${q}: no empty entry array (ele-1)`);
    for (const e of b.entry ?? []) t.notOk('subject' in e.resource, `${q}: ${e.resource.id} is subsetted`);
  }
  t.same(ids(await get('/fhir/Patient?_elements=gender')), ['Patient/pa'], 'own Patient, subsetted');
  t.same(ids(await get('/fhir/Patient/pa/Observation?_elements=status')), ['Observation/oa1', 'Observation/oa2'], 'compartment search');
  // the include of B's Observation stays out; A's own, whole, is in
  t.same(ids(await get('/fhir/DiagnosticReport?_elements=status&_include=DiagnosticReport:result')), ['DiagnosticReport/ra', 'Observation/oa1'], 'include');
  // the stored version decides: B's Observation never passes, subsetted or not
  t.same(ids(await get('/fhir/Observation?_id=ob1&_elements=status')), [], 'the other patient\'s resource stays out');
});
