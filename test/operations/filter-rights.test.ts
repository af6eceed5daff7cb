import t from 'tap';
import type { OperationOutcome, Parameters } from '@medplum/fhirtypes';
import { bearer, makeApp, serverToken } from '../auth/helpers.js';
import { demoTransactionBundle } from '../../src/demo/demo-data.js';
import { groups, opGet, partValue } from './helpers.js';

/**
 * `testIdentifiers`, `testDateRange` and `specimenIdentifiers` are evaluated on DiagnosticReports
 * (and Specimens). A token that may not read those answers 403 naming the parameter: whether a
 * Variant is filtered in or out would otherwise tell which report (or specimen) it belongs to.
 */
const EGFR = 'NC_000007.14:55191800-55191900';
/** Each subject operation with the other inputs it requires. */
const OPS: Array<[string, Record<string, string>]> = [
  ['find-subject-variants', { ranges: EGFR }],
  ['find-subject-specific-variants', { variants: 'NC_000007.14:55191821:T:G' }],
  ['find-subject-structural-intersecting-variants', { ranges: EGFR }],
  ['find-subject-structural-subsuming-variants', { ranges: EGFR }],
  ['find-subject-haplotypes', { genes: 'EGFR' }],
  ['find-subject-specific-haplotypes', { haplotypes: 'CYP2C19*2' }],
  ['find-subject-tx-implications', {}],
  ['find-subject-dx-implications', {}],
  ['find-subject-molecular-consequences', {}],
  ['find-study-metadata', {}],
];
const FILTERS: Record<string, string> = {
  testIdentifiers: 'ACC-demo-report-p1',
  testDateRange: 'ge2025-01-01',
  specimenIdentifiers: 'demo-spec-demo-p1',
};

t.test('provenance filters need read rights on what they are evaluated on', async (t) => {
  const app = await makeApp({ config: { minCellSize: 1 } });
  t.teardown(() => app.close());
  const system = await serverToken(app, ['system/*.*']);
  const tx = await app.inject({ method: 'POST', url: '/fhir', headers: { ...bearer(system), 'content-type': 'application/fhir+json' }, payload: JSON.stringify(demoTransactionBundle()) });
  t.equal(tx.statusCode, 200, tx.body.slice(0, 300));
  const p1 = 'Patient/demo-p1';

  const obsOnly = await serverToken(app, ['system/Observation.rs']);
  const patientObsOnly = await serverToken(app, ['patient/Observation.rs'], { patient: 'demo-p1' });
  const noSpecimen = await serverToken(app, ['system/Observation.rs', 'system/DiagnosticReport.rs']);
  const all = await serverToken(app, ['system/Observation.rs', 'system/DiagnosticReport.rs', 'system/Specimen.rs']);
  const patientAll = await serverToken(app, ['patient/Observation.rs', 'patient/DiagnosticReport.rs', 'patient/Specimen.rs'], { patient: 'demo-p1' });

  // the leak being closed: an Observation-only token tells a report it cannot read by presence
  const present = async (token: string, testIdentifiers: string) => {
    const res = await opGet(app, 'find-subject-variants', { subject: p1, ranges: EGFR, testIdentifiers }, bearer(token));
    return res.statusCode === 200 ? partValue(groups(res.json() as Parameters, 'variants')[0], 'presence') : res.statusCode;
  };
  t.equal(await present(all, 'ACC-demo-report-p1'), true, 'a reader of reports filters by them');
  t.equal(await present(all, 'ACC-no-such-report'), false);
  t.equal(await present(obsOnly, 'ACC-demo-report-p1'), 403, 'an Observation-only token cannot probe the report');
  t.equal(await present(obsOnly, 'ACC-no-such-report'), 403, 'the answer does not depend on the data');

  for (const [op, required] of OPS) {
    for (const [name, value] of Object.entries(FILTERS)) {
      const ask = (token: string) => opGet(app, op, { subject: p1, ...required, [name]: value }, bearer(token));
      for (const [who, token] of [['system/Observation.rs', obsOnly], ['patient/Observation.rs', patientObsOnly]] as const) {
        const res = await ask(token);
        t.equal(res.statusCode, 403, `${op} ${name} with ${who}: 403`);
        const outcome = res.json() as OperationOutcome;
        t.same(outcome.issue?.[0]?.expression, [name], `${op} ${name} with ${who}: names ${name}`);
      }
      const specimenOnlyMissing = await ask(noSpecimen);
      t.equal(specimenOnlyMissing.statusCode, name === 'specimenIdentifiers' ? 403 : 200, `${op} ${name} without Specimen rights`);
      for (const [who, token] of [['system readers', all], ['patient readers', patientAll]] as const) {
        const res = await ask(token);
        t.equal(res.statusCode, 200, `${op} ${name} with ${who}: answered (${res.body.slice(0, 200)})`);
      }
    }
    // no provenance filter: an Observation-only token is answered as before
    t.equal((await opGet(app, op, { subject: p1, ...required }, bearer(obsOnly))).statusCode, 200, `${op} without filters`);
  }
});
