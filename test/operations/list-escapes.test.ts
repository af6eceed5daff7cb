import t from 'tap';
import type { Observation, Parameters } from '@medplum/fhirtypes';
import { docsApp } from '../docs/helpers.js';
import { demoTransactionBundle } from '../../src/demo/demo-data.js';
import { put } from './helpers.js';

/**
 * List inputs are comma lists (OR), as search parameters are, and a comma inside one value is
 * written `\,` (https://hl7.org/fhir/R4/search.html#escaping): the token inputs match a display
 * or text, and those hold commas ("Carcinoma, non-small cell lung"). Unescaped, such a value was
 * cut in two and matched nothing ("absent").
 */
t.test('a `\\,` inside a list input is a comma of the value, over GET and in a POSTed valueString', async (t) => {
  const app = await docsApp({ seed: true });
  t.teardown(() => app.close());
  const dx = demoTransactionBundle().entry!.find((e) => e.resource?.id === 'demo-dx-egfr')!.resource as Observation;
  await put(app, {
    ...dx, id: 'dx-comma',
    component: dx.component!.map((c) => (c.code.coding?.[0]?.code === '81259-4' ? { ...c, valueCodeableConcept: { text: 'Carcinoma, non-small cell lung' } } : c)),
  });
  const ids = (p: Parameters) => (p.parameter ?? []).filter((x) => x.name === 'implication').map((x) => x.resource!.id).sort();
  const get = async (conditions: string) => {
    const res = await app.inject(`/fhir/$find-subject-dx-implications?subject=Patient/demo-p1&conditions=${encodeURIComponent(conditions)}`);
    t.equal(res.statusCode, 200, res.body.slice(0, 300));
    return ids(res.json() as Parameters);
  };
  const post = async (conditions: string) => {
    const res = await app.inject({ method: 'POST', url: '/fhir/$find-subject-dx-implications', headers: { 'content-type': 'application/fhir+json' },
      payload: JSON.stringify({ resourceType: 'Parameters', parameter: [{ name: 'subject', valueString: 'Patient/demo-p1' }, { name: 'conditions', valueString: conditions }] }) });
    t.equal(res.statusCode, 200, res.body.slice(0, 300));
    return ids(res.json() as Parameters);
  };
  for (const ask of [get, post]) {
    t.same(await ask('Carcinoma\\, non-small cell lung'), ['dx-comma'], `${ask.name}: the escaped comma is the value's`);
    t.same(await ask('Carcinoma\\, non-small cell lung,http://snomed.info/sct|254637007'), ['demo-dx-egfr', 'dx-comma'], `${ask.name}: beside another value`);
    t.same(await ask('Carcinoma, non-small cell lung'), [], `${ask.name}: unescaped, two values neither matches`);
    t.same(await ask('http://snomed.info/sct|254637007'), ['demo-dx-egfr'], `${ask.name}: plain values as before`);
  }
});
