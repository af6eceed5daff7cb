import t from 'tap';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createStore } from '../../src/storage/create-store.js';
import { testConfig } from '../../src/config.js';
import { send, testApp } from './helpers.js';

const obs = (subject: string, extra: Record<string, unknown> = {}) => ({
  resourceType: 'Observation', status: 'final', code: { text: 'variant' }, subject: { reference: subject }, ...extra,
});

t.test('transaction: urn:uuid references rewritten, ids assigned, one commit', async (t) => {
  const app = await testApp(t);
  const res = await send(app, 'POST', '/fhir', {
    resourceType: 'Bundle', type: 'transaction',
    entry: [
      { fullUrl: 'urn:uuid:0b4e6e0e-0000-4000-8000-000000000002', resource: obs('urn:uuid:0b4e6e0e-0000-4000-8000-000000000001', { specimen: { reference: 'urn:uuid:0b4e6e0e-0000-4000-8000-000000000003' } }), request: { method: 'POST', url: 'Observation' } },
      { fullUrl: 'urn:uuid:0b4e6e0e-0000-4000-8000-000000000001', resource: { resourceType: 'Patient' }, request: { method: 'POST', url: 'Patient' } },
      { fullUrl: 'urn:uuid:0b4e6e0e-0000-4000-8000-000000000003', resource: { resourceType: 'Specimen', id: 'sp1', subject: { reference: 'urn:uuid:0b4e6e0e-0000-4000-8000-000000000001' } }, request: { method: 'PUT', url: 'Specimen/sp1' } },
    ],
  });
  t.equal(res.statusCode, 200);
  const b = res.json();
  t.equal(b.type, 'transaction-response');
  t.same(b.entry.map((e: { response: { status: string } }) => e.response.status), ['201 Created', '201 Created', '201 Created']);
  const obsId = b.entry[0].resource.id;
  const patId = b.entry[1].resource.id;
  t.match(b.entry[0].response.location, new RegExp(`/Observation/${obsId}/_history/1$`));
  const stored = (await send(app, 'GET', `/fhir/Observation/${obsId}`)).json();
  t.equal(stored.subject.reference, `Patient/${patId}`);
  t.equal(stored.specimen.reference, 'Specimen/sp1');
  t.equal((await send(app, 'GET', '/fhir/Specimen/sp1')).json().subject.reference, `Patient/${patId}`);
  const hist = (await send(app, 'GET', '/fhir/_history')).json();
  t.equal(new Set(hist.entry.map((e: { response: { lastModified: string } }) => e.response.lastModified)).size, 1, 'one commit, one timestamp');
});

t.test('transaction: spec order DELETE, POST, PUT/PATCH, GET; PATCH entries carry a Binary', async (t) => {
  const app = await testApp(t);
  await send(app, 'PUT', '/fhir/Patient/old', { resourceType: 'Patient', id: 'old' });
  await send(app, 'PUT', '/fhir/Patient/p1', { resourceType: 'Patient', id: 'p1' });
  const patch = Buffer.from(JSON.stringify([{ op: 'add', path: '/active', value: true }])).toString('base64');
  const res = await send(app, 'POST', '/fhir', {
    resourceType: 'Bundle', type: 'transaction',
    entry: [
      { request: { method: 'GET', url: 'Patient/p1' } },
      { resource: { resourceType: 'Binary', contentType: 'application/json-patch+json', data: patch }, request: { method: 'PATCH', url: 'Patient/p1' } },
      { resource: { resourceType: 'Patient', id: 'new', gender: 'male' }, request: { method: 'PUT', url: 'Patient/new' } },
      { resource: { resourceType: 'Patient', gender: 'female' }, request: { method: 'POST', url: 'Patient' } },
      { request: { method: 'DELETE', url: 'Patient/old' } },
    ],
  });
  t.equal(res.statusCode, 200, res.body);
  const b = res.json();
  t.equal(b.entry[0].resource.active, true, 'GET ran after the PATCH');
  t.same(b.entry.map((e: { response: { status: string } }) => e.response.status), ['200 OK', '200 OK', '201 Created', '201 Created', '204 No Content']);
  const hist = (await send(app, 'GET', '/fhir/_history?_count=4')).json();
  // Newest first: the writes were applied DELETE, POST, then PUT/PATCH in Bundle order
  // (history shows a first version as POST, a later one as PUT).
  t.same(hist.entry.map((e: { request: { method: string } }) => e.request.method), ['POST', 'PUT', 'POST', 'DELETE']);
  t.same(hist.entry.map((e: { fullUrl: string }) => e.fullUrl.split('/').pop()).slice(0, 2), ['new', 'p1']);
});

