import t from 'tap';
import { send, testApp } from './helpers.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

t.test('history at instance, type and system level, newest first', async (t) => {
  const app = await testApp(t);
  await send(app, 'PUT', '/fhir/Patient/p1', { resourceType: 'Patient', id: 'p1' });
  await send(app, 'PUT', '/fhir/Patient/p1', { resourceType: 'Patient', id: 'p1', active: true });
  await send(app, 'PUT', '/fhir/Specimen/s1', { resourceType: 'Specimen', id: 's1' });
  await send(app, 'DELETE', '/fhir/Patient/p1');

  const inst = await send(app, 'GET', '/fhir/Patient/p1/_history');
  t.equal(inst.statusCode, 200);
  const b = inst.json();
  t.equal(b.type, 'history');
  t.equal(b.total, 3);
  t.same(b.entry.map((e: { request: { method: string } }) => e.request.method), ['DELETE', 'PUT', 'POST']);
  t.notOk(b.entry[0].resource, 'a deletion has no resource');
  t.equal(b.entry[0].request.url, 'Patient/p1');
  t.equal(b.entry[1].resource.meta.versionId, '2');
  t.equal(b.entry[1].response.etag, 'W/"2"');
  t.equal(b.entry[1].fullUrl, 'http://localhost/fhir/Patient/p1');

  const type = (await send(app, 'GET', '/fhir/Patient/_history')).json();
  t.equal(type.total, 3);
  const sys = (await send(app, 'GET', '/fhir/_history')).json();
  t.equal(sys.total, 4);
  t.same(sys.entry.map((e: { fullUrl: string }) => e.fullUrl.split('/fhir/')[1]), ['Patient/p1', 'Specimen/s1', 'Patient/p1', 'Patient/p1']);
  t.equal((await send(app, 'GET', '/fhir/Patient/none/_history')).statusCode, 404);
});

t.test('_count pages with next links that stay stable; _since filters', async (t) => {
  const app = await testApp(t);
  for (let i = 0; i < 5; i++) await send(app, 'PUT', `/fhir/Patient/p${i}`, { resourceType: 'Patient', id: `p${i}` });
  await sleep(5);
  const since = new Date().toISOString();
  await sleep(5);
  await send(app, 'PUT', '/fhir/Patient/p0', { resourceType: 'Patient', id: 'p0', active: true });

  const seen: string[] = [];
  let url: string | undefined = '/fhir/Patient/_history?_count=2';
  let pages = 0;
  while (url) {
    const page: { entry: Array<{ resource: { id: string; meta: { versionId: string } } }>; link: Array<{ relation: string; url: string }> } = (await send(app, 'GET', url)).json();
    pages++;
    t.ok(page.entry.length <= 2);
    for (const e of page.entry) seen.push(`${e.resource.id}@${e.resource.meta.versionId}`);
    if (pages === 1) await send(app, 'PUT', '/fhir/Patient/p9', { resourceType: 'Patient', id: 'p9' }); // a write while paging
    const next = page.link.find((l) => l.relation === 'next');
    url = next ? next.url.replace('http://localhost', '') : undefined;
  }
  t.equal(pages, 3);
  t.same(seen, ['p0@2', 'p4@1', 'p3@1', 'p2@1', 'p1@1', 'p0@1'], 'every version exactly once, newest first, unaffected by the concurrent write');

  const recent = (await send(app, 'GET', `/fhir/_history?_since=${encodeURIComponent(since)}`)).json();
  t.same(recent.entry.map((e: { resource: { id: string } }) => e.resource.id).sort(), ['p0', 'p9']);
  t.equal((await send(app, 'GET', '/fhir/_history?_since=yesterday')).statusCode, 400);
  t.equal((await send(app, 'GET', '/fhir/_history?_count=-1')).statusCode, 400);
});

t.test('history _at is refused rather than ignored', async (t) => {
  const app = await testApp(t);
  const res = await send(app, 'GET', '/fhir/Patient/_history?_at=2024');
  t.equal(res.statusCode, 400);
  t.match(res.json().issue[0].diagnostics, /_at is not supported/);
});

t.test('history entries: a re-creation after a delete is PUT 201, an update PUT 200, a delete DELETE', async (t) => {
  const app = await testApp(t);
  const id = (await send(app, 'POST', '/fhir/Patient', { resourceType: 'Patient' })).json().id;
  await send(app, 'PUT', `/fhir/Patient/${id}`, { resourceType: 'Patient', id, active: true });
  await send(app, 'DELETE', `/fhir/Patient/${id}`);
  const recreated = await send(app, 'PUT', `/fhir/Patient/${id}`, { resourceType: 'Patient', id });
  t.equal(recreated.statusCode, 201);
  await send(app, 'PUT', `/fhir/Patient/${id}`, { resourceType: 'Patient', id, active: false });
  const rows = (b: { entry: Array<{ request: { method: string; url: string }; response: { status: string } }> }) =>
    b.entry.map((e) => `${e.request.method} ${e.request.url} ${e.response.status}`);
  const expected = [`PUT Patient/${id} 200`, `PUT Patient/${id} 201`, `DELETE Patient/${id} 204`, `PUT Patient/${id} 200`, 'POST Patient 201'];
  t.same(rows((await send(app, 'GET', `/fhir/Patient/${id}/_history`)).json()), expected, 'the re-creation answered 201 and history says so');
  t.same(rows((await send(app, 'GET', '/fhir/_history')).json()), expected, 'system level too');
  // a page that starts at the re-creation (its tombstone is on the next page) still tells it
  const first = (await send(app, 'GET', `/fhir/Patient/${id}/_history?_count=1`)).json();
  t.same(rows(first), [`PUT Patient/${id} 200`]);
  const second = (await send(app, 'GET', first.link.find((l: { relation: string }) => l.relation === 'next').url.replace('http://localhost', ''))).json();
  t.same(rows(second), [`PUT Patient/${id} 201`]);
});

