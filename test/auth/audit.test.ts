import t from 'tap';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AuditEvent } from '@medplum/fhirtypes';
import { buildApp } from '../../src/http/app.js';
import { testConfig } from '../../src/config.js';
import { bearer, FHIR_JSON, securityConfig, serverToken } from './helpers.js';
import { describeRequest } from '../../src/auth/audit-request.js';

/**
 * The audit trail: who, what, when, from where and the outcome of each /fhir request, written as
 * AuditEvents in batches, flushed on close, readable only with the audit scope, free of tokens.
 */
t.test('AuditEvents record every request and survive a clean shutdown', async (t) => {
  const dataDir = mkdtempSync(join(tmpdir(), 'fgs-audit-'));
  const config = testConfig({ auth: true, dataDir, fsync: false, security: securityConfig() });
  let app = await buildApp(config);
  const writer = await serverToken(app, ['system/*.cruds'], { clientId: 'lab' });
  const created = await app.inject({ method: 'POST', url: '/fhir/Patient', headers: { ...bearer(writer), ...FHIR_JSON }, payload: { resourceType: 'Patient', name: [{ family: 'Secretname' }] } });
  t.equal(created.statusCode, 201);
  const pid = created.headers.location!.toString().split('/').at(-3)!;
  await app.inject({ url: `/fhir/Patient/${pid}`, headers: bearer(writer) });
  await app.inject({ url: `/fhir/Observation?subject=Patient/${pid}&access_token=leaked`, headers: bearer(writer) });
  await app.inject({ url: '/fhir/Patient/nobody', headers: bearer(writer) });
  await app.inject({ url: `/fhir/Patient/${pid}` }); // no token: refused, still audited
  await app.inject('/fhir/metadata'); // public, not patient data: not audited
  t.ok(app.auditLog!.pending > 0, 'events are queued, not written one by one');
  await app.close(); // the onClose hook flushes the queue before the store closes

  app = await buildApp(config);
  t.teardown(() => app.close());
  const auditor = await serverToken(app, ['system/AuditEvent.rs'], { clientId: 'auditor' });
  const res = await app.inject({ url: '/fhir/AuditEvent?_count=100', headers: bearer(auditor) });
  t.equal(res.statusCode, 200, res.body);
  const events = (res.json().entry ?? []).map((e: { resource: AuditEvent }) => e.resource) as AuditEvent[];
  t.equal(events.length, 5, 'five audited requests (metadata is not)');
  const all = JSON.stringify(events);
  t.notMatch(all, /Secretname/, 'no bodies');
  t.notMatch(all, /leaked|eyJ/, 'no tokens (header or access_token parameter)');
  const create = events.find((e) => e.action === 'C')!;
  t.ok(create, 'create recorded');
  t.equal(create.agent[0].who?.identifier?.value, 'lab', 'who: the client');
  t.equal(create.agent[0].network?.address, '127.0.0.1', 'from where');
  t.ok(create.entity?.some((en) => en.what?.reference === `Patient/${pid}`), 'what: the created resource');
  t.equal(create.outcome, '0');
  const read = events.find((e) => e.subtype?.[0].code === 'read' && e.outcome === '0')!;
  t.ok(read.recorded, 'when');
  t.ok(read.entity?.some((en) => en.role?.code === '1' && en.what?.reference === `Patient/${pid}`), 'the patient concerned');
  const search = events.find((e) => e.subtype?.[0].code === 'search-type')!;
  const q = Buffer.from(search.entity!.find((en) => en.query)!.query!, 'base64').toString();
  t.match(q, /subject=Patient/, 'what: the query');
  t.ok(search.entity?.some((en) => en.role?.code === '1'), 'patient named by the query');
  t.ok(events.some((e) => e.outcome === '4' && e.agent[0].who?.identifier?.value === 'unauthenticated'), 'refused request audited');
  t.ok(events.some((e) => e.outcomeDesc === 'HTTP 404'), 'not-found outcome');

  t.test('the trail is readable only with the audit scope and never writable', async (t) => {
    const everything = await serverToken(app, ['system/*.cruds']);
    t.equal((await app.inject({ url: '/fhir/AuditEvent', headers: bearer(everything) })).statusCode, 403, 'wildcards do not reach it');
    t.equal((await app.inject({ url: `/fhir/AuditEvent/${events[0].id}`, headers: bearer(everything) })).statusCode, 403);
    const full = await serverToken(app, ['system/AuditEvent.cruds']);
    t.equal((await app.inject({ method: 'DELETE', url: `/fhir/AuditEvent/${events[0].id}`, headers: bearer(full) })).statusCode, 403, 'no deletes');
    const put = await app.inject({ method: 'PUT', url: `/fhir/AuditEvent/${events[0].id}`, headers: { ...bearer(full), ...FHIR_JSON }, payload: events[0] });
    t.equal(put.statusCode, 403, 'no rewrites');
    const inc = await app.inject({ url: `/fhir/Patient?_id=${pid}&_revinclude=AuditEvent:patient`, headers: bearer(everything) });
    t.equal(inc.statusCode, 200);
    t.notOk((inc.json().entry ?? []).some((e: { resource: { resourceType: string } }) => e.resource.resourceType === 'AuditEvent'), 'not through _revinclude either');
    const has = await app.inject({ url: `/fhir/Patient?_has:AuditEvent:patient:action=R`, headers: bearer(everything) });
    t.equal(has.statusCode, 403, 'nor probed by _has');
    const typed = await app.inject({ url: '/fhir?_type=AuditEvent,Patient', headers: bearer(everything) });
    t.equal(typed.statusCode, 403, 'nor listed by _type');
    const system = await app.inject({ url: '/fhir?_lastUpdated=gt2000-01-01&_count=200', headers: bearer(everything) });
    if (system.statusCode === 200) {
      t.notOk((system.json().entry ?? []).some((e: { resource: { resourceType: string } }) => e.resource.resourceType === 'AuditEvent'), 'nor by a system-wide search');
    }
    const compartment = await app.inject({ url: `/fhir/Patient/${pid}/*?_count=200`, headers: bearer(everything) });
    t.equal(compartment.statusCode, 200, compartment.body.slice(0, 200));
    t.notOk((compartment.json().entry ?? []).some((e: { resource: { resourceType: string } }) => e.resource.resourceType === 'AuditEvent'), 'nor by a whole-compartment search');
    const history = await app.inject({ url: '/fhir/_history?_count=200', headers: bearer(everything) });
    t.notOk((history.json().entry ?? []).some((e: { resource?: { resourceType: string } }) => e.resource?.resourceType === 'AuditEvent'), 'nor by system history');
  });
});

