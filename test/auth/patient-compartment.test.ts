import t from 'tap';
import type { FastifyInstance } from 'fastify';
import { bearer, FHIR_JSON, makeApp, serverToken } from './helpers.js';

/**
 * Patient-level tokens through the real HTTP API: the token for Patient/pa reaches nothing of
 * Patient/pb by read, vread, history, search, chain, _include, _revinclude, compartment search,
 * $everything, genomics operations, population operations, Bundles or writes.
 */
const obs = (id: string, patient: string, extra: object = {}) => ({
  resourceType: 'Observation', id, status: 'final', code: { text: 'test' }, subject: { reference: `Patient/${patient}` }, ...extra,
});

async function put(app: FastifyInstance, token: string, resource: { resourceType: string; id: string }): Promise<void> {
  const res = await app.inject({ method: 'PUT', url: `/fhir/${resource.resourceType}/${resource.id}`, headers: { ...bearer(token), ...FHIR_JSON }, payload: resource });
  if (res.statusCode >= 300) throw new Error(`PUT ${resource.resourceType}/${resource.id}: ${res.statusCode} ${res.body}`);
}

function ids(bundle: { entry?: Array<{ resource?: { resourceType: string; id: string } }> }): string[] {
  return (bundle.entry ?? []).filter((e) => e.resource && e.resource.resourceType !== 'OperationOutcome').map((e) => `${e.resource!.resourceType}/${e.resource!.id}`).sort();
}

