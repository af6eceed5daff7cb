import t from 'tap';
import { send, testApp } from './helpers.js';

const patient = { resourceType: 'Patient', identifier: [{ system: 'urn:test', value: 'rw-1' }], name: [{ family: 'Curie', given: ['Marie'] }] };

t.test('create assigns the id and version, and answers Location/ETag/Last-Modified', async (t) => {
  const app = await testApp(t);
  const res = await send(app, 'POST', '/fhir/Patient', { ...patient, id: 'client-id', meta: { versionId: '99', lastUpdated: '2000-01-01T00:00:00Z' } });
  t.equal(res.statusCode, 201);
  const body = res.json();
  t.not(body.id, 'client-id', 'a client id is ignored on create');
  t.equal(body.meta.versionId, '1', 'versionId comes from the server');
  t.not(body.meta.lastUpdated, '2000-01-01T00:00:00Z', 'lastUpdated comes from the server');
  t.equal(res.headers.location, `http://localhost/fhir/Patient/${body.id}/_history/1`);
  t.equal(res.headers.etag, 'W/"1"');
  t.equal(res.headers['last-modified'], new Date(body.meta.lastUpdated).toUTCString());
  t.match(res.headers['content-type'], /^application\/fhir\+json/);
  const read = await send(app, 'GET', `/fhir/Patient/${body.id}`);
  t.equal(read.statusCode, 200);
  t.same(read.json(), body);
  t.equal(read.headers.etag, 'W/"1"');
  t.notOk(read.headers['content-location'], 'a read needs no Content-Location');
  const again = await send(app, 'GET', `/fhir/Patient/${body.id}`, undefined, { 'if-none-match': 'W/"1"' });
  t.equal(again.statusCode, 304, 'If-None-Match with the current ETag answers 304');
});

t.test('application/json is accepted as well; other media types are 415', async (t) => {
  const app = await testApp(t);
  const ok = await send(app, 'POST', '/fhir/Patient', patient, { 'content-type': 'application/json' });
  t.equal(ok.statusCode, 201);
  const xml = await send(app, 'POST', '/fhir/Patient', '<Patient xmlns="http://hl7.org/fhir"/>', { 'content-type': 'application/fhir+xml' });
  t.equal(xml.statusCode, 415);
  t.equal(xml.json().resourceType, 'OperationOutcome');
  const text = await send(app, 'POST', '/fhir/Patient', 'hello', { 'content-type': 'text/plain' });
  t.equal(text.statusCode, 415);
});

t.test('update: new id creates (201), existing id updates (200), If-Match is honoured', async (t) => {
  const app = await testApp(t);
  const created = await send(app, 'PUT', '/fhir/Patient/p1', { ...patient, id: 'p1' });
  t.equal(created.statusCode, 201);
  t.equal(created.headers.location, 'http://localhost/fhir/Patient/p1/_history/1');
  const updated = await send(app, 'PUT', '/fhir/Patient/p1', { ...patient, id: 'p1', active: true }, { 'if-match': 'W/"1"' });
  t.equal(updated.statusCode, 200);
  t.equal(updated.json().meta.versionId, '2');
  t.equal(updated.json().active, true);
  const stale = await send(app, 'PUT', '/fhir/Patient/p1', { ...patient, id: 'p1', active: false }, { 'if-match': 'W/"1"' });
  t.equal(stale.statusCode, 412);
  t.equal(stale.json().issue[0].code, 'conflict');
  t.equal((await send(app, 'GET', '/fhir/Patient/p1')).json().active, true, 'a failed If-Match changes nothing');
  const badEtag = await send(app, 'PUT', '/fhir/Patient/p1', { ...patient, id: 'p1' }, { 'if-match': 'nonsense' });
  t.equal(badEtag.statusCode, 400);
});