t.test('transaction: entries overlapping on one resource fail it (https://hl7.org/fhir/R4/http.html#trules)', async (t) => {
  const app = await testApp(t);
  const res = await send(app, 'POST', '/fhir', {
    resourceType: 'Bundle', type: 'transaction',
    entry: [
      { resource: { resourceType: 'Patient', id: 'p1' }, request: { method: 'PUT', url: 'Patient/p1' } },
      { request: { method: 'DELETE', url: 'Patient/p1' } },
    ],
  });
  t.equal(res.statusCode, 400);
  t.match(res.json().issue[0].diagnostics, /also the target/);
  t.equal((await send(app, 'GET', '/fhir/Patient/p1')).statusCode, 404);
});

t.test('transaction: a failing entry stores nothing and is named in the OperationOutcome', async (t) => {
  const app = await testApp(t);
  await send(app, 'PUT', '/fhir/Patient/p1', { resourceType: 'Patient', id: 'p1' });
  const before = (await send(app, 'GET', '/fhir/_history')).json().total;
  const cases: Array<[string, unknown[], number, RegExp]> = [
    ['invalid resource', [
      { resource: { resourceType: 'Patient' }, request: { method: 'POST', url: 'Patient' } },
      { resource: { resourceType: 'Patient' }, request: { method: 'POST', url: 'Patient' } },
      { resource: { resourceType: 'Observation', id: 'x', status: 'final' }, request: { method: 'PUT', url: 'Patient/x' } },
    ], 400, /^Bundle\.entry\[2\]/],
    ['version conflict', [
      { resource: { resourceType: 'Patient' }, request: { method: 'POST', url: 'Patient' } },
      { resource: { resourceType: 'Patient', id: 'p1', active: true }, request: { method: 'PUT', url: 'Patient/p1', ifMatch: 'W/"7"' } },
    ], 412, /^Bundle\.entry\[1\]/],
    ['unresolved urn:uuid', [
      { fullUrl: 'urn:uuid:0b4e6e0e-0000-4000-8000-0000000000aa', resource: obs('urn:uuid:0b4e6e0e-0000-4000-8000-0000000000bb'), request: { method: 'POST', url: 'Observation' } },
    ], 400, /^Bundle\.entry\[0\]/],
    ['patch of a missing resource', [
      { resource: { resourceType: 'Patient' }, request: { method: 'POST', url: 'Patient' } },
      { resource: { resourceType: 'Binary', contentType: 'application/json-patch+json', data: Buffer.from('[]').toString('base64') }, request: { method: 'PATCH', url: 'Patient/missing' } },
    ], 404, /^Bundle\.entry\[1\]/],
    ['bad method', [{ request: { method: 'FETCH', url: 'Patient' } }], 400, /^Bundle\.entry\[0\]/],
  ];
  for (const [name, entry, status, where] of cases) {
    const res = await send(app, 'POST', '/fhir', { resourceType: 'Bundle', type: 'transaction', entry });
    t.equal(res.statusCode, status, name);
    const oo = res.json();
    t.equal(oo.resourceType, 'OperationOutcome', name);
    t.match(oo.issue[0].expression[0], where, `${name}: ${JSON.stringify(oo.issue[0])}`);
  }
  t.equal((await send(app, 'GET', '/fhir/_history')).json().total, before, 'the store is unchanged');
  t.notOk((await send(app, 'GET', '/fhir/Patient/p1')).json().active);
});

t.test('batch: each entry is answered on its own', async (t) => {
  const app = await testApp(t);
  await send(app, 'PUT', '/fhir/Patient/p1', { resourceType: 'Patient', id: 'p1' });
  const res = await send(app, 'POST', '/fhir', {
    resourceType: 'Bundle', type: 'batch',
    entry: [
      { resource: { resourceType: 'Patient', gender: 'female' }, request: { method: 'POST', url: 'Patient' } },
      { resource: { resourceType: 'Patient', id: 'p2' }, request: { method: 'PUT', url: 'Patient/p1' } },
      { request: { method: 'GET', url: 'Patient/p1' } },
      { request: { method: 'GET', url: 'Patient/nope' } },
      { request: { method: 'DELETE', url: 'Patient/p1' } },
      { request: { url: 'Patient' } },
    ],
  });
  t.equal(res.statusCode, 200);
  const b = res.json();
  t.equal(b.type, 'batch-response');
  t.same(b.entry.map((e: { response: { status: string } }) => e.response.status.split(' ')[0]), ['201', '400', '200', '404', '204', '400']);
  t.equal(b.entry[1].response.outcome.resourceType, 'OperationOutcome');
  t.equal(b.entry[2].resource.id, 'p1');
  const created = b.entry[0].response.location.replace('http://localhost', '').replace(/\/_history\/1$/, '');
  t.equal((await send(app, 'GET', created)).json().gender, 'female', 'the good entries were stored');
  t.equal((await send(app, 'GET', '/fhir/Patient/p1')).statusCode, 410);
});