t.test('_count above the maximum is clamped, and the self link shows the _count used (as search does)', async (t) => {
  const app = await testApp(t, { maxCount: 2 });
  for (let i = 0; i < 3; i++) await send(app, 'PUT', `/fhir/Patient/p${i}`, { resourceType: 'Patient', id: `p${i}` });
  const b = (await send(app, 'GET', '/fhir/_history?_count=5000&_since=2000-01-01')).json();
  t.equal(b.entry.length, 2, 'the maximum is enforced');
  const self = new URL(b.link.find((l: { relation: string }) => l.relation === 'self').url);
  t.equal(self.searchParams.get('_count'), '2', 'self shows the clamped _count');
  t.equal(self.searchParams.get('_since'), '2000-01-01');
  const next = new URL(b.link.find((l: { relation: string }) => l.relation === 'next').url);
  t.equal(next.searchParams.get('_count'), '2');
  const search = (await send(app, 'GET', '/fhir/Patient?_count=5000')).json();
  t.equal(new URL(search.link[0].url).searchParams.get('_count'), '2', 'search clamps the same way');
});

t.test('the total is counted for the first page, or when _total asks: not again for every next page', async (t) => {
  const app = await testApp(t);
  for (let i = 0; i < 5; i++) await send(app, 'PUT', `/fhir/Patient/q${i}`, { resourceType: 'Patient', id: `q${i}` });
  // what the store is asked for (MongoDB counts the history collection only when total is not false)
  const asked: Array<boolean | undefined> = [];
  const store = app.store;
  const history = store.history.bind(store);
  store.history = async (q) => {
    asked.push(q.total);
    return history(q);
  };
  const page = async (url: string) => (await send(app, 'GET', url)).json() as { total?: number; link: Array<{ relation: string; url: string }> };
  const first = await page('/fhir/Patient/_history?_count=2');
  t.equal(first.total, 5, 'the first page has the total');
  const nextUrl = first.link.find((l) => l.relation === 'next')!.url.replace('http://localhost', '');
  const second = await page(nextUrl);
  t.equal(second.total, undefined, 'a next page has none');
  t.same(asked, [true, false], 'and the store was not asked to count it');
  asked.length = 0;
  const accurate = await page(`${nextUrl}&_total=accurate`);
  t.equal(accurate.total, 5, '_total=accurate counts on a next page too');
  t.match(accurate.link.find((l) => l.relation === 'next')?.url, /_total=accurate/, 'and its next link keeps asking');
  t.equal((await page('/fhir/Patient/_history?_total=none')).total, undefined, '_total=none: no total');
  t.same(asked, [true, false]);
  t.equal((await send(app, 'GET', '/fhir/Patient/_history?_total=all')).statusCode, 400, 'an unknown _total value');
});

t.test('_count=0 answers the total alone, as search does', async (t) => {
  const app = await testApp(t);
  await send(app, 'PUT', '/fhir/Patient/p1', { resourceType: 'Patient', id: 'p1' });
  await send(app, 'PUT', '/fhir/Patient/p1', { resourceType: 'Patient', id: 'p1', active: true });
  await send(app, 'PUT', '/fhir/Specimen/s1', { resourceType: 'Specimen', id: 's1' });
  for (const [url, total] of [['/fhir/Patient/p1/_history?_count=0', 2], ['/fhir/Patient/_history?_count=0', 2], ['/fhir/_history?_count=0', 3], ['/fhir/_history?_count=0&_total=accurate', 3]] as const) {
    const b = (await send(app, 'GET', url)).json();
    t.equal(b.total, total, url);
    t.notOk(b.entry, `${url}: no entries`);
    t.notOk(b.link.some((l: { relation: string }) => l.relation === 'next'), `${url}: no next page`);
  }
  t.notOk('total' in (await send(app, 'GET', '/fhir/_history?_count=0&_total=none')).json(), '_total=none still leaves it out');
});

t.test('_since is read as search reads dates: a day the month lacks is no instant, an offset is honoured', async (t) => {
  const app = await testApp(t);
  await send(app, 'PUT', '/fhir/Patient/p1', { resourceType: 'Patient', id: 'p1' });
  for (const bad of ['2021-02-29', '2026-02-30T00:00:00Z', '2026-04-31T10:00:00%2B02:00']) {
    const res = await send(app, 'GET', `/fhir/Patient/_history?_since=${bad}`);
    t.equal(res.statusCode, 400, `${bad}: 400, not the next month's first days`);
    t.same(res.json().issue[0].expression, ['_since']);
  }
  const written = Date.parse((await send(app, 'GET', '/fhir/Patient/p1')).json().meta.lastUpdated);
  const at = (ms: number, offsetHours: number) => {
    const local = new Date(ms + offsetHours * 3_600_000).toISOString().slice(0, 19);
    return encodeURIComponent(`${local}${offsetHours >= 0 ? '+' : '-'}${String(Math.abs(offsetHours)).padStart(2, '0')}:00`);
  };
  t.equal((await send(app, 'GET', `/fhir/Patient/_history?_since=${at(written - 2000, 5)}`)).json().total, 1, 'an instant at +05:00 before the write');
  t.equal((await send(app, 'GET', `/fhir/Patient/_history?_since=${at(written + 2000, -3)}`)).json().total, 0, 'an instant at -03:00 after it');
});
