import t from 'tap';
import { send, testApp } from './helpers.js';

// Conditional references (`Patient?identifier=…`) are resolved inside transactions only
// (https://hl7.org/fhir/R4/http.html#trules); stored literally they would point at nothing.

const obs = (extra: Record<string, unknown>) => ({ resourceType: 'Observation', status: 'final', code: { text: 'x' }, ...extra });
const CRITERIA = 'Patient?identifier=urn:cr|1';

t.test('outside a transaction a conditional reference is refused with its location', async (t) => {
  const app = await testApp(t);
  await send(app, 'PUT', '/fhir/Patient/p1', { resourceType: 'Patient', id: 'p1', identifier: [{ system: 'urn:cr', value: '1' }] });
  const cases: Array<[string, () => ReturnType<typeof send>, string]> = [
    ['create', () => send(app, 'POST', '/fhir/Observation', obs({ subject: { reference: CRITERIA } })), 'Observation.subject.reference'],
    ['update', () => send(app, 'PUT', '/fhir/Observation/o1', obs({ id: 'o1', focus: [{ reference: 'Patient/p1' }, { reference: CRITERIA }] })), 'Observation.focus[1].reference'],
    ['conditional update', () => send(app, 'PUT', '/fhir/Observation?identifier=urn:o|2', obs({ identifier: [{ system: 'urn:o', value: '2' }], subject: { reference: CRITERIA } })), 'Observation.subject.reference'],
  ];
  for (const [what, run, where] of cases) {
    const res = await run();
    t.equal(res.statusCode, 400, `${what}: ${res.body.slice(0, 200)}`);
    const issue = res.json().issue[0];
    t.same(issue.expression, [where], what);
    t.match(issue.diagnostics, /conditional reference.*resolved only inside a transaction/, what);
  }
  await send(app, 'PUT', '/fhir/Observation/o2', obs({ id: 'o2', subject: { reference: 'Patient/p1' } }));
  const patch = await send(app, 'PATCH', '/fhir/Observation/o2', [{ op: 'replace', path: '/subject/reference', value: CRITERIA }], { 'content-type': 'application/json-patch+json' });
  t.equal(patch.statusCode, 422, `patch (a result that is invalid answers 422): ${patch.body.slice(0, 200)}`);
  const batch = await send(app, 'POST', '/fhir', { resourceType: 'Bundle', type: 'batch', entry: [{ resource: obs({ subject: { reference: CRITERIA } }), request: { method: 'POST', url: 'Observation' } }] });
  t.equal(batch.json().entry[0].response.status, '400 Bad Request', 'a batch entry (batches do not resolve them)');
  const total = (await send(app, 'GET', '/fhir/Observation?_summary=count')).json().total;
  t.equal(total, 1, 'only the literal one is stored');
  t.equal((await send(app, 'GET', '/fhir/Observation/o2')).json().subject.reference, 'Patient/p1', 'the patch was not applied');
});

