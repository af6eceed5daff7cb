import t from 'tap';
import type { Parameters, ParametersParameter } from '@medplum/fhirtypes';
import { docsApp } from '../docs/helpers.js';
import { opGet } from './helpers.js';
import { EVIDENCE_URL } from '../../src/genomics/operations/evidence.js';

/**
 * A payer reads the `genomic-evidence` of an implication to see which report it rests on. When
 * the lab withdrew that report (entered-in-error) but not the Observations in it, the evidence
 * used to fall back to "no report lists it" and state the implication's own status, `final`:
 * the answer looked like standing evidence while its only report was retracted. A withdrawn
 * report that lists the implication is now named in the evidence with its status, so the
 * retraction is in the answer; a report standing beside it is still listed too.
 */
function evidence(p: ParametersParameter): Array<Record<string, unknown[]>> {
  return (p.extension ?? []).filter((x) => x.url === EVIDENCE_URL).map((e) => {
    const out: Record<string, unknown[]> = {};
    for (const part of e.extension ?? []) (out[part.url] ??= []).push(Object.entries(part).find(([k]) => k.startsWith('value'))?.[1]);
    return out;
  });
}

t.test('the evidence names a withdrawn report with its status instead of hiding it', async (t) => {
  const app = await docsApp({ seed: true });
  t.teardown(() => app.close());
  const ask = async () => {
    const res = await opGet(app, 'find-subject-tx-implications', { subject: 'Patient/demo-p3', treatments: 'http://www.nlm.nih.gov/research/umls/rxnorm|32968' });
    t.equal(res.statusCode, 200, res.body.slice(0, 300));
    return (res.json() as Parameters).parameter!.filter((p) => p.name === 'implication');
  };
  const before = await ask();
  t.equal(before.length, 1);
  t.same(evidence(before[0]).map((e) => [e.report, e.status]), [[[{ reference: 'DiagnosticReport/demo-report-p3', display: 'Genetic analysis report' }], ['final']]], 'the standing report');

  const patch = await app.inject({
    method: 'PATCH', url: '/fhir/DiagnosticReport/demo-report-p3', headers: { 'content-type': 'application/json-patch+json' },
    payload: JSON.stringify([{ op: 'replace', path: '/status', value: 'entered-in-error' }]),
  });
  t.equal(patch.statusCode, 200, patch.body.slice(0, 300));
  const after = await ask();
  t.equal(after.length, 1, 'the implication itself still stands (its own status is final)');
  const ev = evidence(after[0]);
  t.equal(ev.length, 1);
  t.same(ev[0].report, [{ reference: 'DiagnosticReport/demo-report-p3', display: 'Genetic analysis report' }], 'the withdrawn report is named');
  t.same(ev[0].status, ['entered-in-error'], 'with its status, not the implication\'s "final"');

  // a corrected report beside the withdrawn one: both are evidence, each with its status
  const corrected = (await app.inject({ url: '/fhir/DiagnosticReport/demo-report-p3' })).json();
  delete corrected.meta;
  const put = await app.inject({
    method: 'PUT', url: '/fhir/DiagnosticReport/demo-report-p3-corrected', headers: { 'content-type': 'application/fhir+json' },
    payload: { ...corrected, id: 'demo-report-p3-corrected', status: 'corrected', identifier: undefined },
  });
  t.equal(put.statusCode, 201, put.body.slice(0, 300));
  const both = evidence((await ask())[0]);
  t.same(both.map((e) => [(e.report[0] as { reference: string }).reference, e.status[0]]).sort(), [
    ['DiagnosticReport/demo-report-p3', 'entered-in-error'], ['DiagnosticReport/demo-report-p3-corrected', 'corrected'],
  ]);
});
