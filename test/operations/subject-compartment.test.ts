import t from 'tap';
import type { Bundle, Observation, Parameters, ParametersParameter } from '@medplum/fhirtypes';
import type { FastifyInstance } from 'fastify';
import { bearer, makeApp, serverToken } from '../auth/helpers.js';
import { demoTransactionBundle } from '../../src/demo/demo-data.js';
import { EVIDENCE_URL } from '../../src/genomics/operations/evidence.js';
import { opGet } from './helpers.js';

/**
 * Subject operations answer with the subject's own data only: an implication's `derivedFrom`
 * and the reports listing it are written by whoever wrote them, and may name another patient's
 * Variant or be another patient's report.
 */
const TBD = 'http://hl7.org/fhir/uv/genomics-reporting/CodeSystem/tbd-codes-cs';

/** A copy of one of demo-p1's demo resources under another id, derived from another Variant. */
function relinked(from: string, id: string, variant: string): Observation {
  const r = demoTransactionBundle().entry!.find((e) => e.resource?.id === from)!.resource as Observation;
  return { ...r, id, derivedFrom: [{ reference: `Observation/${variant}` }] };
}

/** A molecular consequence (by its code: no profile claim to satisfy in full). */
function consequence(id: string, patient: string, variant: string): Observation {
  return {
    resourceType: 'Observation', id, status: 'final',
    code: { coding: [{ system: TBD, code: 'molecular-consequence' }] },
    subject: { reference: `Patient/${patient}` },
    derivedFrom: [{ reference: `Observation/${variant}` }],
  };
}

async function write(app: FastifyInstance, token: string, r: Observation | Bundle, method = 'PUT') {
  const url = r.resourceType === 'Bundle' ? '/fhir' : `/fhir/${r.resourceType}/${r.id}`;
  return app.inject({ method: r.resourceType === 'Bundle' ? 'POST' : method, url, headers: { ...bearer(token), 'content-type': 'application/fhir+json' }, payload: JSON.stringify(r) });
}

const names = (body: Parameters, name: string) => (body.parameter ?? []).filter((p) => p.name === name).map((p) => p.resource!.id);
const evidenceReports = (p: ParametersParameter) => (p.extension ?? []).filter((e) => e.url === EVIDENCE_URL)
  .flatMap((e) => e.extension ?? []).filter((e) => e.url === 'report').map((e) => e.valueReference?.reference);

t.test("a subject answer never carries another patient's Variant or report", async (t) => {
  const app = await makeApp({ config: { minCellSize: 1 } });
  t.teardown(() => app.close());
  const system = await serverToken(app, ['system/*.*']);
  t.equal((await write(app, system, demoTransactionBundle())).statusCode, 200);
  // demo-p1's own record links demo-p2's BRCA1 variant; the patient app can write that link itself
  const p1 = await serverToken(app, ['patient/*.cruds'], { patient: 'demo-p1' });
  for (const r of [relinked('demo-tx-egfr-osimertinib', 'leak-tx', 'demo-var-brca1'), relinked('demo-dx-egfr', 'leak-dx', 'demo-var-brca1'), consequence('leak-mc', 'demo-p1', 'demo-var-brca1')]) {
    const res = await write(app, p1, r);
    t.equal(res.statusCode, 201, `${r.id}: written (${res.body.slice(0, 300)})`);
  }
  // and demo-p2's report lists demo-p1's implication: not demo-p1's evidence
  const p2report = { ...(demoTransactionBundle().entry!.find((e) => e.resource?.id === 'demo-report-p2')!.resource as Observation) };
  (p2report as unknown as { result: unknown[] }).result.push({ reference: 'Observation/leak-tx' });
  t.equal((await write(app, system, p2report)).statusCode, 200);

  for (const [who, token] of [['patient token', p1], ['system token', system]] as const) {
    for (const [op, name] of [['find-subject-tx-implications', 'implication'], ['find-subject-dx-implications', 'implication'], ['find-subject-molecular-consequences', 'consequence']] as const) {
      const res = await opGet(app, op, { subject: 'Patient/demo-p1' }, bearer(token));
      t.equal(res.statusCode, 200, res.body);
      const body = res.json() as Parameters;
      const leak = (body.parameter ?? []).find((p) => p.resource?.id === `leak-${op.includes('tx') ? 'tx' : op.includes('dx') ? 'dx' : 'mc'}`);
      t.ok(leak, `${who} ${op}: demo-p1's own implication is answered`);
      t.notOk(names(body, 'variant').includes('demo-var-brca1'), `${who} ${op}: demo-p2's variant is not`);
      t.notOk(res.body.includes('demo-report-p2') || res.body.includes('ACC-demo-report-p2') || res.body.includes('demo-spec-demo-p2'),
        `${who} ${op}: nor demo-p2's report, accession or specimen`);
      if (name === 'implication' && leak) t.same(evidenceReports(leak).filter((r) => r?.includes('p2')), []);
    }
  }
  // the subject's own chain still comes with its evidence
  const own = (await opGet(app, 'find-subject-tx-implications', { subject: 'Patient/demo-p1' }, bearer(p1))).json() as Parameters;
  t.ok(names(own, 'variant').includes('demo-var-egfr-l858r'));
  const osimertinib = (own.parameter ?? []).find((p) => p.name === 'implication' && p.resource?.id !== 'leak-tx')!;
  t.same(evidenceReports(osimertinib), ['DiagnosticReport/demo-report-p1']);
});

