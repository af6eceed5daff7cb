import t from 'tap';
import { testConfig } from '../../src/config.js';
import { send, testApp } from './helpers.js';

// The size of a batch/transaction response is bounded (FHIR_MAX_BUNDLE_RESPONSE_BYTES); a
// transaction is refused before commit or answered in full, never failed after commit.

const limited = (maxBundleResponseBytes: number) => ({ security: { ...testConfig().security, maxBundleResponseBytes } });
const metadata = { request: { method: 'GET', url: 'metadata' } };
const count = async (app: Awaited<ReturnType<typeof testApp>>) => (await send(app, 'GET', '/fhir/Patient?_summary=count')).json().total;
const statuses = (res: { json(): { entry: Array<{ response: { status: string } }> } }) => res.json().entry.map((e) => e.response.status.split(' ')[0]);

t.test('transaction GETs past the limit refuse the transaction before commit: nothing stored, the answer is small', async (t) => {
  const probe = await testApp(t);
  const one = (await send(probe, 'GET', '/fhir/metadata')).body.length;
  const limit = Math.floor(one * 3.5);
  const app = await testApp(t, limited(limit));
  const entry = (n: number) => [{ resource: { resourceType: 'Patient' }, request: { method: 'POST', url: 'Patient' } }, ...Array.from({ length: n }, () => metadata)];
  const res = await send(app, 'POST', '/fhir', { resourceType: 'Bundle', type: 'transaction', entry: entry(10) });
  t.equal(res.statusCode, 400, 'refused, not a 500 after commit');
  const refused = res.json().issue[0];
  t.equal(refused.code, 'too-costly');
  t.match(refused.diagnostics, /^Bundle\.entry\[4\]: .*nothing was stored/, 'naming the first entry past the limit');
  t.ok(res.body.length < 10_000, `the answer is the outcome alone (${res.body.length})`);
  t.equal(await count(app), 0, 'the Patient is not stored');
  const fits = await send(app, 'POST', '/fhir', { resourceType: 'Bundle', type: 'transaction', entry: entry(3) });
  t.same(statuses(fits), ['201', '200', '200', '200'], 'three fit');
  t.equal(await count(app), 1);
});

t.test('a transaction whose write entries alone exceed the limit is refused before commit', async (t) => {
  const app = await testApp(t, limited(20_000));
  const big = { resourceType: 'Patient', name: [{ text: 'x'.repeat(3000) }] };
  const body = { resourceType: 'Bundle', type: 'transaction', entry: Array.from({ length: 10 }, () => ({ resource: big, request: { method: 'POST', url: 'Patient' } })) };
  const res = await send(app, 'POST', '/fhir', body, { prefer: 'return=representation' });
  t.equal(res.statusCode, 400);
  t.equal(res.json().issue[0].code, 'too-costly');
  t.match(res.json().issue[0].diagnostics, /nothing was stored.*return=minimal/);
  t.equal(await count(app), 0, 'nothing stored');
  const minimal = await send(app, 'POST', '/fhir', body, { prefer: 'return=minimal' });
  t.equal(minimal.statusCode, 200, 'the same Bundle fits without the representations');
  t.equal(await count(app), 10);
});

t.test('batch: a read past the limit answers too-costly, a write keeps its response line', async (t) => {
  const probe = await testApp(t);
  const one = (await send(probe, 'GET', '/fhir/metadata')).body.length;
  const app = await testApp(t, limited(Math.floor(one * 1.5)));
  const res = await send(app, 'POST', '/fhir', {
    resourceType: 'Bundle', type: 'batch',
    entry: [metadata, metadata, { resource: { resourceType: 'Patient', name: [{ text: 'x'.repeat(one) }] }, request: { method: 'POST', url: 'Patient' } }, { request: { method: 'GET', url: 'Patient/nope' } }],
  }, { prefer: 'return=representation' });
  t.equal(res.statusCode, 200);
  t.same(statuses(res), ['200', '400', '201', '404']);
  const created = res.json().entry[2];
  t.notOk(created.resource, 'the created resource does not fit');
  t.match(created.response.location, /\/Patient\/[^/]+\/_history\/1$/, 'but what happened is said');
  t.equal(await count(app), 1);
  const small = await send(app, 'POST', '/fhir', { resourceType: 'Bundle', type: 'batch', entry: [metadata] });
  t.same(statuses(small), ['200'], 'under the limit nothing changes');
});