t.test('reads under load are coalesced per agent, type and patient, none is lost', async (t) => {
  const app = await buildApp(testConfig({ auth: true, dataDir: mkdtempSync(join(tmpdir(), 'fgs-audit2-')), fsync: false, security: securityConfig() }));
  t.teardown(() => app.close());
  const reader = await serverToken(app, ['system/*.cruds', 'system/AuditEvent.rs'], { clientId: 'bulk' });
  for (let i = 0; i < 20; i++) {
    const res = await app.inject({ method: 'PUT', url: `/fhir/Observation/c${i}`, headers: { ...bearer(reader), ...FHIR_JSON }, payload: { resourceType: 'Observation', id: `c${i}`, status: 'final', code: { text: 'x' } } });
    t.equal(res.statusCode, 201);
  }
  await app.auditLog!.flush();
  for (let i = 0; i < 20; i++) await app.inject({ url: `/fhir/Observation/c${i}`, headers: bearer(reader) });
  await app.inject({ url: '/fhir/Observation/c0?_summary=true', headers: bearer(reader) }); // has a query: its own event
  await app.auditLog!.flush();
  const res = await app.inject({ url: '/fhir/AuditEvent?action=R&_count=100', headers: bearer(reader) });
  const reads = (res.json().entry ?? []).map((e: { resource: AuditEvent }) => e.resource) as AuditEvent[];
  // How many events depends on where the flush timer falls; what is recorded does not.
  const refs = reads.flatMap((e) => e.entity ?? []).filter((en) => en.role?.code === '4').map((en) => en.what?.reference);
  for (let i = 0; i < 20; i++) t.ok(refs.includes(`Observation/c${i}`), `read of c${i} recorded`);
  t.ok(reads.length >= 2 && reads.length <= 21, `${reads.length} events for 21 reads`);
  t.ok(reads.some((e) => Buffer.from(e.entity?.find((en) => en.query)?.query ?? '', 'base64').toString() === '_summary=true'), 'the read with parameters has its own event');

  t.test('within one flush window: one event, every resource, the period', async (t) => {
    const { AuditLog } = await import('../../src/auth/audit-log.js');
    const log = new AuditLog(app.store, { flushMs: 1e9, batchSize: 1e9 });
    const t0 = new Date('2026-01-01T00:00:00Z');
    for (let i = 0; i < 20; i++) {
      log.record({ facts: describeRequest('GET', `Observation/w${i}`), method: 'GET', url: `/Observation/w${i}`, status: 200, clientId: 'window', remoteAddress: '10.0.0.1', recorded: new Date(t0.getTime() + i * 1000) });
    }
    log.record({ facts: describeRequest('GET', 'Observation/w0'), method: 'GET', url: '/Observation/w0', status: 404, clientId: 'window', remoteAddress: '10.0.0.1' });
    t.equal(log.pending, 2, 'twenty successful reads coalesced; the failed one stands alone');
    await log.close();
    t.equal(log.written, 2);
    const found = await app.inject({ url: '/fhir/AuditEvent?entity=Observation/w5&_count=10', headers: bearer(reader) });
    const evs = (found.json().entry ?? []).map((e: { resource: AuditEvent }) => e.resource) as AuditEvent[];
    const merged = evs.find((e) => (e.entity?.length ?? 0) > 1);
    if (merged) {
      t.same(merged.entity!.map((en) => en.what?.reference).sort(), Array.from({ length: 20 }, (_, i) => `Observation/w${i}`).sort());
      t.same(merged.period, { start: '2026-01-01T00:00:00.000Z', end: '2026-01-01T00:00:19.000Z' });
    } else {
      t.fail(`no merged event found by agent search (${found.statusCode})`);
    }
  });
});