t.test('patient-level token confinement', async (t) => {
  const app = await makeApp();
  t.teardown(() => app.close());
  const admin = await serverToken(app, ['system/*.cruds']);
  await put(app, admin, { resourceType: 'Patient', id: 'pa', name: [{ family: 'Alpha' }] } as never);
  await put(app, admin, { resourceType: 'Patient', id: 'pb', name: [{ family: 'Bravo' }] } as never);
  await put(app, admin, obs('oa1', 'pa') as never);
  await put(app, admin, obs('ob1', 'pb') as never);
  // B's observation points at A's through `focus` (not a compartment link): a _revinclude bait.
  await put(app, admin, obs('ob2', 'pb', { focus: [{ reference: 'Observation/oa1' }] }) as never);
  // A's report lists B's observation as a result (bad data, or an attack): an _include bait.
  await put(app, admin, { resourceType: 'DiagnosticReport', id: 'ra', status: 'final', code: { text: 'r' }, subject: { reference: 'Patient/pa' }, result: [{ reference: 'Observation/oa1' }, { reference: 'Observation/ob1' }] } as never);
  await put(app, admin, { resourceType: 'DiagnosticReport', id: 'rb', status: 'final', code: { text: 'r' }, subject: { reference: 'Patient/pb' }, result: [{ reference: 'Observation/ob1' }] } as never);

  const pa = await serverToken(app, ['patient/*.rs'], { patient: 'pa', clientId: 'app-a' });
  const paWrite = await serverToken(app, ['patient/*.cruds'], { patient: 'pa', clientId: 'app-a' });
  const get = (url: string, token = pa) => app.inject({ url, headers: bearer(token) });

  t.test('read, vread and history of the other patient answer 404', async (t) => {
    t.equal((await get('/fhir/Patient/pa')).statusCode, 200, 'own Patient');
    t.equal((await get('/fhir/Observation/oa1')).statusCode, 200, 'own Observation');
    for (const url of ['/fhir/Patient/pb', '/fhir/Observation/ob1', '/fhir/DiagnosticReport/rb', '/fhir/Observation/ob1/_history/1', '/fhir/Observation/ob1/_history', '/fhir/Patient/pb/_history']) {
      const res = await get(url);
      t.equal(res.statusCode, 404, url);
      t.notMatch(res.body, /Bravo|ob1.*final/, `${url}: nothing of B in the answer`);
    }
    const typeHistory = (await get('/fhir/Observation/_history')).json();
    t.notOk(ids(typeHistory).some((id) => id.endsWith('ob1') || id.endsWith('ob2')), 'type history lists only what A may see');
  });

  t.test('searches, chains, includes and revincludes stay inside the compartment', async (t) => {
    t.same(ids((await get('/fhir/Observation')).json()), ['Observation/oa1']);
    t.same(ids((await get('/fhir/Observation?subject=Patient/pb')).json()), [], 'explicit other subject');
    t.same(ids((await get('/fhir/Observation?subject.family=Bravo')).json()), [], 'chain');
    t.same(ids((await get('/fhir/Observation?subject:Patient.family=Bravo')).json()), [], 'typed chain');
    t.same(ids((await get('/fhir/Patient')).json()), ['Patient/pa']);
    t.same(ids((await get('/fhir/Patient?_has:Observation:subject:code:text=test')).json()), ['Patient/pa'], '_has');
    const inc = ids((await get('/fhir/DiagnosticReport?_include=DiagnosticReport:result')).json());
    t.same(inc, ['DiagnosticReport/ra', 'Observation/oa1'], '_include drops the other patient\'s result');
    const rev = ids((await get('/fhir/Observation?_revinclude=Observation:focus')).json());
    t.same(rev, ['Observation/oa1'], '_revinclude drops the other patient\'s observation');
    const revP = ids((await get('/fhir/Patient?_revinclude=Observation:subject&_revinclude=DiagnosticReport:subject')).json());
    t.same(revP, ['DiagnosticReport/ra', 'Observation/oa1', 'Patient/pa']);
    t.equal((await get('/fhir/Patient/pb/Observation')).statusCode, 404, 'compartment search of B');
    t.same(ids((await get('/fhir/Patient/pa/Observation')).json()), ['Observation/oa1'], 'own compartment search');
    const system = await get('/fhir?_type=Observation,Patient');
    if (system.statusCode === 200) t.notOk(ids(system.json()).some((id) => /pb|ob/.test(id)), 'system search');
    else t.equal(system.statusCode, 403, 'system search refused');
  });

  t.test('operations: $everything, subject operations, population operations', async (t) => {
    const every = await get('/fhir/Patient/pb/$everything');
    t.equal(every.statusCode, 404, '$everything on B');
    const own = await get('/fhir/Patient/pa/$everything');
    if (own.statusCode === 200) t.notOk(ids(own.json()).some((id) => /pb|ob|rb/.test(id)), '$everything on A has nothing of B');
    const variants = await get('/fhir/$find-subject-variants?subject=Patient/pb&ranges=NC_000001.11:1-100');
    t.equal(variants.statusCode, 404, '$find-subject-variants about B');
    const bare = await get('/fhir/$find-subject-variants?subject=pb&ranges=NC_000001.11:1-100');
    t.equal(bare.statusCode, 404, 'bare id form');
    const post = await app.inject({ method: 'POST', url: '/fhir/$find-subject-tx-implications', headers: { ...bearer(pa), ...FHIR_JSON }, payload: { resourceType: 'Parameters', parameter: [{ name: 'subject', valueString: 'Patient/pb' }] } });
    t.equal(post.statusCode, 404, 'Parameters body naming B');
    const population = await get('/fhir/$find-population-specific-variants?variants=NC_000001.11:100:A:G');
    t.equal(population.statusCode, 403, 'population operations are refused for patient tokens');
    t.match(population.json().issue[0].diagnostics, /patient-level/);
  });

  t.test('writes and Bundles cannot reach the other patient', async (t) => {
    const create = await app.inject({ method: 'POST', url: '/fhir/Observation', headers: { ...bearer(paWrite), ...FHIR_JSON }, payload: obs('x', 'pb') });
    t.equal(create.statusCode, 403, 'create into B\'s record');
    const ownCreate = await app.inject({ method: 'POST', url: '/fhir/Observation', headers: { ...bearer(paWrite), ...FHIR_JSON }, payload: obs('x', 'pa') });
    t.equal(ownCreate.statusCode, 201, 'create into own record');
    const update = await app.inject({ method: 'PUT', url: '/fhir/Observation/ob1', headers: { ...bearer(paWrite), ...FHIR_JSON }, payload: obs('ob1', 'pa') });
    t.ok(update.statusCode === 403 || update.statusCode === 404, `overwrite B's observation: ${update.statusCode}`);
    const patch = await app.inject({ method: 'PATCH', url: '/fhir/Observation/oa1', headers: { ...bearer(paWrite), 'content-type': 'application/json-patch+json' }, payload: [{ op: 'replace', path: '/subject/reference', value: 'Patient/pb' }] });
    t.equal(patch.statusCode, 403, 'patch moving data into B\'s record');
    const del = await app.inject({ method: 'DELETE', url: '/fhir/Observation/ob1', headers: bearer(paWrite) });
    // as a delete of an unknown id answers (204): a 403/404 would tell B's ids from free ones (write-probes.test.ts)
    t.equal(del.statusCode, 204, `delete B's observation answers as an unknown id: ${del.statusCode}`);
    const intact = await get('/fhir/Observation/ob1', admin);
    t.equal(intact.statusCode, 200, 'B\'s observation is still there');
    t.equal(intact.json().subject.reference, 'Patient/pb', 'and unchanged');
    t.equal(intact.json().meta.versionId, '1', 'no new version');
    const batch = await app.inject({
      method: 'POST', url: '/fhir', headers: { ...bearer(paWrite), ...FHIR_JSON },
      payload: { resourceType: 'Bundle', type: 'batch', entry: [
        { request: { method: 'GET', url: 'Observation/ob1' } },
        { request: { method: 'GET', url: 'Observation?subject=Patient/pb' } },
        { request: { method: 'GET', url: 'Observation/oa1' } },
      ] },
    });
    t.equal(batch.statusCode, 200, batch.body);
    const entries = batch.json().entry;
    t.match(entries[0].response.status, /^404/, 'batch read of B');
    t.same(ids(entries[1].resource ?? {}), [], 'batch search of B');
    t.match(entries[2].response.status, /^200/, 'batch read of own');
    const tx = await app.inject({
      method: 'POST', url: '/fhir', headers: { ...bearer(paWrite), ...FHIR_JSON },
      payload: { resourceType: 'Bundle', type: 'transaction', entry: [{ resource: obs('y', 'pb'), request: { method: 'POST', url: 'Observation' } }] },
    });
    t.equal(tx.statusCode, 403, 'transaction writing into B\'s record');
  });

  t.test('includes obey type scopes (system tokens too)', async (t) => {
    const drOnly = await serverToken(app, ['system/DiagnosticReport.rs']);
    const res = await get('/fhir/DiagnosticReport?_id=ra&_include=DiagnosticReport:result&_include=DiagnosticReport:subject', drOnly);
    t.equal(res.statusCode, 200);
    t.same(ids(res.json()), ['DiagnosticReport/ra'], 'no Observation or Patient without their scopes');
    const pretty = await get('/fhir/DiagnosticReport?_id=ra&_include=DiagnosticReport:result&_pretty=true', drOnly);
    t.same(ids(pretty.json()), ['DiagnosticReport/ra'], 'pretty-printed answers are filtered too');
    const both = await serverToken(app, ['system/DiagnosticReport.rs', 'system/Observation.rs']);
    t.same(ids((await get('/fhir/DiagnosticReport?_id=ra&_include=DiagnosticReport:result', both)).json()), ['DiagnosticReport/ra', 'Observation/oa1', 'Observation/ob1']);
  });

  t.test('scopes still apply inside the compartment', async (t) => {
    const obsOnly = await serverToken(app, ['patient/Observation.rs'], { patient: 'pa' });
    t.equal((await get('/fhir/Observation/oa1', obsOnly)).statusCode, 200);
    const report = await get('/fhir/DiagnosticReport/ra', obsOnly);
    t.equal(report.statusCode, 403);
    t.match(report.json().issue[0].diagnostics, /patient\/DiagnosticReport\.r/);
    const write = await app.inject({ method: 'POST', url: '/fhir/Observation', headers: { ...bearer(obsOnly), ...FHIR_JSON }, payload: obs('z', 'pa') });
    t.equal(write.statusCode, 403, 'read-only scope cannot create');
    // patient/ scopes without a patient claim grant nothing.
    const noClaim = await serverToken(app, ['patient/*.rs']);
    t.equal((await get('/fhir/Observation/oa1', noClaim)).statusCode, 403);
  });
});
