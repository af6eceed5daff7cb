import t from 'tap';
import type { AuditEvent } from '@medplum/fhirtypes';
import type { FastifyInstance } from 'fastify';
import { bearer, FHIR_JSON, makeApp, putAs, serverToken } from './helpers.js';

/**
 * The trail names the patients whose data a request touched (found by black-box testing): every
 * batch and transaction entry has its own event (interaction, resource or query, patient,
 * outcome); a system client's reads name the patient of the resource read, and a patient
 * token's refused write names the patient of the resource it reached for, not the token's own.
 */
const obs = (id: string, patient: string) => ({ resourceType: 'Observation', id, status: 'final', code: { text: 'x' }, subject: { reference: `Patient/${patient}` } });

async function events(app: FastifyInstance, auditor: string, query: string, agent: string): Promise<AuditEvent[]> {
  await app.auditLog!.flush();
  const res = await app.inject({ url: `/fhir/AuditEvent?${query}&_count=200`, headers: bearer(auditor) });
  t.equal(res.statusCode, 200, res.body.slice(0, 300));
  return (res.json().entry ?? []).map((e: { resource: AuditEvent }) => e.resource).filter((e: AuditEvent) => e.agent[0].who?.identifier?.value === agent);
}
const patientsOf = (e: AuditEvent) => (e.entity ?? []).filter((en) => en.role?.code === '1').map((en) => en.what?.reference).sort();
const whatOf = (e: AuditEvent) => (e.entity ?? []).filter((en) => en.role?.code === '4').map((en) => en.what?.reference);

