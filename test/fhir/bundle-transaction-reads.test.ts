import t from 'tap';
import { send, testApp } from './helpers.js';

// A transaction succeeds or fails as a whole (https://hl7.org/fhir/R4/http.html#transaction),
// its GET entries included: they run after the writes, on the state the writes made, and one that
// fails fails the transaction, with nothing stored.

type App = Awaited<ReturnType<typeof testApp>>;
const stored = async (app: App) => (await send(app, 'GET', '/fhir/_history')).json().total;
const writes = [
  { resource: { resourceType: 'Patient', identifier: [{ system: 'urn:tx-reads', value: 'new' }] }, request: { method: 'POST', url: 'Patient' } },
  { resource: { resourceType: 'Patient', id: 'p1', active: true }, request: { method: 'PUT', url: 'Patient/p1' } },
  { request: { method: 'DELETE', url: 'Patient/old' } },
];

for (const [what, url, status] of [
  ['a read of an unknown id', 'Patient/nope', 404],
  ['a search with a malformed value', 'Patient?birthdate=notadate', 400],
  ['a read of a resource this transaction deletes', 'Patient/old', 410],
] as const) {
  t.test(`${what} fails the whole transaction (${status}), naming the entry; nothing is stored`, async (t) => {
    const app = await testApp(t);
    await send(app, 'PUT', '/fhir/Patient/old', { resourceType: 'Patient', id: 'old' });
    const before = await stored(app);
    const res = await send(app, 'POST', '/fhir', {
      resourceType: 'Bundle', type: 'transaction',
      entry: [{ request: { method: 'GET', url: 'Patient?_id=old' } }, ...writes, { request: { method: 'GET', url } }],
    });
    t.equal(res.statusCode, status, res.body.slice(0, 300));
    const oo = res.json();
    t.equal(oo.resourceType, 'OperationOutcome');
    t.ok(oo.issue.some((i: { expression?: string[] }) => i.expression?.some((e) => e.startsWith('Bundle.entry[4]'))), 'the issue names Bundle.entry[4]');
    t.match(oo.issue[0].diagnostics, /^Bundle\.entry\[4\]/);
    t.equal(await stored(app), before, 'no version was written');
    t.equal((await send(app, 'GET', '/fhir/Patient/p1')).statusCode, 404, 'the PUT was not kept');
    t.equal((await send(app, 'GET', '/fhir/Patient/old')).statusCode, 200, 'the DELETE was not kept');
    t.equal((await send(app, 'GET', '/fhir/Patient?identifier=urn:tx-reads|new&_summary=count')).json().total, 0, 'the POST was not kept');
  });
}

t.test('GET entries see the state the writes made, and succeed with them', async (t) => {
  const app = await testApp(t);
  await send(app, 'PUT', '/fhir/Patient/old', { resourceType: 'Patient', id: 'old' });
  const res = await send(app, 'POST', '/fhir', {
    resourceType: 'Bundle', type: 'transaction',
    entry: [
      { request: { method: 'GET', url: 'Patient?identifier=urn:tx-reads|new' } },
      { request: { method: 'GET', url: 'Patient/p1' } },
      { request: { method: 'GET', url: 'Patient/p1/_history/1' } },
      { request: { method: 'HEAD', url: 'Patient/p1' } },
      { request: { method: 'GET', url: 'Patient?_id=old' } },
      ...writes,
    ],
  });
  t.equal(res.statusCode, 200, res.body.slice(0, 300));
  const [search, read, vread, head, gone] = res.json().entry;
  t.equal(search.resource.total, 1, 'the search finds the Patient the POST created');
  t.equal(search.resource.entry[0].resource.identifier[0].value, 'new');
  t.equal(read.resource.active, true, 'the read answers what the PUT wrote');
  t.match(read.response, { status: '200 OK', etag: 'W/"1"' });
  t.equal(vread.resource.id, 'p1', 'a vread of the version the PUT writes');
  t.match(head.response, { status: '200 OK', etag: 'W/"1"' });
  t.notOk(head.resource);
  t.equal(gone.resource.total, 0, 'the deleted Patient is no longer found');
  t.equal((await send(app, 'GET', '/fhir/Patient/p1')).json().active, true, 'and the writes are kept');
});

