import t from 'tap';
import { parseEtags, etagMatches } from '../../src/fhir/rest/etag.js';
import { send, testApp } from './helpers.js';

/** If-Match and If-None-Match against RFC 7232 (one parser for both headers, src/fhir/rest/etag.ts). */
const patient = { resourceType: 'Patient', id: 'p1' };
const patchHeaders = { 'content-type': 'application/json-patch+json' };
const patchOp = [{ op: 'add', path: '/active', value: true }];

t.test('the parser: *, lists, weak and strong tags, opaque values', async (t) => {
  t.equal(parseEtags('If-Match', undefined), undefined);
  t.equal(parseEtags('If-Match', ' * '), '*');
  t.same(parseEtags('If-Match', 'W/"3"'), ['3']);
  t.same(parseEtags('If-None-Match', '"3"'), ['3']);
  t.same(parseEtags('If-None-Match', 'W/"9", W/"4","x,y"'), ['9', '4', 'x,y']);
  t.same(parseEtags('If-Match', 'W/"01"'), ['01'], 'opaque: not a number');
  for (const bad of ['nonsense', '3', 'W/3', 'W/"3" junk', '"a"b"', ',']) t.throws(() => parseEtags('If-Match', bad), /entity tags/, bad);
  t.ok(etagMatches(['01', '1'], { versionId: 1, deleted: false }));
  t.notOk(etagMatches(['01'], { versionId: 1, deleted: false }), '"01" is not "1"');
  t.notOk(etagMatches('*', undefined));
  t.notOk(etagMatches('*', { versionId: 2, deleted: true }), 'a deletion has no current representation');
});

t.test('If-None-Match on read: weak comparison, lists and * answer 304', async (t) => {
  const app = await testApp(t);
  await send(app, 'PUT', '/fhir/Patient/p1', patient);
  const read = (inm: string) => send(app, 'GET', '/fhir/Patient/p1', undefined, { 'if-none-match': inm });
  for (const inm of ['W/"1"', '"1"', '*', 'W/"9", W/"1"', '"4","1"']) {
    const res = await read(inm);
    t.equal(res.statusCode, 304, inm);
    t.equal(res.headers.etag, 'W/"1"', `${inm}: the 304 carries the ETag`);
  }
  for (const inm of ['W/"2"', 'W/"9", W/"4"', 'W/"01"']) t.equal((await read(inm)).statusCode, 200, inm);
  t.equal((await read('garbage')).statusCode, 400, 'a malformed header is refused, not ignored');
  t.equal((await send(app, 'GET', '/fhir/Patient/p1/_history/1', undefined, { 'if-none-match': '*' })).statusCode, 304, 'vread too');
  t.equal((await send(app, 'GET', '/fhir/Patient/none', undefined, { 'if-none-match': '*' })).statusCode, 404, 'nothing to match');
});

t.test('If-Match on update, patch and delete: lists, * and opaque tags', async (t) => {
  const app = await testApp(t);
  await send(app, 'PUT', '/fhir/Patient/p1', patient);
  const put = (im: string, id = 'p1') => send(app, 'PUT', `/fhir/Patient/${id}`, { ...patient, id }, { 'if-match': im });
  t.equal((await put('W/"01"')).statusCode, 412, 'W/"01" is not version 1');
  t.equal((await put('W/"9", W/"4"')).statusCode, 412, 'no listed tag matches');
  t.equal((await put('W/"9", W/"1"')).statusCode, 200, 'a list matches when any tag does');
  t.equal((await put('"2"')).statusCode, 200, 'a strong-looking tag compares weakly too');
  const star = await put('*');
  t.equal(star.statusCode, 200, 'If-Match: * on an existing resource');
  t.equal(star.json().meta.versionId, '4');
  t.equal((await put('*', 'p2')).statusCode, 412, 'If-Match: * when the resource does not exist');
  t.equal((await send(app, 'GET', '/fhir/Patient/p2')).statusCode, 404, 'and nothing was created');
  t.equal((await put('W/"1"', 'p2')).statusCode, 412);
  t.equal((await put('nonsense')).statusCode, 400);

  const patch = (im: string) => app.inject({ method: 'PATCH', url: '/fhir/Patient/p1', headers: { ...patchHeaders, 'if-match': im }, payload: JSON.stringify(patchOp) });
  t.equal((await patch('W/"04"')).statusCode, 412);
  t.equal((await patch('W/"3", W/"4"')).statusCode, 200);
  t.equal((await patch('*')).statusCode, 200);

  const del = (im: string, id = 'p1') => send(app, 'DELETE', `/fhir/Patient/${id}`, undefined, { 'if-match': im });
  t.equal((await del('W/"1", W/"2"')).statusCode, 412);
  t.equal((await del('*', 'p2')).statusCode, 412, 'If-Match: * on delete of nothing');
  t.equal((await del('*')).statusCode, 204);
  t.equal((await send(app, 'GET', '/fhir/Patient/p1')).statusCode, 410);
  t.equal((await put('*')).statusCode, 412, 'a deleted resource does not match *');

  const cond = await send(app, 'PUT', '/fhir/Patient?_id=p3', { resourceType: 'Patient' }, { 'if-match': '*' });
  t.equal(cond.statusCode, 412, 'conditional update with no match under If-Match: *');
});