t.test('audit events name the patients actually touched', async (t) => {
  const app = await makeApp();
  t.teardown(() => app.close());
  const admin = await serverToken(app, ['system/*.cruds'], { clientId: 'admin' });
  const auditor = await serverToken(app, ['system/AuditEvent.rs'], { clientId: 'auditor' });
  const put = putAs(app, admin);
  for (const p of ['p1', 'p2', 'p3']) await put({ resourceType: 'Patient', id: p });
  for (const p of ['p1', 'p2', 'p3']) await put(obs(`o-${p}`, p));

  t.test('a search names the patients of the resources it returned', async (t) => {
    const searcher = await serverToken(app, ['system/Observation.rs'], { clientId: 'searcher' });
    const res = await app.inject({ url: '/fhir/Observation?code:text=x', headers: bearer(searcher) });
    t.equal(res.json().total, 3);
    const evs = (await events(app, auditor, 'patient=Patient/p2', 'searcher')).filter((e) => e.subtype?.[0].code === 'search-type');
    t.equal(evs.length, 1, 'the search is found by a patient whose data it returned');
    t.same(patientsOf(evs[0]), ['Patient/p1', 'Patient/p2', 'Patient/p3']);
  });

  t.test('a system client\'s parallel reads: one patient each, found by patient', async (t) => {
    const reader = await serverToken(app, ['system/Observation.rs'], { clientId: 'reader' });
    await Promise.all(['p1', 'p2', 'p3', 'p1'].map((p) => app.inject({ url: `/fhir/Observation/o-${p}`, headers: bearer(reader) })));
    for (const p of ['p1', 'p2', 'p3']) {
      const evs = (await events(app, auditor, `patient=Patient/${p}`, 'reader')).filter((e) => e.subtype?.[0].code === 'read');
      t.ok(evs.length >= 1, `a read of Patient/${p}'s Observation is found by patient`);
      for (const e of evs) {
        t.same(patientsOf(e), [`Patient/${p}`], 'and names that patient only');
        t.ok(whatOf(e).every((w) => w === `Observation/o-${p}`), 'and lists only that patient\'s reads');
      }
    }
  });

  t.test('coalesced reads (the hook\'s fast path): grouped by interaction, type and patient, none lost', async (t) => {
    const reader = await serverToken(app, ['system/Observation.rs', 'system/Patient.rs'], { clientId: 'coalescer' });
    await put(obs('o2-p1', 'p1'));
    const urls = ['Observation/o-p1', 'Observation/o2-p1', 'Observation/o-p2', 'Observation/o-p1/_history/1', 'Patient/p1', 'Observation/o2-p1', 'Observation/o-p2'];
    const res = await Promise.all(urls.map((u) => app.inject({ url: `/fhir/${u}`, headers: bearer(reader) })));
    t.same(res.map((r) => r.statusCode), urls.map(() => 200));
    const evs = (await events(app, auditor, '_count=200', 'coalescer')).filter((e) => ['read', 'vread'].includes(e.subtype?.[0].code ?? ''));
    const seen = new Map<string, Set<string>>();
    for (const e of evs) {
      const what = whatOf(e).map(String);
      const group = `${e.subtype?.[0].code} ${patientsOf(e).join(',')} ${what[0]?.split('/')[0]}`;
      t.ok(what.every((w) => w.split('/')[0] === what[0].split('/')[0]), `one type per event (${group})`);
      if (what.length > 1) t.ok(e.period?.start && e.period.end, 'a coalesced event has its period');
      const ids = seen.get(group) ?? new Set<string>();
      for (const w of what) ids.add(w);
      seen.set(group, ids);
    }
    t.same(Object.fromEntries([...seen].map(([k, v]) => [k, [...v].sort()])), {
      'read Patient/p1 Observation': ['Observation/o-p1', 'Observation/o2-p1'],
      'read Patient/p2 Observation': ['Observation/o-p2'],
      'vread Patient/p1 Observation': ['Observation/o-p1'],
      'read Patient/p1 Patient': ['Patient/p1'],
    }, 'every read is recorded once, in the group of its interaction, type and patient');
  });

  t.test('a patient token\'s refused create, alone or in a batch, names the patient it reached for', async (t) => {
    const p1 = await serverToken(app, ['patient/*.cruds'], { clientId: 'app-p1c', patient: 'p1' });
    const res = await app.inject({ method: 'POST', url: '/fhir/Observation', headers: { ...bearer(p1), ...FHIR_JSON }, payload: { resourceType: 'Observation', status: 'final', code: { text: 'x' }, subject: { reference: 'Patient/p3' } } });
    t.equal(res.statusCode, 403);
    const batch = { resourceType: 'Bundle', type: 'batch', entry: [{ request: { method: 'POST', url: 'Observation' }, resource: obs('b-p3', 'p3') }] };
    t.equal((await app.inject({ method: 'POST', url: '/fhir', headers: { ...bearer(p1), ...FHIR_JSON }, payload: batch })).statusCode, 200);
    const evs = (await events(app, auditor, '_sort=date', 'app-p1c')).filter((e) => e.subtype?.[0].code === 'create');
    t.equal(evs.length, 2, 'the plain create and the batch entry');
    for (const e of evs) t.same(patientsOf(e), ['Patient/p3']);
  });

  t.test('a patient token\'s refused write names the target\'s patient', async (t) => {
    const p1 = await serverToken(app, ['patient/*.cruds'], { clientId: 'app-p1', patient: 'p1' });
    const res = await app.inject({ method: 'PATCH', url: '/fhir/Observation/o-p2', headers: { ...bearer(p1), 'content-type': 'application/json-patch+json' }, payload: [{ op: 'replace', path: '/status', value: 'amended' }] });
    t.ok(res.statusCode >= 400, `refused (${res.statusCode})`);
    const evs = (await events(app, auditor, '_sort=date', 'app-p1')).filter((e) => e.subtype?.[0].code === 'patch');
    t.equal(evs.length, 1);
    t.same(patientsOf(evs[0]), ['Patient/p2'], 'the patient whose record it reached for');
    const read = await app.inject({ url: '/fhir/Observation/o-p1', headers: bearer(p1) });
    t.equal(read.statusCode, 200);
    const reads = (await events(app, auditor, '_sort=date', 'app-p1')).filter((e) => e.subtype?.[0].code === 'read');
    t.same(patientsOf(reads[0]), ['Patient/p1']);
  });

  t.test('batch and transaction entries each leave an event', async (t) => {
    const batch = {
      resourceType: 'Bundle', type: 'batch', entry: [
        { request: { method: 'GET', url: 'Observation/o-p3' } },
        { request: { method: 'GET', url: 'Observation?subject=Patient/p2' } },
        { request: { method: 'POST', url: 'Observation' }, resource: { ...obs('x', 'p1'), id: undefined } },
        { request: { method: 'DELETE', url: 'Observation/o-p1' } },
      ],
    };
    const res = await app.inject({ method: 'POST', url: '/fhir', headers: { ...bearer(admin), ...FHIR_JSON }, payload: batch });
    t.equal(res.statusCode, 200, res.body.slice(0, 300));
    const created = /Observation\/([^/]+)\/_history/.exec(res.json().entry[2].response.location)![1];
    const evs = await events(app, auditor, '_sort=-date', 'admin');
    const read = evs.find((e) => e.subtype?.[0].code === 'read' && whatOf(e).includes('Observation/o-p3'));
    t.ok(read, 'the GET entry: a read of Observation/o-p3');
    t.same(read && patientsOf(read), ['Patient/p3'], 'of Patient/p3');
    const search = evs.find((e) => e.subtype?.[0].code === 'search-type' && e.entity?.some((en) => en.query && decodeURIComponent(Buffer.from(en.query, 'base64').toString()) === 'subject=Patient/p2'));
    t.ok(search, 'the search entry with its query');
    t.same(search && patientsOf(search), ['Patient/p2']);
    const create = evs.find((e) => e.action === 'C' && whatOf(e).includes(`Observation/${created}`));
    t.same(create && patientsOf(create), ['Patient/p1'], 'the create entry, its resource and patient');
    const del = evs.find((e) => e.action === 'D' && whatOf(e).includes('Observation/o-p1'));
    t.same(del && patientsOf(del), ['Patient/p1'], 'the delete entry names the deleted resource\'s patient');
    const whole = evs.find((e) => e.subtype?.[0].code === 'batch');
    t.same(whole && patientsOf(whole), ['Patient/p1', 'Patient/p2', 'Patient/p3'], 'the Bundle event names every entry\'s patients');

    const tx = { resourceType: 'Bundle', type: 'transaction', entry: [{ request: { method: 'PUT', url: 'Observation/t-p2' }, resource: obs('t-p2', 'p2') }] };
    t.equal((await app.inject({ method: 'POST', url: '/fhir', headers: { ...bearer(admin), ...FHIR_JSON }, payload: tx })).statusCode, 200);
    const byPatient = await events(app, auditor, 'entity=Observation/t-p2', 'admin');
    t.ok(byPatient.some((e) => e.subtype?.[0].code === 'update' && patientsOf(e).includes('Patient/p2')), 'the transaction entry: update of Observation/t-p2 for Patient/p2');

    const p1 = await serverToken(app, ['patient/*.cruds'], { clientId: 'app-p1b', patient: 'p1' });
    const refused = { resourceType: 'Bundle', type: 'transaction', entry: [{ request: { method: 'PUT', url: 'Observation/t2-p2' }, resource: obs('t2-p2', 'p2') }] };
    t.equal((await app.inject({ method: 'POST', url: '/fhir', headers: { ...bearer(p1), ...FHIR_JSON }, payload: refused })).statusCode, 403);
    const refusedEvs = await events(app, auditor, '_sort=-date', 'app-p1b');
    t.ok(refusedEvs.some((e) => e.subtype?.[0].code === 'update' && e.outcome === '4' && patientsOf(e).includes('Patient/p2')), 'a refused transaction records its entries too');
  });
});