t.test('update refuses a body that does not match the URL', async (t) => {
  const app = await testApp(t);
  t.equal((await send(app, 'PUT', '/fhir/Patient/p1', { ...patient, id: 'p2' })).statusCode, 400, 'id mismatch');
  t.equal((await send(app, 'PUT', '/fhir/Patient/p1', { ...patient })).statusCode, 400, 'missing id');
  const wrongType = await send(app, 'PUT', '/fhir/Observation/p1', { ...patient, id: 'p1' });
  t.equal(wrongType.statusCode, 400, 'resourceType mismatch');
  t.same(wrongType.json().issue[0].expression, ['Observation.resourceType'], 'FHIRPath from the URL type, as for a mismatched id (Type.id)');
  t.equal((await send(app, 'POST', '/fhir/Observation', patient)).statusCode, 400, 'create with another type');
  t.equal((await send(app, 'PUT', '/fhir/Patient/bad$id', { ...patient, id: 'bad$id' })).statusCode, 400, 'invalid id');
  t.equal((await send(app, 'GET', '/fhir/Patient/p1')).statusCode, 404, 'nothing was stored');
});

t.test('vread, delete, 410 Gone and deleted versions', async (t) => {
  const app = await testApp(t);
  await send(app, 'PUT', '/fhir/Patient/p1', { ...patient, id: 'p1' });
  await send(app, 'PUT', '/fhir/Patient/p1', { ...patient, id: 'p1', active: true });
  const v1 = await send(app, 'GET', '/fhir/Patient/p1/_history/1');
  t.equal(v1.statusCode, 200);
  t.equal(v1.json().meta.versionId, '1');
  t.notOk(v1.json().active);
  t.equal(v1.headers.etag, 'W/"1"');
  t.equal(v1.headers['content-location'], 'http://localhost/fhir/Patient/p1/_history/1');
  t.equal((await send(app, 'GET', '/fhir/Patient/p1/_history/9')).statusCode, 404);
  t.equal((await send(app, 'GET', '/fhir/Patient/p1/_history/x')).statusCode, 404, 'a version id that names no version');
  t.equal((await send(app, 'GET', '/fhir/Patient/p1/_history/a%20b')).statusCode, 400, 'not an id');
  const del = await send(app, 'DELETE', '/fhir/Patient/p1');
  t.equal(del.statusCode, 204);
  t.equal(del.headers.etag, 'W/"3"');
  const gone = await send(app, 'GET', '/fhir/Patient/p1');
  t.equal(gone.statusCode, 410);
  t.equal(gone.json().issue[0].code, 'deleted');
  t.equal((await send(app, 'GET', '/fhir/Patient/p1/_history/3')).statusCode, 410, 'the deleted version answers 410');
  t.equal((await send(app, 'GET', '/fhir/Patient/p1/_history/2')).statusCode, 200, 'older versions stay readable');
  t.equal((await send(app, 'DELETE', '/fhir/Patient/p1')).statusCode, 204, 'delete is idempotent');
  t.equal((await send(app, 'DELETE', '/fhir/Patient/never')).statusCode, 204);
  const oo = await send(app, 'DELETE', '/fhir/Patient/never', undefined, { prefer: 'return=OperationOutcome' });
  t.equal(oo.statusCode, 200);
  t.equal(oo.json().resourceType, 'OperationOutcome');
  const recreated = await send(app, 'PUT', '/fhir/Patient/p1', { ...patient, id: 'p1' });
  t.equal(recreated.statusCode, 201, 'update after delete re-creates');
  t.equal(recreated.json().meta.versionId, '4');
  t.equal((await send(app, 'GET', '/fhir/Patient/nope')).statusCode, 404);
  t.equal((await send(app, 'DELETE', '/fhir/Patient/p1', undefined, { 'if-match': 'W/"1"' })).statusCode, 412, 'versioned delete');
});

