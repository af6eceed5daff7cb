import t from 'tap';
import type { Bundle } from '@medplum/fhirtypes';
import { testApp } from '../fhir/helpers.js';
import { example, examplesSkip, loadBundle, put } from './helpers.js';

/** Patient/{id}/$everything: compartment contents, paging, _type, _since. */
t.test('Patient $everything', { skip: examplesSkip }, async (t) => {
  const app = await testApp(t);
  await loadBundle(app, example('bundle-cgexample'));
  await put(app, { resourceType: 'Patient', id: 'other' });
  await put(app, { resourceType: 'Observation', id: 'other-obs', status: 'final', code: { text: 'x' }, subject: { reference: 'Patient/other' } } as never);
  const get = async (url: string) => {
    const res = await app.inject({ method: 'GET', url });
    t.equal(res.statusCode, 200, res.body);
    return res.json() as Bundle;
  };

  const ids: string[] = [];
  let page = await get('/fhir/Patient/ExamplePatient/$everything?_count=5');
  t.equal(page.type, 'searchset');
  let pages = 1;
  for (;;) {
    t.ok((page.entry ?? []).length <= 5, 'page size honoured');
    ids.push(...(page.entry ?? []).filter((e) => e.resource?.resourceType !== 'OperationOutcome').map((e) => `${e.resource!.resourceType}/${e.resource!.id}`));
    const next = page.link?.find((l) => l.relation === 'next')?.url;
    if (!next) break;
    page = await get(next.replace('http://localhost', ''));
    pages++;
  }
  t.ok(pages >= 3, `${pages} pages`);
  t.equal(new Set(ids).size, ids.length, 'no resource twice across pages');
  for (const r of ['Patient/ExamplePatient', 'DiagnosticReport/report', 'Observation/discrete-variant', 'Observation/highrisk', 'Specimen/ExampleSpecimen', 'ServiceRequest/ExampleServiceRequest']) {
    t.ok(ids.includes(r), r);
  }
  t.notOk(ids.includes('Observation/other-obs'), "another patient's data is not included");
  t.notOk(ids.includes('Patient/other'));

  const obs = await get('/fhir/Patient/ExamplePatient/$everything?_type=Observation,DiagnosticReport&_count=100');
  t.same([...new Set(obs.entry!.map((e) => e.resource!.resourceType))].sort(), ['DiagnosticReport', 'Observation']);
  const future = await get('/fhir/Patient/ExamplePatient/$everything?_since=2999-01-01T00:00:00Z');
  t.equal((future.entry ?? []).length, 0, '_since after every change: nothing');
  const past = await get('/fhir/Patient/ExamplePatient/$everything?_since=2000-01-01T00:00:00Z&_count=100');
  t.ok((past.entry ?? []).length >= 10);

  t.equal((await app.inject({ method: 'GET', url: '/fhir/Patient/nobody/$everything' })).statusCode, 404);
  const badType = await app.inject({ method: 'GET', url: '/fhir/Patient/ExamplePatient/$everything?_type=Organization' });
  t.equal(badType.statusCode, 400);
  t.same(badType.json().issue[0].expression, ['_type']);
  t.equal((await app.inject({ method: 'GET', url: '/fhir/Patient/ExamplePatient/$everything?_since=yesterday' })).statusCode, 400);
  const impossible = await app.inject({ method: 'GET', url: '/fhir/Patient/ExamplePatient/$everything?_since=2021-02-29T00:00:00Z' });
  t.equal(impossible.statusCode, 400, 'a day February 2021 lacks');
  t.same(impossible.json().issue[0].expression, ['_since'], 'named as the parameter sent (not the _lastUpdated it becomes)');
});