t.test('bundle body checks', async (t) => {
  const app = await testApp(t);
  t.equal((await send(app, 'POST', '/fhir', { resourceType: 'Patient' })).statusCode, 400);
  t.equal((await send(app, 'POST', '/fhir', { resourceType: 'Bundle', type: 'collection' })).statusCode, 400);
  t.equal((await send(app, 'POST', '/fhir', { resourceType: 'Bundle', type: 'transaction' })).json().type, 'transaction-response', 'empty transaction');
});

t.test('a store without multi-document transactions refuses transaction Bundles, never half-applies', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'fgs-notx-'));
  const store = await createStore(testConfig({ dataDir: dir, fsync: false }));
  store.supportsTransactions = () => false; // what a standalone MongoDB reports
  const app = await testApp(t, { dataDir: dir }, { store });
  const res = await send(app, 'POST', '/fhir', {
    resourceType: 'Bundle', type: 'transaction',
    entry: [{ resource: { resourceType: 'Patient' }, request: { method: 'POST', url: 'Patient' } }],
  });
  t.equal(res.statusCode, 501);
  t.match(res.json().issue[0].diagnostics, /transactions/);
  t.equal((await send(app, 'GET', '/fhir/_history')).json().total, 0);
  const batch = await send(app, 'POST', '/fhir', {
    resourceType: 'Bundle', type: 'batch',
    entry: [{ resource: { resourceType: 'Patient' }, request: { method: 'POST', url: 'Patient' } }],
  });
  t.equal(batch.json().entry[0].response.status, '201 Created', 'batches still work');
});

t.test('a batch entry that refers to another entry of the batch fails alone (batch entries are independent)', async (t) => {
  const app = await testApp(t);
  const res = await send(app, 'POST', '/fhir', {
    resourceType: 'Bundle', type: 'batch', entry: [
      { fullUrl: 'urn:uuid:0d0d0d0d-0000-4000-8000-000000000001', resource: { resourceType: 'Patient', name: [{ family: 'A' }] }, request: { method: 'POST', url: 'Patient' } },
      { fullUrl: 'urn:uuid:0d0d0d0d-0000-4000-8000-000000000002', resource: { resourceType: 'Observation', status: 'final', code: { text: 'x' }, subject: { reference: 'urn:uuid:0d0d0d0d-0000-4000-8000-000000000001' } }, request: { method: 'POST', url: 'Observation' } },
    ],
  });
  t.equal(res.statusCode, 200);
  const [a, b] = res.json().entry;
  t.match(a.response.status, /^201/, 'the independent entry is created');
  t.match(b.response.status, /^400/, 'the dependent one fails');
  t.match(JSON.stringify(b.response.outcome), /another entry of the batch/);
  t.equal((await send(app, 'GET', '/fhir/Observation?_summary=count')).json().total, 0, 'and nothing of it is stored');
});