t.test('Prefer: return=minimal | representation | OperationOutcome', async (t) => {
  const app = await testApp(t);
  const minimal = await send(app, 'POST', '/fhir/Patient', patient, { prefer: 'return=minimal' });
  t.equal(minimal.statusCode, 201);
  t.equal(minimal.body, '');
  t.match(minimal.headers.location, /\/fhir\/Patient\/[^/]+\/_history\/1$/);
  const oo = await send(app, 'POST', '/fhir/Patient', patient, { prefer: 'return=OperationOutcome' });
  t.equal(oo.json().resourceType, 'OperationOutcome');
  t.equal(oo.json().issue[0].severity, 'information');
  const rep = await send(app, 'POST', '/fhir/Patient', patient, { prefer: 'return=representation' });
  t.equal(rep.json().resourceType, 'Patient');
});

t.test('patch: JSON Patch applied to the current version and validated', async (t) => {
  const app = await testApp(t);
  await send(app, 'PUT', '/fhir/Patient/p1', { ...patient, id: 'p1' });
  const patchHeaders = { 'content-type': 'application/json-patch+json' };
  const ok = await send(app, 'PATCH', '/fhir/Patient/p1', [{ op: 'add', path: '/gender', value: 'female' }], patchHeaders);
  t.equal(ok.statusCode, 200);
  t.equal(ok.json().gender, 'female');
  t.equal(ok.json().meta.versionId, '2');
  t.equal(ok.headers.etag, 'W/"2"');
  const failedTest = await send(app, 'PATCH', '/fhir/Patient/p1', [{ op: 'test', path: '/gender', value: 'male' }], patchHeaders);
  t.equal(failedTest.statusCode, 422, 'a failing test operation is 422');
  const badOp = await send(app, 'PATCH', '/fhir/Patient/p1', [{ op: 'explode', path: '/gender' }], patchHeaders);
  t.equal(badOp.statusCode, 400);
  const breaksResource = await send(app, 'PATCH', '/fhir/Patient/p1', [{ op: 'remove', path: '/resourceType' }], patchHeaders);
  t.equal(breaksResource.statusCode, 422, 'the patched result is validated (an invalid result is 422)');
  const changesId = await send(app, 'PATCH', '/fhir/Patient/p1', [{ op: 'replace', path: '/id', value: 'p2' }], patchHeaders);
  t.equal(changesId.statusCode, 422);
  const stale = await send(app, 'PATCH', '/fhir/Patient/p1', [{ op: 'add', path: '/active', value: true }], { ...patchHeaders, 'if-match': 'W/"1"' });
  t.equal(stale.statusCode, 412);
  const wrongType = await send(app, 'PATCH', '/fhir/Patient/p1', [{ op: 'add', path: '/active', value: true }]);
  t.equal(wrongType.statusCode, 415, 'PATCH needs application/json-patch+json');
  t.equal((await send(app, 'PATCH', '/fhir/Patient/zz', [], patchHeaders)).statusCode, 404);
  const cur = (await send(app, 'GET', '/fhir/Patient/p1')).json();
  t.equal(cur.meta.versionId, '2', 'failed patches changed nothing');
});

