import t from 'tap';
import type { Bundle } from '@medplum/fhirtypes';
import { testApp } from '../fhir/helpers.js';
import { example, examplesSkip, loadBundle } from './helpers.js';

/** The README recipe: a complete genomic report in one request. */
t.test('whole-report retrieval recipe', { skip: examplesSkip }, async (t) => {
  const app = await testApp(t);
  await loadBundle(app, example('bundle-cgexample'));
  const res = await app.inject({
    method: 'GET',
    url: '/fhir/DiagnosticReport?subject=Patient/ExamplePatient&category=GE&_include=DiagnosticReport:result&_include:iterate=Observation:derived-from&_include:iterate=Observation:has-member',
  });
  t.equal(res.statusCode, 200, res.body);
  const ids = ((res.json() as Bundle).entry ?? []).map((e) => `${e.search?.mode}:${e.resource!.resourceType}/${e.resource!.id}`);
  t.ok(ids.includes('match:DiagnosticReport/report'));
  for (const r of ['discrete-variant', 'dis-path', 'genotype', 'metab', 'complex-variant']) t.ok(ids.includes(`include:Observation/${r}`), `result ${r}`);
  t.ok(ids.includes('include:Observation/haplotype'), 'derived-from (genotype -> haplotype), iterated');
  t.ok(ids.includes('include:Observation/complex-component-D'), 'has-member of a grouping variant, iterated');
});
