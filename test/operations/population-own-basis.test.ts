import t from 'tap';
import type { Observation, Parameters, Resource } from '@medplum/fhirtypes';
import type { FastifyInstance } from 'fastify';
import { bearer, makeApp, serverToken } from '../auth/helpers.js';
import { demoTransactionBundle } from '../../src/demo/demo-data.js';
import { groups, opGet, partValue } from './helpers.js';

/**
 * "A patient meets numerator criteria if they have at least one implication matching the query
 * parameters" (IG, $find-population-*-implications): an implication asked for by the variants it
 * derives from counts its patient when those are the patient's own variants, as
 * $find-subject-*-implications answers for that patient. `derivedFrom` is whatever its writer
 * typed (a patient app can write it), and another patient's Variant says nothing of this one.
 */
const BRCA1 = 'NM_007294.4:c.5266dup'; // demo-p2's variant
const CYP2C19 = 'NM_000769.4:c.681G>A'; // demo-p3's variant
const TBD = 'http://hl7.org/fhir/uv/genomics-reporting/CodeSystem/tbd-codes-cs';

function demo(id: string): Observation {
  return demoTransactionBundle().entry!.find((e) => e.resource?.id === id)!.resource as Observation;
}

async function write(app: FastifyInstance, token: string, r: Resource) {
  return app.inject({ method: 'PUT', url: `/fhir/${r.resourceType}/${r.id}`, headers: { ...bearer(token), 'content-type': 'application/fhir+json' }, payload: JSON.stringify(r) });
}

t.test("population implication counts rest on each patient's own findings", async (t) => {
  const app = await makeApp({ config: { minCellSize: 1 } });
  t.teardown(() => app.close());
  const system = await serverToken(app, ['system/*.*']);
  const tx = await app.inject({ method: 'POST', url: '/fhir', headers: { ...bearer(system), 'content-type': 'application/fhir+json' }, payload: JSON.stringify(demoTransactionBundle()) });
  t.equal(tx.statusCode, 200, tx.body.slice(0, 300));

  // demo-p1's app links demo-p1's findings to other patients' Variants
  const p1 = await serverToken(app, ['patient/*.cruds'], { patient: 'demo-p1' });
  const p1Genotype = { ...demo('demo-gt-cyp2c19'), id: 'p1-gt', subject: { reference: 'Patient/demo-p1' }, specimen: undefined };
  const written: Observation[] = [
    { ...demo('demo-dx-egfr'), id: 'p1-dx-on-brca1', derivedFrom: [{ reference: 'Observation/demo-var-brca1' }] },
    p1Genotype,
    { ...demo('demo-tx-cyp2c19-clopidogrel'), id: 'p1-tx-on-gt', subject: { reference: 'Patient/demo-p1' }, derivedFrom: [{ reference: 'Observation/p1-gt' }] },
    {
      resourceType: 'Observation', id: 'p1-mc-on-brca1', status: 'final', code: { coding: [{ system: TBD, code: 'molecular-consequence' }] },
      subject: { reference: 'Patient/demo-p1' }, derivedFrom: [{ reference: 'Observation/demo-var-brca1' }],
    },
  ];
  for (const r of written) {
    const res = await write(app, p1, r);
    t.equal(res.statusCode, 201, `${r.id}: ${res.body.slice(0, 300)}`);
  }

  const listed = async (op: string, name: string, query: Record<string, string>) => {
    const res = await opGet(app, op, { ...query, includePatientList: 'true' }, bearer(system));
    t.equal(res.statusCode, 200, res.body.slice(0, 300));
    const g = groups(res.json() as Parameters, name)[0];
    return { numerator: (partValue(g, 'numerator') as { value: number }).value, subjects: g.filter((p) => p.name === 'subject').map((p) => p.valueString) };
  };
  t.same(await listed('find-population-dx-implications', 'implications', { variants: BRCA1 }), { numerator: 1, subjects: ['Patient/demo-p2'] },
    "dx by BRCA1: demo-p2 only (demo-p1's implication names demo-p2's variant)");
  t.same(await listed('find-population-molecular-consequences', 'consequences', { variants: BRCA1 }), { numerator: 0, subjects: [] },
    "consequences of BRCA1: nobody's own");
  t.same(await listed('find-population-tx-implications', 'implications', { variants: CYP2C19 }), { numerator: 1, subjects: ['Patient/demo-p3'] },
    "tx by the CYP2C19 variant: demo-p3 only (demo-p1's genotype names demo-p3's variant)");
  // demo-p1's own genotype is its own finding: asked by it, demo-p1 counts
  t.same(await listed('find-population-tx-implications', 'implications', { haplotypes: 'CYP2C19*2/*2' }), { numerator: 2, subjects: ['Patient/demo-p1', 'Patient/demo-p3'] });
  t.same(await listed('find-population-dx-implications', 'implications', {}), { numerator: 2, subjects: ['Patient/demo-p1', 'Patient/demo-p2'] },
    'without a basis asked, every dx implication counts its patient (demo-p1 once, for its two)');

  // the subject operation answers demo-p1 the same way
  for (const [op, query] of [['find-subject-dx-implications', { variants: BRCA1 }], ['find-subject-tx-implications', { variants: CYP2C19 }], ['find-subject-molecular-consequences', { variants: BRCA1 }]] as const) {
    const res = await opGet(app, op, { subject: 'Patient/demo-p1', ...query }, bearer(system));
    t.same((res.json() as Parameters).parameter ?? [], [], `${op} for demo-p1: nothing`);
  }
});
