import t from 'tap';
import { send, testApp } from './helpers.js';

/**
 * If-Modified-Since (https://hl7.org/fhir/R4/http.html#cread, RFC 7232 §3.3): found by black-box
 * testing, the header was ignored (always 200, also in a batch entry's `request.ifModifiedSince`),
 * and the CapabilityStatement said conditionalRead `not-match`. Now a version last modified at or
 * before the date answers 304 on read, vread and HEAD; If-None-Match, when present, decides alone;
 * a date that is not an HTTP-date is ignored, as RFC 7232 asks.
 */
t.test('If-Modified-Since on read, vread, HEAD and batch entries', async (t) => {
  const app = await testApp(t);
  const created = await send(app, 'PUT', '/fhir/Patient/p1', { resourceType: 'Patient', id: 'p1' });
  t.equal(created.statusCode, 201);
  const lastModified = created.headers['last-modified'] as string;
  t.ok(lastModified, 'the write answers Last-Modified');
  const lastUpdated = created.json().meta.lastUpdated as string;
  const before = new Date(Date.parse(lastUpdated) - 10_000).toUTCString();
  const later = new Date(Date.parse(lastUpdated) + 10_000).toUTCString();

  for (const url of ['/fhir/Patient/p1', '/fhir/Patient/p1/_history/1']) {
    const same = await send(app, 'GET', url, undefined, { 'if-modified-since': lastModified });
    t.equal(same.statusCode, 304, `${url}: the Last-Modified it answered gives 304`);
    t.equal(same.body, '', `${url}: a 304 has no body`);
    t.equal(same.headers.etag, 'W/"1"', `${url}: and carries the ETag`);
    t.equal((await send(app, 'GET', url, undefined, { 'if-modified-since': later })).statusCode, 304, `${url}: a later date: 304`);
    const older = await send(app, 'GET', url, undefined, { 'if-modified-since': before });
    t.equal(older.statusCode, 200, `${url}: modified since an earlier date: 200`);
    t.equal(older.json().id, 'p1');
    t.equal((await send(app, 'GET', url, undefined, { 'if-modified-since': 'yesterday' })).statusCode, 200, `${url}: not an HTTP-date: ignored`);
    t.equal((await send(app, 'GET', url, undefined, { 'if-modified-since': later, 'if-none-match': 'W/"7"' })).statusCode, 200, `${url}: If-None-Match decides alone (RFC 7232 §3.3)`);
  }
  t.equal((await send(app, 'HEAD', '/fhir/Patient/p1', undefined, { 'if-modified-since': later })).statusCode, 304, 'HEAD too');

  const batch = await send(app, 'POST', '/fhir', {
    resourceType: 'Bundle', type: 'batch', entry: [
      { request: { method: 'GET', url: 'Patient/p1', ifModifiedSince: new Date(Date.parse(lastUpdated) + 10_000).toISOString() } },
      { request: { method: 'GET', url: 'Patient/p1', ifModifiedSince: new Date(Date.parse(lastUpdated) - 10_000).toISOString() } },
      { request: { method: 'GET', url: 'Patient/p1', ifModifiedSince: lastUpdated } },
    ],
  });
  t.equal(batch.statusCode, 200, batch.body.slice(0, 200));
  const entries = batch.json().entry as Array<{ response: { status: string }; resource?: { id: string } }>;
  t.match(entries[0].response.status, /^304/, 'a batch entry with a later ifModifiedSince: 304');
  t.notOk(entries[0].resource, 'without the resource');
  t.match(entries[1].response.status, /^200/, 'an earlier one: 200');
  t.equal(entries[1].resource?.id, 'p1');
  t.match(entries[2].response.status, /^304/, 'the version\'s own lastModified: 304');

  const meta = (await send(app, 'GET', '/fhir/metadata')).json();
  const patient = meta.rest[0].resource.find((r: { type: string }) => r.type === 'Patient');
  t.equal(patient.conditionalRead, 'full-support', 'the CapabilityStatement says what the server does');
});

t.test('If-Modified-Since: an instant compares to the millisecond, an HTTP-date is GMT whatever the server zone', async (t) => {
  const app = await testApp(t);
  const created = await send(app, 'PUT', '/fhir/Patient/p2', { resourceType: 'Patient', id: 'p2' });
  const lastUpdated = created.json().meta.lastUpdated as string;
  const ms = Date.parse(lastUpdated);
  // a Bundle's ifModifiedSince is an instant: one millisecond before the version is before it, even
  // inside the same second (cutting the version to its second, as for an HTTP-date, answered 304)
  const batch = await send(app, 'POST', '/fhir', {
    resourceType: 'Bundle', type: 'batch', entry: [
      { request: { method: 'GET', url: 'Patient/p2', ifModifiedSince: new Date(ms - 1).toISOString() } },
      { request: { method: 'GET', url: 'Patient/p2', ifModifiedSince: new Date(ms + 1).toISOString() } },
    ],
  });
  const entries = batch.json().entry as Array<{ response: { status: string } }>;
  t.match(entries[0].response.status, /^200/, 'modified a millisecond after the instant: 200');
  t.match(entries[1].response.status, /^304/, 'a millisecond later: 304');
  // RFC 7231 §7.1.1.1: an HTTP-date is GMT (asctime carries no zone); not the server's local time
  const zone = process.env.TZ;
  process.env.TZ = 'America/New_York';
  t.teardown(() => {
    if (zone === undefined) delete process.env.TZ;
    else process.env.TZ = zone;
  });
  const earlier = new Date(ms - 10_000).toUTCString().replace(/ GMT$/, '');
  t.equal((await send(app, 'GET', '/fhir/Patient/p2', undefined, { 'if-modified-since': earlier })).statusCode, 200, 'a zone-less date 10 s before: 200 (not 5 h later)');
  const later = new Date(ms + 10_000).toUTCString();
  t.equal((await send(app, 'GET', '/fhir/Patient/p2', undefined, { 'if-modified-since': later })).statusCode, 304, 'an IMF-fixdate 10 s after: 304');
});