t.test("a read entry's lastModified is its version's meta.lastUpdated, to the millisecond, as a write entry's is", async (t) => {
  const app = await testApp(t);
  for (const type of ['transaction', 'batch']) {
    const res = await send(app, 'POST', '/fhir', {
      resourceType: 'Bundle', type,
      entry: [{ resource: { resourceType: 'Patient', id: `lm-${type}` }, request: { method: 'PUT', url: `Patient/lm-${type}` } }, { request: { method: 'GET', url: `Patient/lm-${type}` } }],
    });
    t.equal(res.statusCode, 200, res.body.slice(0, 300));
    const [write, read] = res.json().entry;
    t.equal(read.response.lastModified, read.resource.meta.lastUpdated, `${type}: the version's instant`);
    t.equal(read.response.lastModified, write.response.lastModified, `${type}: the same as the write entry of that version`);
  }
});

t.test("a _history entry lists the transaction's own versions beside the committed ones, as read entries see them", async (t) => {
  const app = await testApp(t);
  await send(app, 'PUT', '/fhir/Patient/old', { resourceType: 'Patient', id: 'old' });
  await send(app, 'PUT', '/fhir/Patient/p1', { resourceType: 'Patient', id: 'p1', active: false });
  await send(app, 'PUT', '/fhir/Observation/o1', { resourceType: 'Observation', id: 'o1', status: 'final', code: { text: 'x' } });
  const res = await send(app, 'POST', '/fhir', {
    resourceType: 'Bundle', type: 'transaction',
    entry: [
      { request: { method: 'GET', url: 'Patient/p1/_history' } },
      { request: { method: 'GET', url: 'Patient/new/_history' } },
      { request: { method: 'GET', url: 'Patient/_history' } },
      { request: { method: 'GET', url: '_history?_count=2' } },
      { request: { method: 'GET', url: 'Patient/old/_history' } },
      { request: { method: 'GET', url: 'Observation/_history' } },
      { resource: { resourceType: 'Patient', id: 'p1', active: true }, request: { method: 'PUT', url: 'Patient/p1' } },
      { resource: { resourceType: 'Patient', id: 'new' }, request: { method: 'PUT', url: 'Patient/new' } },
      { request: { method: 'DELETE', url: 'Patient/old' } },
    ],
  });
  t.equal(res.statusCode, 200, res.body.slice(0, 300));
  type H = { total?: number; entry?: Array<{ fullUrl: string; resource?: { active?: boolean }; request: { method: string }; response: { status: string; etag: string } }>; link: Array<{ relation: string; url: string }> };
  const [p1, fresh, type, system, old, obs] = res.json().entry.slice(0, 6).map((e: { resource: H }) => e.resource) as H[];
  const list = (b: H) => (b.entry ?? []).map((e) => `${e.fullUrl.replace('http://localhost/fhir/', '')} ${e.request.method} ${e.response.etag}`);
  t.same(list(p1), ['Patient/p1 PUT W/"2"', 'Patient/p1 POST W/"1"'], 'instance: the version the PUT writes first');
  t.equal(p1.total, 2);
  t.equal(p1.entry![0].resource!.active, true, 'with its content');
  t.same(list(fresh), ['Patient/new POST W/"1"'], 'a resource the transaction creates has a history of one');
  t.same(list(type), ['Patient/new POST W/"1"', 'Patient/p1 PUT W/"2"', 'Patient/old DELETE W/"2"', 'Patient/p1 POST W/"1"', 'Patient/old POST W/"1"'], 'type level, newest first (the DELETE ran first)');
  t.equal(type.total, 5);
  t.same(list(system), ['Patient/new POST W/"1"', 'Patient/p1 PUT W/"2"'], 'system level, paged');
  t.equal(system.total, 6);
  t.same(list(old), ['Patient/old DELETE W/"2"', 'Patient/old POST W/"1"'], 'a deletion is a version');
  t.same(list(obs), ['Observation/o1 POST W/"1"'], 'another type: the committed versions only');
  // after commit the history reads the same, and the next link of a page that ended among the
  // transaction's versions continues where it ended
  const after = (await send(app, 'GET', '/fhir/Patient/_history')).json() as H;
  t.same(list(after), list(type), 'committed: the same history');
  const next = system.link.find((l) => l.relation === 'next')!.url.replace('http://localhost', '');
  t.same(list((await send(app, 'GET', next)).json()), ['Patient/old DELETE W/"2"', 'Observation/o1 POST W/"1"'], 'the next page, after commit');
});
