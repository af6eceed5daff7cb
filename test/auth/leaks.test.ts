import t from 'tap';
import type { FastifyInstance } from 'fastify';
import { bearer, FHIR_JSON, makeApp, serverToken } from './helpers.js';

/**
 * What restricted tokens could learn of data outside their rights before (found by black-box
 * testing): deletions of other patients in type and system history (and server-wide totals),
 * other patients' ids through conditional requests, Patient data through a chain by a token
 * with Observation rights only, and totals counting what the token cannot see.
 */
const obs = (id: string, patient: string, gene: string) => ({
  resourceType: 'Observation', id, status: 'final', code: { text: 'test' }, subject: { reference: `Patient/${patient}` },
  component: [{ code: { coding: [{ system: 'http://loinc.org', code: '48018-6' }] }, valueCodeableConcept: { coding: [{ system: 'http://www.genenames.org/geneId', code: gene }] } }],
});

async function send(app: FastifyInstance, token: string, method: 'PUT' | 'DELETE' | 'POST', url: string, payload?: object, headers: Record<string, string> = {}) {
  return app.inject({ method, url, headers: { ...bearer(token), ...FHIR_JSON, ...headers }, payload: payload as never });
}

const entries = (b: { entry?: Array<{ resource?: { resourceType: string; id: string }; request?: { url: string } }> }) =>
  (b.entry ?? []).map((e) => (e.resource ? `${e.resource.resourceType}/${e.resource.id}` : e.request?.url ?? '?'));

t.test('restricted tokens learn nothing outside their rights', async (t) => {
  const app = await makeApp();
  t.teardown(() => app.close());
  const admin = await serverToken(app, ['system/*.cruds']);
  for (const [id, family] of [['pa', 'Alpha'], ['pb', 'Bravo']]) await send(app, admin, 'PUT', `/fhir/Patient/${id}`, { resourceType: 'Patient', id, name: [{ family }], birthDate: id === 'pb' ? '1961-07-04' : '1990-01-01' });
  await send(app, admin, 'PUT', '/fhir/Observation/oa1', obs('oa1', 'pa', 'HGNC:1100'));
  await send(app, admin, 'PUT', '/fhir/Observation/ob1', obs('ob1', 'pb', 'HGNC:583'));
  await send(app, admin, 'PUT', '/fhir/Observation/ob2', obs('ob2', 'pb', 'HGNC:583'));
  t.equal((await app.inject({ method: 'DELETE', url: '/fhir/Observation/ob2', headers: bearer(admin) })).statusCode, 204);
  const pa = await serverToken(app, ['patient/*.cruds'], { patient: 'pa', clientId: 'app-a' });
  const obsOnly = await serverToken(app, ['system/Observation.rs']);

  t.test('history: no deletions of others, no server-wide total, full pages', async (t) => {
    for (const url of ['/fhir/Observation/_history', '/fhir/_history', '/fhir/Observation/_history?_count=1']) {
      const res = await app.inject({ url, headers: bearer(pa) });
      t.equal(res.statusCode, 200, url);
      const b = res.json();
      t.notOk(entries(b).some((e) => /ob[12]|pb/.test(e)), `${url}: nothing of Patient/pb, deletions included (${entries(b).join(' ')})`);
      t.equal(b.total, undefined, `${url}: no total that counts what is left out`);
    }
    const first = (await app.inject({ url: '/fhir/Observation/_history?_count=1', headers: bearer(pa) })).json();
    t.same(entries(first), ['Observation/oa1'], 'a page is filled past what is left out');
    t.notOk(first.link.some((l: { relation: string }) => l.relation === 'next'), 'and nothing visible is left: no next link');
    const full = (await app.inject({ url: '/fhir/Observation/_history', headers: bearer(admin) })).json();
    t.ok(entries(full).includes('Observation/ob2') && typeof full.total === 'number', 'an unrestricted token still sees all, with a total');
  });

  t.test('conditional requests do not match, count or name what is outside the compartment', async (t) => {
    const body = obs('x', 'pa', 'HGNC:999');
    delete (body as { id?: string }).id;
    const create = await send(app, pa, 'POST', '/fhir/Observation', body, { 'if-none-exist': 'gene-identifier=HGNC:583' });
    t.equal(create.statusCode, 201, 'another patient\'s match does not count: created');
    t.notMatch(create.body, /ob1/, 'and is not named');
    const own = await send(app, pa, 'POST', '/fhir/Observation', body, { 'if-none-exist': 'gene-identifier=HGNC:1100' });
    t.equal(own.statusCode, 200, 'an own match answers as usual');
    const { id: _drop, ...noId } = obs('ob1', 'pa', 'HGNC:583');
    const update = await send(app, pa, 'PUT', '/fhir/Observation?gene-identifier=HGNC:583', noId);
    t.equal(update.statusCode, 201, 'conditional update does not find the other patient\'s resource: it creates');
    t.notMatch(update.body, /ob1/);
    const del = await app.inject({ method: 'DELETE', url: '/fhir/Observation?gene-identifier=HGNC:583', headers: bearer(pa) });
    t.ok(del.statusCode < 300, `conditional delete matches nothing outside (${del.statusCode})`);
    t.equal((await app.inject({ url: '/fhir/Observation/ob1', headers: bearer(admin) })).statusCode, 200, 'the other patient\'s resource is intact');
    // no match, with a body id: a live id answers 409 only when the token may see it (else it
    // would tell another patient's id from a free one, 409 against 201)
    const probe = await send(app, pa, 'PUT', '/fhir/Observation?gene-identifier=HGNC:nomatch', obs('ob1', 'pa', 'HGNC:1100'));
    t.equal(probe.statusCode, 404, `another patient's id answers as a read would (${probe.statusCode})`);
    t.notMatch(probe.body, /exists/);
    const inTx = await send(app, pa, 'POST', '/fhir', { resourceType: 'Bundle', type: 'transaction', entry: [{ resource: obs('ob1', 'pa', 'HGNC:1100'), request: { method: 'PUT', url: 'Observation?gene-identifier=HGNC:nomatch' } }] });
    t.equal(inTx.statusCode, 404, `in a transaction too (${inTx.statusCode})`);
    const ownProbe = await send(app, pa, 'PUT', '/fhir/Observation?gene-identifier=HGNC:nomatch', obs('oa1', 'pa', 'HGNC:1100'));
    t.equal(ownProbe.statusCode, 409, 'an own live id that does not match: 409');
    t.equal((await app.inject({ url: '/fhir/Observation/ob1', headers: bearer(admin) })).json().subject.reference, 'Patient/pb', 'nothing overwritten');
  });

  t.test('chains and _has need search rights on the types they go through', async (t) => {
    for (const url of ['/fhir/Observation?subject:Patient.birthdate=1961-07-04&_summary=count', '/fhir/Observation?subject.name=Bravo', '/fhir/Observation?subject:Patient._has:Observation:subject:status=final']) {
      const res = await app.inject({ url, headers: bearer(obsOnly) });
      t.equal(res.statusCode, 403, `${url}: ${res.statusCode}`);
      t.match(res.json().issue?.[0]?.diagnostics, /Missing scope system\/(Patient|Group)\.s/, `the missing scope is named: ${res.body.slice(0, 200)}`);
    }
    t.equal((await app.inject({ url: '/fhir/Observation?code:text=test', headers: bearer(obsOnly) })).statusCode, 200, 'a plain search still works');
    const withRights = await app.inject({ url: '/fhir/Observation?subject:Patient.birthdate=1961-07-04', headers: bearer(admin) });
    t.same(entries(withRights.json()), ['Observation/ob1'], `and the chain with the rights: ${withRights.body.slice(0, 300)}`);
  });

  t.test('a system-level search counts only types the token may search', async (t) => {
    // (AuditEvents, which the token may not read, exist: every request above wrote some)
    const res = await app.inject({ url: '/fhir?_total=accurate&_count=100', headers: bearer(pa) });
    t.equal(res.statusCode, 200);
    const b = res.json();
    const shown = (b.entry ?? []).filter((e: { search?: { mode: string } }) => e.search?.mode === 'match');
    t.equal(b.total, shown.length, `total ${b.total} = what is shown (${shown.length})`);
    t.ok(shown.length > 0 && shown.every((e: { resource: { resourceType: string } }) => e.resource.resourceType !== 'AuditEvent'));
  });
});

