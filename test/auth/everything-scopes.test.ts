import t from 'tap';
import type { Bundle } from '@medplum/fhirtypes';
import { bearer, makeApp, putAs, serverToken } from './helpers.js';

/**
 * `$everything` searches only the types the token may search (found by black-box testing): once
 * AuditEvents named the patient, the first page came back empty (they sort first and were dropped
 * after the search), its cursor named an AuditEvent, and the next link answered 403.
 */
t.test('$everything skips types the token cannot search, page after page', async (t) => {
  const app = await makeApp();
  t.teardown(() => app.close());
  const admin = await serverToken(app, ['system/*.cruds']);
  const put = putAs(app, admin);
  await put({ resourceType: 'Patient', id: 'pe' });
  for (let i = 0; i < 4; i++) await put({ resourceType: 'Observation', id: `oe${i}`, status: 'final', code: { text: 'x' }, subject: { reference: 'Patient/pe' } } as never);
  for (let i = 0; i < 12; i++) await app.inject({ url: '/fhir/Patient/pe', headers: bearer(admin) });
  await app.auditLog!.flush();
  const auditor = await serverToken(app, ['system/AuditEvent.rs']);
  const trail = (await app.inject({ url: '/fhir/AuditEvent?patient=Patient/pe&_summary=count', headers: bearer(auditor) })).json();
  t.ok(trail.total > 3, `AuditEvents in the compartment exist (${trail.total})`);

  for (const [name, token] of [
    ['patient/*.cruds', await serverToken(app, ['patient/*.cruds'], { patient: 'pe', clientId: 'app-pe' })],
    ['system/*.cruds', admin],
  ] as const) {
    const seen: string[] = [];
    let url: string | undefined = '/fhir/Patient/pe/$everything?_count=2';
    let pages = 0;
    while (url && pages < 20) {
      const res = await app.inject({ url, headers: bearer(token) });
      t.equal(res.statusCode, 200, `${name}: ${url} ${res.body.slice(0, 200)}`);
      const b = res.json() as Bundle;
      const next = b.link?.find((l) => l.relation === 'next')?.url;
      const got = (b.entry ?? []).map((e) => `${e.resource!.resourceType}/${e.resource!.id}`);
      if (next) t.equal(got.length, 2, `${name}: a page followed by more is full (${got.join(' ')})`);
      for (const l of b.link ?? []) {
        const cursor = new URL(l.url).searchParams.get('_cursor');
        if (cursor) t.notMatch(Buffer.from(cursor, 'base64url').toString(), /AuditEvent/, `${name}: the cursor names no AuditEvent`);
      }
      seen.push(...got);
      url = next?.replace('http://localhost', '');
      pages++;
    }
    t.same(seen.sort(), ['Observation/oe0', 'Observation/oe1', 'Observation/oe2', 'Observation/oe3', 'Patient/pe'], `${name}: the whole compartment, no AuditEvent`);
  }
});