t.test('patch: an invalid result is 422, a patch that cannot apply 422, a malformed one 400, never a library message', async (t) => {
  const app = await testApp(t);
  await send(app, 'PUT', '/fhir/Patient/p1', { ...patient, id: 'p1', name: [{ family: 'A', given: ['B'] }] });
  const patch = (ops: unknown) => app.inject({ method: 'PATCH', url: '/fhir/Patient/p1', headers: { 'content-type': 'application/json-patch+json' }, payload: JSON.stringify(ops) });
  const expect = async (ops: unknown, status: number, diag: RegExp, what: string) => {
    const res = await patch(ops);
    t.equal(res.statusCode, status, what);
    t.equal(res.json().resourceType, 'OperationOutcome', what);
    t.match(res.json().issue[0].diagnostics, diag, what);
    t.notMatch(res.body, /Cannot read properties|Cannot set properties|undefined \(/, `${what}: no library internals`);
  };
  await expect([{ op: 'add', path: '/gender', value: 'banana' }], 422, /gender|banana/i, 'gender banana');
  await expect([{ op: 'move', from: '/name', path: '/name/0/family' }], 400, /cannot move \/name into its own child/, 'move into its own child');
  await expect([{ op: 'add', path: '/a~2b', value: 1 }], 400, /not a JSON Pointer/, 'an escape other than ~0 and ~1');
  await expect([{ op: 'move', from: '/name/0', path: '/name/0/given/0' }], 400, /own child/, 'move into a deeper child');
  await expect([{ op: 'replace', path: '/telecom/0/value', value: 'x' }], 422, /operation 0/, 'a path that does not exist');
  await expect([{ op: 'add', path: '/active', value: true }, { op: 'remove', path: '/nothing' }], 422, /operation 1/, 'the failing operation is named');
  await expect([{ op: 'add', path: '/name/0/given/0/x', value: 1 }], 422, /operation 0/, 'a path below a string');
  await expect([{ op: 'add', path: 'gender', value: 'male' }], 400, /path/, 'a path that is not a JSON pointer');
  await expect([{ op: 'add', path: '/gender' }], 400, /value/, 'no value');
  await expect(['x'], 400, /not an object/, 'not an operation');
  t.equal((await send(app, 'GET', '/fhir/Patient/p1')).json().meta.versionId, '1', 'nothing was written');
  const ok = await patch([{ op: 'move', from: '/name/0/given', path: '/name/0/suffix' }]);
  t.equal(ok.statusCode, 200, 'a move to a sibling works');
  t.same(ok.json().name[0].suffix, ['B']);
});

t.test('Prefer: return=OperationOutcome carries the validation warnings of what was written', async (t) => {
  const app = await testApp(t);
  // a genomic code without a claimed profile: checked as the Variant profile, with warnings
  const body = { resourceType: 'Observation', status: 'final', code: { coding: [{ system: 'http://loinc.org', code: '69548-6' }] } };
  const res = await send(app, 'POST', '/fhir/Observation', body, { prefer: 'return=OperationOutcome' });
  t.equal(res.statusCode, 201);
  const issues = res.json().issue as Array<{ severity: string; diagnostics?: string }>;
  t.equal(issues[0].severity, 'information', 'first the outcome of the write');
  t.ok(issues.slice(1).some((i) => i.severity === 'warning'), `then the warnings (${issues.length - 1})`);
  const validated = (await send(app, 'POST', '/fhir/Observation/$validate', body)).json().issue.filter((i: { severity: string }) => i.severity === 'warning');
  t.equal(issues.filter((i) => i.severity === 'warning').length, validated.length, 'the ones $validate reports');
  const put = await send(app, 'PUT', `/fhir/Observation/w1`, { ...body, id: 'w1' }, { prefer: 'return=OperationOutcome' });
  t.ok(put.json().issue.some((i: { severity: string }) => i.severity === 'warning'), 'update too');
});

t.test('messages a client can act on: no resourceType, a prototype path in JSON Patch, a wrong composite part', async (t) => {
  const app = await testApp(t);
  const none = await send(app, 'POST', '/fhir/Observation', { status: 'final' });
  t.equal(none.statusCode, 400);
  t.match(none.json().issue[0].diagnostics, /no resourceType: expected a Observation resource/);
  await send(app, 'PUT', '/fhir/Patient/jp', { resourceType: 'Patient', id: 'jp' });
  const patch = await app.inject({ method: 'PATCH', url: '/fhir/Patient/jp', headers: { 'content-type': 'application/json-patch+json' }, payload: JSON.stringify([{ op: 'add', path: '/__proto__/x', value: 1 }]) });
  t.equal(patch.statusCode, 400);
  t.notMatch(patch.body, /banPrototypeModifications/, 'not the library\'s option name');
  const comp = await send(app, 'GET', '/fhir/Observation?code-value-quantity=8480-6$gtabc');
  t.equal(comp.statusCode, 400);
  t.match(comp.json().issue[0].diagnostics, /code-value-quantity: component 2 \(value-quantity\)/, 'the composite is named, then its part');
});
