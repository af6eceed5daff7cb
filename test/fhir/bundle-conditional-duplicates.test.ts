import t from 'tap';
import { send, testApp } from './helpers.js';

// Conditional entries of one transaction must not each create "the one" resource their criteria
// stand for (https://hl7.org/fhir/R4/http.html#ccreate).

const patient = (value: string, extra: Record<string, unknown> = {}) => ({ resourceType: 'Patient', identifier: [{ system: 'urn:dupcu', value }], ...extra });
const count = async (app: Awaited<ReturnType<typeof testApp>>) => (await send(app, 'GET', '/fhir/Patient?_summary=count')).json().total;
const tx = (entry: unknown[]) => ({ resourceType: 'Bundle', type: 'transaction', entry });

t.test('two conditional entries with the same criteria refuse the transaction, naming both', async (t) => {
  const app = await testApp(t);
  const cases: Array<[string, unknown[], RegExp, string]> = [
    ['PUT, PUT, POST ifNoneExist', [
      { resource: patient('1'), request: { method: 'PUT', url: 'Patient?identifier=urn:dupcu|1' } },
      { resource: patient('1'), request: { method: 'PUT', url: 'Patient?identifier=urn:dupcu|1' } },
      { resource: patient('1'), request: { method: 'POST', url: 'Patient', ifNoneExist: 'identifier=urn:dupcu|1' } },
    ], /Bundle\.entry\[1\].*same criteria.*Bundle\.entry\[0\]/, 'Bundle.entry[1].request'],
    ['two identical ifNoneExist POSTs', [
      { resource: patient('2'), request: { method: 'POST', url: 'Patient', ifNoneExist: 'identifier=urn:dupcu|2' } },
      { resource: patient('2'), request: { method: 'POST', url: 'Patient', ifNoneExist: 'identifier=urn:dupcu|2' } },
    ], /Bundle\.entry\[1\].*same criteria.*Bundle\.entry\[0\]/, 'Bundle.entry[1].request'],
    ['the same criteria in another order and encoding', [
      { resource: patient('3', { gender: 'male' }), request: { method: 'POST', url: 'Patient', ifNoneExist: 'Patient?gender=male&identifier=urn:dupcu|3' } },
      { resource: patient('3', { gender: 'male' }), request: { method: 'PUT', url: 'Patient?identifier=urn%3Adupcu%7C3&gender=male' } },
    ], /Bundle\.entry\[1\].*same criteria.*Bundle\.entry\[0\]/, 'Bundle.entry[1].request'],
  ];
  for (const [what, entry, message, where] of cases) {
    const res = await send(app, 'POST', '/fhir', tx(entry));
    t.equal(res.statusCode, 400, `${what}: ${res.body.slice(0, 200)}`);
    const issue = res.json().issue[0];
    t.match(issue.diagnostics, message, what);
    t.same(issue.expression, [where], what);
  }
  t.equal(await count(app), 0, 'nothing stored');
});

t.test('a conditional create whose criteria match what another entry writes is refused before commit', async (t) => {
  const app = await testApp(t);
  const cases: Array<[string, unknown[]]> = [
    ['a plain POST and an ifNoneExist POST', [
      { resource: patient('4'), request: { method: 'POST', url: 'Patient' } },
      { resource: patient('4'), request: { method: 'POST', url: 'Patient', ifNoneExist: 'identifier=urn:dupcu|4' } },
    ]],
    ['equivalent criteria, different parameters', [
      { resource: patient('5'), request: { method: 'POST', url: 'Patient', ifNoneExist: 'identifier=urn:dupcu|5' } },
      { resource: patient('5'), request: { method: 'PUT', url: 'Patient?identifier=urn:dupcu|5&identifier:missing=false' } },
    ]],
  ];
  for (const [what, entry] of cases) {
    const res = await send(app, 'POST', '/fhir', tx(entry));
    t.equal(res.statusCode, 400, `${what}: ${res.body.slice(0, 200)}`);
    t.match(res.json().issue[0].diagnostics, /also match the resource Bundle\.entry\[\d\] writes/, what);
  }
  t.equal(await count(app), 0, 'nothing stored');
});

t.test('distinct criteria, and criteria that match an existing resource, still work', async (t) => {
  const app = await testApp(t);
  await send(app, 'PUT', '/fhir/Patient/known', patient('9', { id: 'known' }));
  const res = await send(app, 'POST', '/fhir', tx([
    { resource: patient('6'), request: { method: 'PUT', url: 'Patient?identifier=urn:dupcu|6' } },
    { resource: patient('7'), request: { method: 'POST', url: 'Patient', ifNoneExist: 'identifier=urn:dupcu|7' } },
    { resource: patient('9'), request: { method: 'POST', url: 'Patient', ifNoneExist: 'identifier=urn:dupcu|9' } },
    { resource: patient('8'), request: { method: 'PUT', url: 'Patient?identifier=urn:dupcu|8&identifier=urn:dupcu|6' } },
  ]));
  t.equal(res.statusCode, 200, res.body.slice(0, 300));
  t.same(res.json().entry.map((e: { response: { status: string } }) => e.response.status), ['201 Created', '201 Created', '200 OK', '201 Created']);
  t.equal(await count(app), 4);
});