t.test('a patient-level token cannot file data into another patient\'s record through a shared resource', async (t) => {
  const app = await makeApp();
  t.teardown(() => app.close());
  const admin = await serverToken(app, ['system/*.cruds']);
  for (const id of ['pa', 'pb']) await send(app, admin, 'PUT', `/fhir/Patient/${id}`, { resourceType: 'Patient', id });
  const pa = await serverToken(app, ['patient/*.cruds'], { patient: 'pa', clientId: 'app-a' });
  const about = (subject: string) => ({ resourceType: 'Observation', status: 'final', code: { text: 'x' }, subject: { reference: `Patient/${subject}` }, performer: [{ reference: 'Patient/pa' }] });
  const other = await send(app, pa, 'POST', '/fhir/Observation', about('pb'));
  t.equal(other.statusCode, 403, 'about Patient/pb, with pa only as performer: refused');
  t.match(other.body, /and of no other patient/);
  t.equal((await send(app, pa, 'POST', '/fhir/Observation', about('pa'))).statusCode, 201, 'about pa: written');
  // one that an admin filed in both records: pa may read it, not change it
  const shared = await send(app, admin, 'PUT', '/fhir/Observation/shared', { ...about('pb'), id: 'shared' });
  t.equal(shared.statusCode, 201);
  t.equal((await app.inject({ url: '/fhir/Observation/shared', headers: bearer(pa) })).statusCode, 200, 'visible to pa');
  const steal = await send(app, pa, 'PUT', '/fhir/Observation/shared', { ...about('pa'), id: 'shared' });
  t.equal(steal.statusCode, 403, 'moving it out of pb\'s record is refused (403: pa can see it)');
  t.equal(JSON.parse((await app.inject({ url: '/fhir/Observation/shared', headers: bearer(admin) })).body).subject.reference, 'Patient/pb', 'unchanged');
});