t.test('a version id is a string: _history/01 names no version', async (t) => {
  const app = await testApp(t);
  await send(app, 'PUT', '/fhir/Patient/p1', patient);
  t.equal((await send(app, 'GET', '/fhir/Patient/p1/_history/1')).statusCode, 200);
  for (const v of ['01', '0', '1.0', 'x']) t.equal((await send(app, 'GET', `/fhir/Patient/p1/_history/${v}`)).statusCode, 404, v);
  t.equal((await send(app, 'GET', `/fhir/Patient/p1/_history/${'1'.repeat(65)}`)).statusCode, 400, 'not an id');
});

t.test('a transaction entry ifMatch: the header\'s rules; W/"01" never matches', async (t) => {
  const app = await testApp(t);
  await send(app, 'PUT', '/fhir/Patient/p1', patient);
  const tx = (ifMatch: string) => send(app, 'POST', '/fhir', {
    resourceType: 'Bundle', type: 'transaction',
    entry: [{ resource: { ...patient, active: true }, request: { method: 'PUT', url: 'Patient/p1', ifMatch } }],
  });
  t.equal((await tx('W/"01"')).statusCode, 412);
  t.equal((await tx('W/"1"')).statusCode, 200);
  // request.ifMatch means what the header means: lists and * too
  t.equal((await tx('W/"9", W/"2"')).statusCode, 200, 'a list with the current version');
  t.equal((await tx('*')).statusCode, 200, '* on an existing resource');
  t.equal((await tx('W/"9"')).statusCode, 412);
  t.equal((await tx('nonsense')).statusCode, 400);
});

t.test('an empty If-Match or If-None-Match is refused, not ignored (an unconditional write the client meant to be conditional)', async (t) => {
  const app = await testApp(t);
  await send(app, 'PUT', '/fhir/Patient/e1', { resourceType: 'Patient', id: 'e1' });
  const put = await send(app, 'PUT', '/fhir/Patient/e1', { resourceType: 'Patient', id: 'e1', active: true }, { 'if-match': '' });
  t.equal(put.statusCode, 400, put.body.slice(0, 200));
  t.equal((await send(app, 'DELETE', '/fhir/Patient/e1', undefined, { 'if-match': ' ' })).statusCode, 400);
  t.equal((await send(app, 'GET', '/fhir/Patient/e1', undefined, { 'if-none-match': '' })).statusCode, 400);
  t.equal((await send(app, 'GET', '/fhir/Patient/e1')).json().meta.versionId, '1', 'nothing was written');
});

t.test('If-Match naming the deletion version re-creates the resource once: a version-aware re-create (the DELETE answered that ETag)', async (t) => {
  const app = await testApp(t);
  await send(app, 'PUT', '/fhir/Patient/d1', { resourceType: 'Patient', id: 'd1' });
  const del = await send(app, 'DELETE', '/fhir/Patient/d1');
  t.equal(del.headers.etag, 'W/"2"', 'the deletion is version 2, and its ETag is sent');
  const put = (im: string) => send(app, 'PUT', '/fhir/Patient/d1', { resourceType: 'Patient', id: 'd1' }, { 'if-match': im });
  t.equal((await put('W/"1"')).statusCode, 412, 'the version before the deletion is not current');
  t.equal((await put('*')).statusCode, 412, '* needs a current representation');
  const again = await put('W/"2"');
  t.equal(again.statusCode, 201, 'the deletion version is the current version: the update applies to it');
  t.equal(again.headers.etag, 'W/"3"');
  t.equal((await put('W/"2"')).statusCode, 412, 'a second client re-creating from the same deletion loses (no lost update)');
});
