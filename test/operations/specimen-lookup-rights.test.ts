import t from 'tap';
import type { Observation, Parameters, Resource } from '@medplum/fhirtypes';
import type { FastifyInstance } from 'fastify';
import { bearer, makeApp, serverToken } from '../auth/helpers.js';
import { demoTransactionBundle } from '../../src/demo/demo-data.js';
import { groups, jak2Variant, opGet, partValue } from './helpers.js';

/**
 * `specimenIdentifiers` looks Specimens up by identifier. The lookup itself must stay inside what
 * the token may see: a patient-level token whose own record names another patient's Specimen
 * (a reference is whatever its writer typed) would otherwise learn that Specimen's identifier,
 * by asking with a guess and seeing its own report or Variant filtered in (a count, a presence).
 */
const EGFR = 'NC_000007.14:55191800-55191900';
const JAK2 = 'NC_000009.12:5073769:G:T';

async function write(app: FastifyInstance, token: string, r: Resource) {
  return app.inject({ method: 'PUT', url: `/fhir/${r.resourceType}/${r.id}`, headers: { ...bearer(token), 'content-type': 'application/fhir+json' }, payload: JSON.stringify(r) });
}

t.test("specimenIdentifiers finds only the Specimens the token may see", async (t) => {
  const app = await makeApp({ config: { minCellSize: 1 } });
  t.teardown(() => app.close());
  const system = await serverToken(app, ['system/*.*']);
  const tx = await app.inject({ method: 'POST', url: '/fhir', headers: { ...bearer(system), 'content-type': 'application/fhir+json' }, payload: JSON.stringify(demoTransactionBundle()) });
  t.equal(tx.statusCode, 200, tx.body.slice(0, 300));
  // a Specimen of nobody (no subject: in no patient compartment), as a lab may file a panel sample
  t.equal((await write(app, system, { resourceType: 'Specimen', id: 'orphan', identifier: [{ system: 'urn:lab', value: 'ORPHAN-1' }] })).statusCode, 201);

  const p1 = await serverToken(app, ['patient/*.cruds'], { patient: 'demo-p1' });
  // demo-p1's own report on demo-p2's specimen (the third on the orphan one), and a Variant of
  // demo-p1's naming demo-p2's specimen itself: both written by demo-p1's app
  const report = demoTransactionBundle().entry!.find((e) => e.resource?.id === 'demo-report-p1')!.resource as unknown as Record<string, unknown>;
  for (const [id, specimen] of [['p1-report-on-p2-specimen', 'demo-spec-demo-p2'], ['p1-report-on-orphan', 'orphan']]) {
    const res = await write(app, p1, { ...report, id, identifier: [{ value: `ACC-${id}` }], specimen: [{ reference: `Specimen/${specimen}` }] } as unknown as Resource);
    t.equal(res.statusCode, 201, `${id}: ${res.body.slice(0, 300)}`);
  }
  const jak2: Observation = jak2Variant('p1-jak2', 'demo-p1', 'LA6683-2', { specimen: { reference: 'Specimen/demo-spec-demo-p2' } });
  t.equal((await write(app, p1, jak2)).statusCode, 201);

  const tests = async (token: string, specimenIdentifiers: string) => {
    const res = await opGet(app, 'find-study-metadata', { subject: 'Patient/demo-p1', specimenIdentifiers }, bearer(token));
    t.equal(res.statusCode, 200, res.body.slice(0, 300));
    return groups(res.json() as Parameters, 'tests').map((g) => partValue(g, 'testId')).sort();
  };
  const present = async (token: string, op: string, query: Record<string, string>, specimenIdentifiers: string) => {
    const res = await opGet(app, op, { subject: 'Patient/demo-p1', ...query, specimenIdentifiers }, bearer(token));
    t.equal(res.statusCode, 200, res.body.slice(0, 300));
    return partValue(groups(res.json() as Parameters, 'variants')[0], 'presence');
  };

  // the patient app: an identifier it may not see answers as an identifier nobody has
  for (const id of ['SPEC-demo-p2', 'urn:oid:2.16.840.1.113883.19.5.2|SPEC-demo-p2', 'ORPHAN-1', 'urn:lab|ORPHAN-1', 'NOBODY-1']) {
    t.same(await tests(p1, id), [], `patient token, ${id}: no test`);
    t.equal(await present(p1, 'find-subject-variants', { ranges: EGFR }, id), false, `patient token, ${id}: no EGFR variant through the report`);
    t.equal(await present(p1, 'find-subject-specific-variants', { variants: JAK2 }, id), false, `patient token, ${id}: no JAK2 variant through its own specimen`);
    const body = (await opGet(app, 'find-subject-variants', { subject: 'Patient/demo-p1', ranges: EGFR, specimenIdentifiers: id }, bearer(p1))).body;
    t.equal(body, (await opGet(app, 'find-subject-variants', { subject: 'Patient/demo-p1', ranges: EGFR, specimenIdentifiers: 'NOBODY-2' }, bearer(p1))).body, `patient token, ${id}: the same answer, byte for byte`);
  }
  // what its own record says still filters: its own specimen's identifier, and the references its reports hold
  t.same(await tests(p1, 'SPEC-demo-p1'), ['ACC-demo-report-p1'], "patient token: its own specimen's identifier");
  t.same(await tests(p1, 'Specimen/demo-spec-demo-p2'), ['ACC-p1-report-on-p2-specimen'], 'patient token: the reference its report holds');
  t.same(await tests(p1, 'Specimen/orphan'), ['ACC-p1-report-on-orphan']);
  t.equal(await present(p1, 'find-subject-specific-variants', { variants: JAK2 }, 'Specimen/demo-spec-demo-p2'), true);
  t.equal(await present(p1, 'find-subject-variants', { ranges: EGFR }, 'SPEC-demo-p1'), true);

  // a system token that may read every Specimen finds them by identifier
  const reader = await serverToken(app, ['system/Observation.rs', 'system/DiagnosticReport.rs', 'system/Specimen.rs']);
  t.same(await tests(reader, 'SPEC-demo-p2'), ['ACC-p1-report-on-p2-specimen']);
  t.same(await tests(reader, 'urn:lab|ORPHAN-1'), ['ACC-p1-report-on-orphan']);
  t.equal(await present(reader, 'find-subject-specific-variants', { variants: JAK2 }, 'SPEC-demo-p2'), true);
});