t.test('inside a transaction it is resolved; a search-looking string that is no Reference is left alone', async (t) => {
  const app = await testApp(t);
  await send(app, 'PUT', '/fhir/Patient/p1', { resourceType: 'Patient', id: 'p1', identifier: [{ system: 'urn:cr', value: '1' }] });
  const res = await send(app, 'POST', '/fhir', { resourceType: 'Bundle', type: 'transaction', entry: [{ resource: obs({ subject: { reference: CRITERIA } }), request: { method: 'POST', url: 'Observation' } }] });
  t.equal(res.statusCode, 200, res.body.slice(0, 200));
  const id = res.json().entry[0].response.location.replace(/^.*\/Observation\//, '').replace(/\/_history.*$/, '');
  t.equal((await send(app, 'GET', `/fhir/Observation/${id}`)).json().subject.reference, 'Patient/p1');
  const plain = await send(app, 'POST', '/fhir/Observation', obs({ subject: { reference: 'Patient/p1' }, valueString: CRITERIA }));
  t.equal(plain.statusCode, 201, 'a valueString that looks like one is data');
});

t.test('inside a transaction, a conditional reference without criteria or with an unknown parameter is 400, not 412', async (t) => {
  const app = await testApp(t);
  await send(app, 'PUT', '/fhir/Patient/p1', { resourceType: 'Patient', id: 'p1', identifier: [{ system: 'urn:cr', value: '1' }] });
  for (const ref of ['Patient?_count=1', 'Patient?nonsense=1']) {
    const res = await send(app, 'POST', '/fhir', { resourceType: 'Bundle', type: 'transaction', entry: [{ resource: obs({ subject: { reference: ref } }), request: { method: 'POST', url: 'Observation' } }] });
    t.equal(res.statusCode, 400, `${ref}: ${res.body.slice(0, 200)}`);
  }
  t.equal((await send(app, 'GET', '/fhir/Observation')).json().total, 0, 'nothing was stored');
});

t.test('inside a transaction it matches what the POST and PUT entries write, as the transaction leaves the store; two matches are 412', async (t) => {
  const app = await testApp(t);
  await send(app, 'PUT', '/fhir/Patient/p1', { resourceType: 'Patient', id: 'p1', identifier: [{ system: 'urn:cr', value: '1' }] });
  const tx = (...entry: unknown[]) => send(app, 'POST', '/fhir', { resourceType: 'Bundle', type: 'transaction', entry }, { prefer: 'return=representation' });
  const post = (value: string, extra: Record<string, unknown> = {}) => ({ resource: { resourceType: 'Patient', identifier: [{ system: 'urn:cr', value }] }, request: { method: 'POST', url: 'Patient', ...extra } });
  const refTo = (criteria: string) => ({ resource: obs({ subject: { reference: criteria } }), request: { method: 'POST', url: 'Observation' } });

  const made = await tx(refTo('Patient?identifier=urn:cr|new'), post('new'));
  t.equal(made.statusCode, 200, `a Patient the transaction creates: ${made.body.slice(0, 300)}`);
  const [o, p] = made.json().entry;
  t.equal(o.resource.subject.reference, `Patient/${p.resource.id}`, 'the reference names it (whatever the entry order)');
  const cond = await tx(post('cond', { ifNoneExist: 'identifier=urn:cr|cond' }), refTo('Patient?identifier=urn:cr|cond'));
  t.equal(cond.statusCode, 200, cond.body.slice(0, 300));
  t.equal(cond.json().entry[1].resource.subject.reference, `Patient/${cond.json().entry[0].resource.id}`, 'one a conditional create creates');
  const again = await tx(post('cond', { ifNoneExist: 'identifier=urn:cr|cond' }), refTo('Patient?identifier=urn:cr|cond'));
  t.equal(again.json().entry[1].resource.subject.reference, `Patient/${cond.json().entry[0].resource.id}`, 'and the one it matched, when it creates nothing');
  const moved = await tx(
    { resource: { resourceType: 'Patient', id: 'p1', identifier: [{ system: 'urn:cr', value: '2' }] }, request: { method: 'PUT', url: 'Patient/p1' } },
    refTo('Patient?identifier=urn:cr|2'),
  );
  t.equal(moved.statusCode, 200, moved.body.slice(0, 300));
  t.equal(moved.json().entry[1].resource.subject.reference, 'Patient/p1', 'an update: its new content');

  const before = (await send(app, 'GET', '/fhir/_history')).json().total;
  for (const [what, entries, n] of [
    ['a stored match and a created one', [post('2'), refTo('Patient?identifier=urn:cr|2')], 2],
    ['two created ones', [post('two'), post('two'), refTo('Patient?identifier=urn:cr|two')], 2],
    ['one this transaction updates away', [{ resource: { resourceType: 'Patient', id: 'p1', identifier: [{ system: 'urn:cr', value: '3' }] }, request: { method: 'PUT', url: 'Patient/p1' } }, refTo('Patient?identifier=urn:cr|2')], 0],
  ] as const) {
    const res = await tx(...entries);
    t.equal(res.statusCode, 412, `${what}: ${res.body.slice(0, 300)}`);
    t.match(res.json().issue[0].diagnostics, new RegExp(`Conditional reference Patient\\?identifier=urn:cr\\|\\w+ matched ${n} resources`), what);
  }
  t.equal((await send(app, 'GET', '/fhir/_history')).json().total, before, 'nothing of the refused ones is stored');
});