t.test('request classification for the audit trail', async (t) => {
  t.same(describeRequest('GET', 'Observation/o1'), { interaction: 'read', resourceType: 'Observation', id: 'o1', patient: undefined });
  t.equal(describeRequest('GET', 'Observation/o1/_history/2').interaction, 'vread');
  t.equal(describeRequest('GET', 'Observation/_history').interaction, 'history-type');
  t.equal(describeRequest('POST', 'Observation/_search').interaction, 'search-type');
  t.equal(describeRequest('POST', '').interaction, 'batch/transaction');
  t.same(describeRequest('GET', 'Patient/p1/$everything'), { interaction: 'operation', resourceType: 'Patient', id: 'p1', operation: 'everything', patient: 'p1' });
  t.equal(describeRequest('GET', '$find-subject-variants', { subject: ['p9'] }).patient, 'p9');
  t.equal(describeRequest('GET', 'Observation', { subject: ['Patient/p3'] }).patient, 'p3');
  t.equal(describeRequest('GET', 'Observation', { subject: ['Group/g1'] }).patient, undefined);
  t.same(describeRequest('GET', 'Patient/p1/Observation'), { interaction: 'search-compartment', resourceType: 'Observation', patient: 'p1', id: undefined });
});

t.test('a store that refuses multi-resource transactions (a standalone MongoDB) still gets the trail, one event per write', async (t) => {
  const { EmbeddedStore } = await import('../../src/storage/embedded/embedded-store.js');
  const { AuditLog } = await import('../../src/auth/audit-log.js');
  const { fhirError } = await import('../../src/fhir/errors.js');
  const store = new EmbeddedStore(mkdtempSync(join(tmpdir(), 'fgs-audit-single-')), { fsync: false });
  await store.init();
  t.teardown(() => store.close());
  // What the MongoDB adapter does on a standalone server (mongo-store.ts): a multi transaction is
  // refused before anything is written; single-resource ones run.
  let refused = 0;
  let single = 0;
  const standalone = new Proxy(store, {
    get(target, prop, receiver) {
      if (prop !== 'transaction') return Reflect.get(target, prop, receiver);
      return (work: never, opts?: { multi?: boolean }) => {
        if (opts?.multi) {
          refused++;
          throw fhirError('TRANSACTIONS_UNSUPPORTED', 'standalone');
        }
        single++;
        return target.transaction(work, opts);
      };
    },
  });
  const log = new AuditLog(standalone);
  const input = (id: string) => ({ facts: describeRequest('GET', `Patient/${id}`), method: 'GET', url: `/Patient/${id}`, status: 200, clientId: 'c' });
  for (const id of ['a', 'b', 'c']) log.record(input(id));
  log.record({ ...input('d'), status: 404 });
  await log.flush();
  t.equal(refused, 1, 'the multi transaction was tried once');
  t.equal(single, log.written, 'then each event had its own write');
  for (const id of ['e', 'f']) log.record({ ...input(id), status: 403 });
  await log.flush();
  t.equal(refused, 1, 'and later batches go one by one at once');
  const stored = await store.search({ types: ['AuditEvent'], filter: {}, limit: 100 });
  t.equal(stored.records.length, log.written, 'every event is stored');
  t.ok(log.written >= 3, `${log.written} events written`);
  await log.close();
});

t.test('a Patient on another server\'s base is not our patient (audit facts, patient-token guard)', async (t) => {
  const base = 'http://127.0.0.1:8080/fhir';
  t.equal(describeRequest('GET', 'Observation', { subject: ['http://other.org/fhir/Patient/p1'] }, base).patient, undefined, 'foreign base: no local patient');
  t.equal(describeRequest('GET', 'Observation', { subject: [`${base}/Patient/p1`] }, base).patient, 'p1', 'own base: p1');
  t.equal(describeRequest('GET', 'Observation', { patient: ['Patient/p1'] }, base).patient, 'p1', 'relative: p1');
  t.equal(describeRequest('GET', '$find-subject-variants', { subject: ['p1'] }, base).patient, 'p1', 'an operation\'s bare subject id');

  const app = await buildApp(testConfig({ auth: true, dataDir: mkdtempSync(join(tmpdir(), 'fgs-audit-foreign-')), fsync: false, security: securityConfig() }));
  t.teardown(() => app.close());
  const p1 = await serverToken(app, ['patient/*.rs'], { clientId: 'app-foreign', patient: 'p1' });
  const foreign = await app.inject({ url: `/fhir/$find-subject-variants?subject=${encodeURIComponent('http://other.org/fhir/Patient/p1')}&ranges=NC_000007.14:1-2`, headers: bearer(p1) });
  t.equal(foreign.statusCode, 404, 'a patient token cannot name another server\'s patient p1 as its own');
  t.match(foreign.json().issue[0].diagnostics, /not a patient of this server/);
});