t.test('a transaction rewrites links to its entries in narrative too', async (t) => {
  const app = await testApp(t);
  const p = 'urn:uuid:0d0d0d0d-0000-4000-8000-00000000000a';
  const res = await send(app, 'POST', '/fhir', {
    resourceType: 'Bundle', type: 'transaction', entry: [
      { fullUrl: p, resource: { resourceType: 'Patient', name: [{ family: 'A' }] }, request: { method: 'POST', url: 'Patient' } },
      { resource: { resourceType: 'Observation', status: 'final', code: { text: 'x' }, subject: { reference: p },
        text: { status: 'generated', div: `<div xmlns="http://www.w3.org/1999/xhtml">About <a href="${p}">the patient</a>, not <a href="urn:uuid:0d0d0d0d-0000-4000-8000-0000000000ff">this</a></div>` } },
        request: { method: 'POST', url: 'Observation' } },
    ],
  });
  t.equal(res.statusCode, 200, res.body.slice(0, 300));
  const [pat, obs] = res.json().entry.map((e: { response: { location: string } }) => e.response.location.replace(/\/_history\/.*$/, ''));
  const stored = (await send(app, 'GET', `/fhir/${obs.replace(/^.*\/fhir\//, '')}`)).json();
  const patientRef = pat.replace(/^.*\/fhir\//, '');
  t.equal(stored.subject.reference, patientRef);
  t.match(stored.text.div, `href="${patientRef}"`, 'the link to the entry is rewritten');
  t.match(stored.text.div, 'href="urn:uuid:0d0d0d0d-0000-4000-8000-0000000000ff"', 'a link to no entry is left as it is');
});

t.test('transaction entries with Prefer: return=OperationOutcome carry their validation warnings too', async (t) => {
  const app = await testApp(t);
  const body = { resourceType: 'Observation', status: 'final', code: { coding: [{ system: 'http://loinc.org', code: '69548-6' }] } };
  const res = await send(app, 'POST', '/fhir', { resourceType: 'Bundle', type: 'transaction', entry: [{ resource: body, request: { method: 'POST', url: 'Observation' } }] }, { prefer: 'return=OperationOutcome' });
  t.equal(res.statusCode, 200, res.body.slice(0, 200));
  const issues = res.json().entry[0].response.outcome.issue as Array<{ severity: string }>;
  t.equal(issues[0].severity, 'information');
  t.ok(issues.some((i) => i.severity === 'warning'), 'the warnings a standalone create reports');
});

t.test('the Bundle itself is validated before any entry runs: 400 naming the element, nothing stored', async (t) => {
  const app = await testApp(t);
  const patient = { resourceType: 'Patient', id: 'bv1' };
  const cases: Array<[string, Record<string, unknown>, Record<string, unknown>, string]> = [
    ['unknown element on the Bundle', { bogus: 1 }, {}, 'Bundle.bogus'],
    ['bad id', { id: 'a_b' }, {}, 'Bundle.id'],
    ['bad timestamp', { timestamp: 'yesterday' }, {}, 'Bundle.timestamp'],
    ['an empty meta (ele-1)', { meta: {} }, {}, 'Bundle.meta'],
    ['unknown element on an entry', {}, { foo: 1 }, 'Bundle.entry[0].foo'],
    ['fullUrl that is not a uri', {}, { fullUrl: 'not a uri' }, 'Bundle.entry[0].fullUrl'],
    ['ifNoneExist not a string', {}, { request: { method: 'PUT', url: 'Patient/bv1', ifNoneExist: 5 } }, 'Bundle.entry[0].request.ifNoneExist'],
    ['url not a string', {}, { request: { method: 'PUT', url: 5 } }, 'Bundle.entry[0].request.url'],
    ['url an array', {}, { request: { method: 'PUT', url: ['Patient/bv1'] } }, 'Bundle.entry[0].request.url'],
    ['method not a code of http-verb', {}, { request: { method: 'FETCH', url: 'Patient/bv1' } }, 'Bundle.entry[0].request.method'],
    // empty objects and arrays are not FHIR JSON (ele-1): malformed like the rest, not a rule failure (422)
    ['an empty request', {}, { request: {} }, 'Bundle.entry[0].request'],
    ['an empty link array on an entry', {}, { link: [] }, 'Bundle.entry[0].link'],
  ];
  for (const type of ['transaction', 'batch']) {
    for (const [what, top, entry, path] of cases) {
      const ok = { resource: { resourceType: 'Patient', id: 'bv0' }, request: { method: 'PUT', url: 'Patient/bv0' } };
      const res = await send(app, 'POST', '/fhir', { resourceType: 'Bundle', type, ...top, entry: [ok, { resource: patient, request: { method: 'PUT', url: 'Patient/bv1' }, ...entry }] });
      const where = path.replace('entry[0]', 'entry[1]');
      // A batch answers a malformed entry in that entry's response; anything else is the whole Bundle's 400.
      const perEntry = type === 'batch' && path.startsWith('Bundle.entry');
      t.equal(res.statusCode, perEntry ? 200 : 400, `${type}: ${what}: ${perEntry ? 200 : 400} (${res.statusCode === 500 ? 'was a 500' : res.body.slice(0, 120)})`);
      const oo = perEntry ? res.json().entry?.[1]?.response?.outcome : res.json();
      if (perEntry) t.equal(res.json().entry?.[1]?.response?.status, '400 Bad Request', `${type}: ${what}: the entry answers 400`);
      t.equal(oo?.resourceType, 'OperationOutcome', `${type}: ${what}: an OperationOutcome`);
      t.ok(oo?.issue?.some((i: { expression?: string[] }) => i.expression?.includes(where)), `${type}: ${what}: names ${where} (${JSON.stringify(oo?.issue?.map((i: { expression?: string[] }) => i.expression))})`);
      const other = (await send(app, 'GET', '/fhir/Patient/bv0')).statusCode;
      t.equal(other, perEntry ? 200 : 404, `${type}: ${what}: the good entry ${perEntry ? 'is stored (batch entries are independent)' : 'is not stored'}`);
      if (other === 200) await send(app, 'DELETE', '/fhir/Patient/bv0');
    }
  }
  t.equal((await send(app, 'GET', '/fhir/Patient/bv1')).statusCode, 404, 'nothing stored');
  for (const type of ['transaction', 'batch']) {
    const empty = await send(app, 'POST', '/fhir', { resourceType: 'Bundle', type, entry: [] });
    t.equal(empty.statusCode, 400, `${type}: entry [] is malformed (ele-1): 400 like the Bundle's other malformed elements (${empty.body.slice(0, 120)})`);
    t.match(empty.json().issue?.[0], { expression: ['Bundle.entry'], diagnostics: /ele-1/ }, `${type}: names Bundle.entry`);
    const none = await send(app, 'POST', '/fhir', { resourceType: 'Bundle', type });
    t.equal(none.statusCode, 200, `${type}: no entry at all is an empty ${type} (entry is 0..*)`);
  }
  // Entry resources are still judged one by one: an invalid one fails only its batch entry.
  const res = await send(app, 'POST', '/fhir', {
    resourceType: 'Bundle', type: 'batch',
    entry: [
      { resource: { resourceType: 'Patient', id: 'bv2', gender: 'nope' }, request: { method: 'PUT', url: 'Patient/bv2' } },
      { resource: { resourceType: 'Patient', id: 'bv3' }, request: { method: 'PUT', url: 'Patient/bv3' } },
    ],
  });
  t.equal(res.statusCode, 200);
  t.match(res.json().entry.map((e: { response: { status: string } }) => e.response.status), [/^4/, /^201/]);
});

t.test('an entry whose resource is not an object is malformed, not a media type', async (t) => {
  const app = await testApp(t);
  for (const resource of [null, 'Patient', 5]) {
    const batch = await send(app, 'POST', '/fhir', { resourceType: 'Bundle', type: 'batch', entry: [{ resource, request: { method: 'POST', url: 'Patient' } }] });
    t.equal(batch.json().entry?.[0]?.response?.status, '400 Bad Request', `batch: ${JSON.stringify(resource)}`);
    t.ok(batch.json().entry[0].response.outcome.issue.some((i: { expression?: string[] }) => i.expression?.[0]?.startsWith('Bundle.entry[0].resource')), 'names entry[0].resource');
    const tx = await send(app, 'POST', '/fhir', { resourceType: 'Bundle', type: 'transaction', entry: [{ resource, request: { method: 'POST', url: 'Patient' } }] });
    t.equal(tx.statusCode, 400, `transaction: ${JSON.stringify(resource)}`);
  }
});

t.test('a HEAD entry is answered as GET without the body (https://hl7.org/fhir/R4/http.html#read: HEAD is GET with no body)', async (t) => {
  const app = await testApp(t);
  await send(app, 'PUT', '/fhir/Patient/p1', { resourceType: 'Patient', id: 'p1' });
  for (const type of ['batch', 'transaction']) {
    const res = await send(app, 'POST', '/fhir', { resourceType: 'Bundle', type, entry: [{ request: { method: 'HEAD', url: 'Patient/p1' } }, { request: { method: 'HEAD', url: 'Patient?_id=p1' } }, { request: { method: 'GET', url: 'Patient/p1' } }] });
    t.equal(res.statusCode, 200, type);
    const [head, search, get] = res.json().entry;
    t.match(head.response, { status: '200 OK', etag: 'W/"1"' }, `${type}: status and ETag as for GET`);
    t.notOk(head.resource, `${type}: no resource for HEAD`);
    t.notOk(search.resource, `${type}: no searchset for HEAD`);
    t.equal(get.resource.id, 'p1', `${type}: GET keeps its body`);
  }
  const missing = await send(app, 'POST', '/fhir', { resourceType: 'Bundle', type: 'batch', entry: [{ request: { method: 'HEAD', url: 'Patient/nope' } }] });
  t.match(missing.json().entry[0].response, { status: '404 Not Found' });
});
