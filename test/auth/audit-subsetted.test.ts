import t from 'tap';
import type { AuditEvent } from '@medplum/fhirtypes';
import { bearer, FHIR_JSON, makeApp, serverToken } from './helpers.js';

/**
 * A search's AuditEvent names the patients whose data it returned. It read them from the
 * resources as answered, so `_elements=status` (or `_summary=text`), which trims `subject`,
 * returned three patients' Observations under an event naming none: the trail lost the access.
 * The patients now come from the resources as stored.
 */
const obs = (id: string, patient: string) => ({ resourceType: 'Observation', id, status: 'final', code: { text: 'x' }, subject: { reference: `Patient/${patient}` } });
const patientsOf = (e: AuditEvent) => (e.entity ?? []).filter((en) => en.role?.code === '1').map((en) => en.what?.reference).sort();

t.test('a subsetted search names the patients of what it returned', async (t) => {
  const app = await makeApp();
  t.teardown(() => app.close());
  const admin = await serverToken(app, ['system/*.cruds'], { clientId: 'admin' });
  const auditor = await serverToken(app, ['system/AuditEvent.rs'], { clientId: 'auditor' });
  for (const p of ['p1', 'p2', 'p3']) {
    await app.inject({ method: 'PUT', url: `/fhir/Patient/${p}`, headers: { ...bearer(admin), ...FHIR_JSON }, payload: { resourceType: 'Patient', id: p } });
    await app.inject({ method: 'PUT', url: `/fhir/Observation/o-${p}`, headers: { ...bearer(admin), ...FHIR_JSON }, payload: obs(`o-${p}`, p) });
  }
  const searcher = await serverToken(app, ['system/Observation.rs'], { clientId: 'searcher' });
  for (const q of ['_elements=status', '_summary=text', '_elements=id&_count=2']) {
    const res = await app.inject({ url: `/fhir/Observation?code:text=x&${q}`, headers: bearer(searcher) });
    t.equal(res.statusCode, 200);
    t.notOk(res.json().entry.some((e: { resource: { subject?: unknown } }) => e.resource.subject), `${q}: the answer has no subject`);
  }
  await app.auditLog!.flush();
  const all = await app.inject({ url: '/fhir/AuditEvent?_count=200', headers: bearer(auditor) });
  const evs = (all.json().entry ?? []).map((e: { resource: AuditEvent }) => e.resource)
    .filter((e: AuditEvent) => e.agent[0].who?.identifier?.value === 'searcher' && e.subtype?.[0].code === 'search-type');
  const byQuery = new Map(evs.map((e: AuditEvent) => [decodeURIComponent(Buffer.from(e.entity!.find((en) => en.query)!.query!, 'base64').toString()).replace(/\+/g, ' '), e]));
  t.same(patientsOf(byQuery.get('code:text=x&_elements=status') as AuditEvent), ['Patient/p1', 'Patient/p2', 'Patient/p3'], '_elements');
  t.same(patientsOf(byQuery.get('code:text=x&_summary=text') as AuditEvent), ['Patient/p1', 'Patient/p2', 'Patient/p3'], '_summary=text');
  t.same(patientsOf(byQuery.get('code:text=x&_elements=id&_count=2') as AuditEvent), ['Patient/p1', 'Patient/p2'], 'the page returned, not the whole match');
});
