import t, { type Test } from 'tap';
import { ErrorCatalog, FhirError, fhirError, type ErrorKey } from '../../src/fhir/errors.js';
import { send, testApp } from './helpers.js';

/**
 * An issue's `details.coding` names the error-catalog entry (src/fhir/errors.ts) of the response it
 * is in: its status is the response's status, its IssueType the issue's code. An error re-raised
 * under another key (a patch result that is not a valid resource: 400 → 422) must not keep the old
 * key (a 422 that said BAD_REQUEST).
 */
const SYSTEM = 'urn:fhir-genomics-server:error';
type Res = Awaited<ReturnType<typeof send>>;

function checkDetails(t: Test, label: string, status: number, outcome: { issue: { code: string; details?: { coding?: { system: string; code: string }[] } }[] }) {
  let coded = 0;
  for (const issue of outcome.issue) {
    for (const c of issue.details?.coding ?? []) {
      if (c.system !== SYSTEM) continue;
      coded++;
      const entry = ErrorCatalog[c.code as ErrorKey];
      t.ok(entry, `${label}: ${c.code} is a catalog code`);
      t.equal(entry?.status, status, `${label}: details ${c.code} is a ${status}`);
      t.equal(issue.code, entry?.code, `${label}: the issue code is the catalog entry's`);
    }
  }
  t.ok(coded > 0, `${label}: carries a catalog code`);
}

const patch = (app: Parameters<typeof send>[0], url: string, ops: unknown[]) =>
  app.inject({ method: 'PATCH', url, headers: { 'content-type': 'application/json-patch+json' }, payload: JSON.stringify(ops) });

t.test('a re-keyed error carries its new key in every catalog-coded issue', async (t) => {
  const first = fhirError('BAD_REQUEST', 'x', 'Patient.id');
  const again = new FhirError('UNPROCESSABLE', first.message, { issues: first.issues });
  t.equal(again.status, 422);
  t.match(again.issues[0], { catalogCode: 'UNPROCESSABLE', code: 'processing', diagnostics: 'x', expression: ['Patient.id'] });
  const plain = { severity: 'error' as const, code: 'structure' as const, diagnostics: 'y' };
  t.same(new FhirError('UNPROCESSABLE', 'y', { issues: [plain] }).issues[0], plain, 'an issue without a catalog code keeps its own code');
});

t.test('details match the status over several error paths', async (t) => {
  const app = await testApp(t);
  await send(app, 'PUT', '/fhir/Patient/p1', { resourceType: 'Patient', id: 'p1' });
  const cases: [string, Res][] = [
    ['patch changing the id', await patch(app, '/fhir/Patient/p1', [{ op: 'replace', path: '/id', value: 'p2' }])],
    ['patch changing the resourceType', await patch(app, '/fhir/Patient/p1', [{ op: 'replace', path: '/resourceType', value: 'Group' }])],
    ['unknown resource', await send(app, 'GET', '/fhir/Patient/none')],
    ['If-Match mismatch', await send(app, 'PUT', '/fhir/Patient/p1', { resourceType: 'Patient', id: 'p1' }, { 'if-match': 'W/"9"' })],
    ['malformed JSON', await send(app, 'POST', '/fhir/Patient', '{"resourceType":')],
    ['a transaction entry\'s patch changing the id', await send(app, 'POST', '/fhir', {
      resourceType: 'Bundle', type: 'transaction',
      entry: [{ request: { method: 'PATCH', url: 'Patient/p1' }, resource: { resourceType: 'Binary', contentType: 'application/json-patch+json', data: Buffer.from(JSON.stringify([{ op: 'replace', path: '/id', value: 'p2' }])).toString('base64') } }],
    })],
  ];
  for (const [label, res] of cases) {
    t.ok(res.statusCode >= 400, `${label}: ${res.statusCode}`);
    checkDetails(t, label, res.statusCode, res.json());
  }
  t.equal(cases[0][1].statusCode, 422, 'a patch whose result is not a valid resource (http.html#patch)');
});