t.test("$find-study-metadata does not read another patient's Specimen through the subject's report", async (t) => {
  const app = await makeApp();
  t.teardown(() => app.close());
  const system = await serverToken(app, ['system/*.*']);
  t.equal((await write(app, system, demoTransactionBundle())).statusCode, 200);
  const p1 = await serverToken(app, ['patient/*.cruds'], { patient: 'demo-p1' });
  const report = demoTransactionBundle().entry!.find((e) => e.resource?.id === 'demo-report-p1')!.resource as unknown as Observation;
  const mine = { ...report, id: 'p1-report-on-p2-specimen', specimen: [{ reference: 'Specimen/demo-spec-demo-p2' }] } as unknown as Observation;
  t.equal((await write(app, p1, mine)).statusCode, 201);
  for (const token of [p1, system]) {
    const res = await opGet(app, 'find-study-metadata', { subject: 'Patient/demo-p1' }, bearer(token));
    t.equal(res.statusCode, 200, res.body);
    t.notOk(res.body.includes('SPEC-demo-p2'), "demo-p2's specimen identifier is not read out");
    t.ok(res.body.includes('SPEC-demo-p1'), "demo-p1's own specimen still is");
  }
});

t.test('$find-study-metadata answers from the reports the caller may read (a token without DiagnosticReport rights reads none)', async (t) => {
  // The tests it answers are DiagnosticReports: their identifiers and dates are those reports'
  // content, which a token granted Observation rights only may not read (the evidence extension
  // of the implication operations drops such reports already).
  const app = await makeApp();
  t.teardown(() => app.close());
  const system = await serverToken(app, ['system/*.*']);
  t.equal((await write(app, system, demoTransactionBundle())).statusCode, 200);
  for (const [label, scopes, patient] of [
    ['patient token, Observation only', ['patient/Observation.rs'], 'demo-p1'],
    ['system token, Observation only', ['system/Observation.rs'], undefined],
  ] as const) {
    const token = await serverToken(app, [...scopes], { patient });
    const res = await opGet(app, 'find-study-metadata', { subject: 'Patient/demo-p1' }, bearer(token));
    t.equal(res.statusCode, 200, `${label}: ${res.body.slice(0, 200)}`);
    t.notOk(res.body.includes('ACC-demo-report-p1'), `${label}: the report's identifier is not read out`);
    t.same((res.json() as Parameters).parameter ?? [], [], `${label}: no test`);
  }
  for (const scopes of [['patient/Observation.rs', 'patient/DiagnosticReport.rs'], ['patient/*.rs']]) {
    const token = await serverToken(app, scopes, { patient: 'demo-p1' });
    const res = await opGet(app, 'find-study-metadata', { subject: 'Patient/demo-p1' }, bearer(token));
    t.ok(res.body.includes('ACC-demo-report-p1'), `${scopes.join(' ')}: the report is answered`);
  }
});
