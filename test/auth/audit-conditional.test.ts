import t from 'tap';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AuditEvent } from '@medplum/fhirtypes';
import { buildApp } from '../../src/http/app.js';
import { testConfig } from '../../src/config.js';
import { bearer, FHIR_JSON, securityConfig, serverToken } from './helpers.js';

/**
 * Conditional writes (`PATCH|PUT|DELETE /fhir/Type?criteria`, http.html#cond-update) are recorded
 * as the interaction they are: a conditional patch was recorded as `unknown` (no action U).
 */
t.test('conditional patch, update and delete are audited as patch, update and delete', async (t) => {
  const dataDir = mkdtempSync(join(tmpdir(), 'fgs-audit-cond-'));
  const app = await buildApp(testConfig({ auth: true, dataDir, fsync: false, security: securityConfig() }));
  t.teardown(async () => {
    await app.close();
    rmSync(dataDir, { recursive: true, force: true });
  });
  const token = await serverToken(app, ['system/*.cruds', 'system/AuditEvent.rs'], { clientId: 'cond' });
  const put = await app.inject({ method: 'PUT', url: '/fhir/Patient/p1', headers: { ...bearer(token), ...FHIR_JSON }, payload: { resourceType: 'Patient', id: 'p1', identifier: [{ system: 'urn:x', value: '1' }] } });
  t.equal(put.statusCode, 201, put.body);
  await app.auditLog!.flush();
  const writes: Array<[string, string, unknown, Record<string, string>]> = [
    ['PATCH', 'patch', [{ op: 'add', path: '/active', value: true }], { 'content-type': 'application/json-patch+json' }],
    ['PUT', 'update', { resourceType: 'Patient', id: 'p1', identifier: [{ system: 'urn:x', value: '1' }], active: false }, FHIR_JSON],
    ['DELETE', 'delete', undefined, {}],
  ];
  for (const [method, , payload, headers] of writes) {
    const res = await app.inject({ method: method as 'PATCH', url: '/fhir/Patient?identifier=urn:x|1', headers: { ...bearer(token), ...headers }, payload: payload === undefined ? undefined : JSON.stringify(payload) });
    t.ok(res.statusCode < 300, `conditional ${method}: ${res.statusCode} ${res.body}`);
  }
  await app.auditLog!.flush();
  const res = await app.inject({ url: '/fhir/AuditEvent?_count=100', headers: bearer(token) });
  const events = (res.json().entry ?? []).map((e: { resource: AuditEvent }) => e.resource) as AuditEvent[];
  for (const [method, code] of writes) {
    const ev = events.find((e) => e.entity?.some((en) => en.query) && e.subtype?.[0].code === code);
    t.ok(ev, `conditional ${method} recorded as ${code}`);
    t.equal(ev?.action, code === 'delete' ? 'D' : 'U', `conditional ${method}: action`);
  }
  t.notOk(events.some((e) => e.subtype?.[0].code === 'unknown'), 'no request recorded as unknown');
});
