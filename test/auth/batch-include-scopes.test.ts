import t from 'tap';
import type { Bundle } from '@medplum/fhirtypes';
import { bearer, FHIR_JSON, makeApp, putAs, serverToken } from './helpers.js';

/**
 * `_include` and `_revinclude` targets need the caller's rights on their type: a
 * `system/DiagnosticReport.rs` token does not get Observations by including them. The response
 * filter enforced that on a search answered at the top level only; the same search as a batch or
 * transaction GET entry answered its searchset inside the Bundle, unfiltered, so the token read
 * every result Observation of the report. Searches now leave unreadable includes out themselves.
 */
t.test('a batch or transaction GET entry includes only what the token may read', async (t) => {
  const app = await makeApp();
  t.teardown(() => app.close());
  const admin = await serverToken(app, ['system/*.cruds']);
  const put = putAs(app, admin);
  await put({ resourceType: 'Patient', id: 'p1' });
  await put({ resourceType: 'Observation', id: 'o1', status: 'final', code: { text: 'x' }, subject: { reference: 'Patient/p1' } } as never);
  await put({ resourceType: 'DiagnosticReport', id: 'r1', status: 'final', code: { text: 'r' }, subject: { reference: 'Patient/p1' }, result: [{ reference: 'Observation/o1' }] } as never);
  const reportsOnly = await serverToken(app, ['system/DiagnosticReport.rs'], { clientId: 'reports-only' });

  const direct = (await app.inject({ url: '/fhir/DiagnosticReport?_include=DiagnosticReport:result&_include=DiagnosticReport:subject', headers: bearer(reportsOnly) })).json() as Bundle;
  t.same(direct.entry?.map((e) => e.resource!.resourceType), ['DiagnosticReport'], 'top level');

  for (const type of ['batch', 'transaction']) {
    const res = await app.inject({
      method: 'POST', url: '/fhir', headers: { ...bearer(reportsOnly), ...FHIR_JSON },
      payload: { resourceType: 'Bundle', type, entry: [
        { request: { method: 'GET', url: 'DiagnosticReport?_include=DiagnosticReport:result' } },
        { request: { method: 'GET', url: 'DiagnosticReport?_include=DiagnosticReport:subject&_elements=status' } },
      ] },
    });
    t.equal(res.statusCode, 200, `${type}: ${res.body.slice(0, 300)}`);
    const inner = (res.json() as Bundle).entry!.map((e) => ((e.resource as Bundle).entry ?? []).map((x) => `${x.resource!.resourceType}/${x.resource!.id}`));
    t.same(inner, [['DiagnosticReport/r1'], ['DiagnosticReport/r1']], `${type}: no Observation or Patient comes with the report`);
    t.notMatch(res.body, /"Observation"|"Patient"/, `${type}: nothing of them in the answer`);
  }

  // a token with both rights still gets the include
  const both = await serverToken(app, ['system/DiagnosticReport.rs', 'system/Observation.rs'], { clientId: 'both' });
  const ok = await app.inject({
    method: 'POST', url: '/fhir', headers: { ...bearer(both), ...FHIR_JSON },
    payload: { resourceType: 'Bundle', type: 'batch', entry: [{ request: { method: 'GET', url: 'DiagnosticReport?_include=DiagnosticReport:result' } }] },
  });
  t.same(((ok.json() as Bundle).entry![0].resource as Bundle).entry!.map((x) => x.resource!.id), ['r1', 'o1']);
});
