import t from 'tap';
import { send, testApp } from './helpers.js';

/**
 * Conditional interactions and the search routes: these run through the search module
 * (findConditionalMatches, searchBundle) on the real embedded store.
 */
const pat = (value: string, extra: Record<string, unknown> = {}) => ({ resourceType: 'Patient', identifier: [{ system: 'urn:mrn', value }], ...extra });
const total = async (app: Parameters<typeof send>[0], url: string) => (await send(app, 'GET', url)).json().total;

t.test('conditional create: If-None-Exist creates once, then answers the match', async (t) => {
  const app = await testApp(t);
  const first = await send(app, 'POST', '/fhir/Patient', pat('a1'), { 'if-none-exist': 'identifier=urn:mrn|a1' });
  t.equal(first.statusCode, 201);
  const second = await send(app, 'POST', '/fhir/Patient', pat('a1', { active: true }), { 'if-none-exist': 'identifier=urn:mrn|a1' });
  t.equal(second.statusCode, 200);
  t.equal(second.json().id, first.json().id);
  t.notOk(second.json().active, 'the match is returned, not overwritten');
  await send(app, 'POST', '/fhir/Patient', pat('a1'));
  const many = await send(app, 'POST', '/fhir/Patient', pat('a1'), { 'if-none-exist': 'identifier=urn:mrn|a1' });
  t.equal(many.statusCode, 412, 'several matches');
});

t.test('conditional create is atomic: 25 identical concurrent requests create exactly one', async (t) => {
  const app = await testApp(t);
  const results = await Promise.all(
    Array.from({ length: 25 }, () => send(app, 'POST', '/fhir/Patient', pat('race'), { 'if-none-exist': 'identifier=urn:mrn|race' })),
  );
  const codes = results.map((r) => r.statusCode).sort();
  t.equal(codes.filter((c) => c === 201).length, 1, 'one 201');
  t.equal(codes.filter((c) => c === 200).length, 24, 'the others see it');
  t.equal(new Set(results.map((r) => r.json().id)).size, 1, 'everyone got the same resource');
  t.equal(await total(app, '/fhir/Patient/_history'), 1);
});

t.test('conditional update, patch and delete', async (t) => {
  const app = await testApp(t);
  const created = await send(app, 'PUT', '/fhir/Patient?identifier=urn:mrn|u1', pat('u1'));
  t.equal(created.statusCode, 201, 'no match, no id: create');
  const id = created.json().id;
  const updated = await send(app, 'PUT', '/fhir/Patient?identifier=urn:mrn|u1', pat('u1', { active: true }));
  t.equal(updated.statusCode, 200);
  t.equal(updated.json().id, id);
  t.equal(updated.json().meta.versionId, '2');
  t.equal((await send(app, 'PUT', '/fhir/Patient?identifier=urn:mrn|u1', pat('u1', { id: 'other' }))).statusCode, 400, 'body id differs from the match');
  const withId = await send(app, 'PUT', '/fhir/Patient?identifier=urn:mrn|u2', pat('u2', { id: 'chosen' }));
  t.equal(withId.statusCode, 201);
  t.equal(withId.json().id, 'chosen', 'no match with an id: update-as-create');
  const patched = await app.inject({
    method: 'PATCH', url: '/fhir/Patient?identifier=urn:mrn|u2',
    headers: { 'content-type': 'application/json-patch+json' }, payload: JSON.stringify([{ op: 'add', path: '/gender', value: 'other' }]),
  });
  t.equal(patched.statusCode, 200);
  t.equal(patched.json().gender, 'other');
  await send(app, 'PUT', '/fhir/Patient/dup', pat('u1', { id: 'dup' }));
  t.equal((await send(app, 'PUT', '/fhir/Patient?identifier=urn:mrn|u1', pat('u1'))).statusCode, 412, 'several matches');
  t.equal((await send(app, 'DELETE', '/fhir/Patient?identifier=urn:mrn|u1')).statusCode, 412, 'conditional delete of several');
  t.equal((await send(app, 'DELETE', '/fhir/Patient?identifier=urn:mrn|u2')).statusCode, 204);
  t.equal((await send(app, 'GET', '/fhir/Patient/chosen')).statusCode, 410);
  t.equal((await send(app, 'DELETE', '/fhir/Patient?identifier=urn:mrn|nobody')).statusCode, 204, 'no match: nothing to delete');
  t.equal((await send(app, 'PUT', '/fhir/Patient', pat('x'))).statusCode, 400, 'conditional update without criteria');
});

t.test('transaction: conditional create and conditional references resolve to existing resources', async (t) => {
  const app = await testApp(t);
  const existing = (await send(app, 'POST', '/fhir/Patient', pat('tx1'))).json().id;
  const res = await send(app, 'POST', '/fhir', {
    resourceType: 'Bundle', type: 'transaction',
    entry: [
      { fullUrl: 'urn:uuid:9b1c7b0e-0000-4000-8000-000000000001', resource: pat('tx1'), request: { method: 'POST', url: 'Patient', ifNoneExist: 'identifier=urn:mrn|tx1' } },
      { resource: { resourceType: 'Observation', status: 'final', code: { text: 'a' }, subject: { reference: 'urn:uuid:9b1c7b0e-0000-4000-8000-000000000001' } }, request: { method: 'POST', url: 'Observation' } },
      { resource: { resourceType: 'Observation', status: 'final', code: { text: 'b' }, subject: { reference: 'Patient?identifier=urn:mrn|tx1' } }, request: { method: 'POST', url: 'Observation' } },
    ],
  });
  t.equal(res.statusCode, 200, res.body.slice(0, 500));
  const b = res.json();
  t.equal(b.entry[0].response.status, '200 OK', 'If-None-Exist matched');
  t.equal(b.entry[1].resource.subject.reference, `Patient/${existing}`);
  t.equal(b.entry[2].resource.subject.reference, `Patient/${existing}`);
  const bad = await send(app, 'POST', '/fhir', {
    resourceType: 'Bundle', type: 'transaction',
    entry: [{ resource: { resourceType: 'Observation', status: 'final', code: { text: 'c' }, subject: { reference: 'Patient?identifier=urn:mrn|nobody' } }, request: { method: 'POST', url: 'Observation' } }],
  });
  t.equal(bad.statusCode, 412, 'an unresolvable conditional reference fails the transaction');
  t.match(bad.json().issue[0].expression[0], /^Bundle\.entry\[0\]/);
});

t.test('search routes: type GET, POST _search, system, compartment', async (t) => {
  const app = await testApp(t);
  await send(app, 'PUT', '/fhir/Patient/p1', pat('s1', { id: 'p1' }));
  await send(app, 'PUT', '/fhir/Patient/p2', pat('s2', { id: 'p2' }));
  await send(app, 'PUT', '/fhir/Observation/o1', { resourceType: 'Observation', id: 'o1', status: 'final', code: { text: 'x' }, subject: { reference: 'Patient/p1' } });
  await send(app, 'PUT', '/fhir/Observation/o2', { resourceType: 'Observation', id: 'o2', status: 'final', code: { text: 'x' }, subject: { reference: 'Patient/p2' } });
  const get = (await send(app, 'GET', '/fhir/Patient?_id=p1')).json();
  t.equal(get.type, 'searchset');
  t.same(get.entry.map((e: { resource: { id: string } }) => e.resource.id), ['p1']);
  const post = await app.inject({ method: 'POST', url: '/fhir/Patient/_search', headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: '_id=p2' });
  t.equal(post.statusCode, 200);
  t.same(post.json().entry.map((e: { resource: { id: string } }) => e.resource.id), ['p2']);
  const wrongMedia = await send(app, 'POST', '/fhir/Patient/_search', { _id: 'p2' });
  t.equal(wrongMedia.statusCode, 415);
  const sys = (await send(app, 'GET', '/fhir?_id=o1,p2')).json();
  t.same(sys.entry.map((e: { resource: { id: string } }) => e.resource.id).sort(), ['o1', 'p2']);
  const comp = (await send(app, 'GET', '/fhir/Patient/p1/Observation')).json();
  t.same(comp.entry.map((e: { resource: { id: string } }) => e.resource.id), ['o1']);
});

t.test('result parameters are not criteria: conditional writes without criteria are refused, not widened', async (t) => {
  const app = await testApp(t);
  const only = (await send(app, 'POST', '/fhir/Patient', pat('only'))).json().id;
  const refused = async (res: Awaited<ReturnType<typeof send>>, what: string) => {
    t.equal(res.statusCode, 400, what);
    t.equal(res.json().resourceType, 'OperationOutcome', what);
    t.match(res.json().issue[0].diagnostics, /needs search criteria/, what);
  };
  for (const q of ['_sort=_id', '_count=1', '_summary=true', '_elements=id', '_include=Patient:link', '_total=accurate', '_contained=false', '_format=json', '_pretty=true']) {
    await refused(await send(app, 'DELETE', `/fhir/Patient?${q}`), `DELETE ?${q}`);
    await refused(await send(app, 'PUT', `/fhir/Patient?${q}`, pat('new')), `PUT ?${q}`);
    await refused(await send(app, 'POST', '/fhir/Patient', pat('new'), { 'if-none-exist': q }), `If-None-Exist: ${q}`);
  }
  // a result parameter the server does not implement is refused as such (ignoring it would widen the match)
  for (const q of ['_contained=true', '_offset=1']) {
    const res = await send(app, 'DELETE', `/fhir/Patient?${q}`);
    t.equal(res.statusCode, 400, q);
    t.match(res.json().issue[0].diagnostics, /not supported; the request was refused/, q);
  }
  await refused(await send(app, 'POST', '/fhir/Patient', pat('new'), { 'if-none-exist': '&&' }), 'If-None-Exist: &&');
  await refused(await send(app, 'POST', '/fhir/Patient', pat('new'), { 'if-none-exist': 'Patient?' }), 'If-None-Exist: Patient?');
  t.equal((await send(app, 'GET', `/fhir/Patient/${only}`)).statusCode, 200, 'the only Patient survived');
  t.equal(await total(app, '/fhir/Patient/_history'), 1, 'nothing was written');
  // a criterion beside a result parameter still works
  t.equal((await send(app, 'DELETE', '/fhir/Patient?identifier=urn:mrn|only&_count=1')).statusCode, 204);
});

t.test('an unknown parameter in conditional criteria refuses the request and says so', async (t) => {
  const app = await testApp(t);
  for (const res of [
    await send(app, 'DELETE', '/fhir/Patient?nonsense=1'),
    await send(app, 'POST', '/fhir/Patient', pat('x'), { 'if-none-exist': 'nonsense=1' }),
    await send(app, 'PUT', '/fhir/Patient?nonsense=1', pat('x')),
  ]) {
    t.equal(res.statusCode, 400);
    const d = res.json().issue[0].diagnostics as string;
    t.match(d, /Unknown search parameter "nonsense"/);
    t.notMatch(d, /ignored/, 'the request was refused, not the parameter ignored');
    t.match(d, /refused/);
  }
  t.equal(await total(app, '/fhir/Patient/_history'), 0);
});

t.test('If-None-Exist: a "?" inside the criteria is data; only a leading [type]? is a prefix, and it must be the type created', async (t) => {
  const app = await testApp(t);
  await send(app, 'PUT', '/fhir/Patient/other', pat('zz-other'));
  for (const [how, send_] of [
    ['header', (body: unknown, criteria: string) => send(app, 'POST', '/fhir/Patient', body, { 'if-none-exist': criteria })],
    ['transaction entry', async (body: unknown, criteria: string) => {
      const res = await send(app, 'POST', '/fhir', { resourceType: 'Bundle', type: 'transaction', entry: [{ resource: body, request: { method: 'POST', url: 'Patient', ifNoneExist: criteria } }] });
      return { statusCode: res.statusCode === 200 ? Number(res.json().entry[0].response.status.slice(0, 3)) : res.statusCode, json: () => (res.statusCode === 200 ? res.json().entry[0].resource : res.json()) };
    }],
  ] as const) {
    const v = `q?${how}`;
    const first = await send_(pat(v), `identifier=urn:mrn|${v}`);
    t.equal(first.statusCode, 201, `${how}: created (the criteria were read whole, not from the "?" on)`);
    const again = await send_(pat(v), `identifier=urn:mrn|${v}`);
    t.equal(again.statusCode, 200, `${how}: and found again`);
    t.equal(again.json().id, first.json().id);
    // criteria that match nothing must not be cut down to a part that matches another resource
    const cut = await send_(pat(`zz-${how}`), `identifier=urn:mrn|zz-${how}&_id=x?_id=other`);
    t.equal(cut.statusCode, 201, `${how}: nothing matched, so a new resource`);
    t.not(cut.json().id, 'other');
    t.equal((await send_(pat(v), `Patient?identifier=urn:mrn|${v}`)).statusCode, 200, `${how}: a Patient? prefix is tolerated`);
    const otherType = await send_(pat(v), `Observation?_id=${first.json().id}`);
    t.equal(otherType.statusCode, 400, `${how}: criteria for another type are refused, not read as Patient criteria`);
  }
});

t.test('If-None-Exist on another server\'s base is refused (400 naming it); relative criteria and our own BASE_URL are read', async (t) => {
  const app = await testApp(t); // testConfig's BASE_URL: http://localhost/fhir
  const made = await send(app, 'PUT', '/fhir/Patient/known', pat('ob-1', { id: 'known' }));
  t.equal(made.statusCode, 201);
  const viaTx = (criteria: string) => send(app, 'POST', '/fhir', { resourceType: 'Bundle', type: 'transaction', entry: [{ resource: pat('ob-1'), request: { method: 'POST', url: 'Patient', ifNoneExist: criteria } }] });
  for (const criteria of ['http://other.org/fhir/Patient?identifier=urn:mrn|ob-1', 'https://localhost/fhir/Patient?identifier=urn:mrn|ob-1', 'http://localhost/Patient?identifier=urn:mrn|ob-1', 'urn:x/Patient?identifier=urn:mrn|ob-1', '/other/Patient?identifier=urn:mrn|ob-1']) {
    const header = await send(app, 'POST', '/fhir/Patient', pat('ob-1'), { 'if-none-exist': criteria });
    t.equal(header.statusCode, 400, `header ${criteria}: not criteria of this server (was answered with this server's match)`);
    t.match(header.json().issue[0].diagnostics, /If-None-Exist/, 'the message names the header');
    const entry = await viaTx(criteria);
    t.equal(entry.statusCode, 400, `transaction ${criteria}`);
    t.match(entry.json().issue[0], { diagnostics: /ifNoneExist|If-None-Exist/, expression: ['Bundle.entry[0].request.ifNoneExist'] });
  }
  t.equal(await total(app, '/fhir/Patient?identifier=urn:mrn|ob-1'), 1, 'nothing was created by the refused requests');
  for (const criteria of ['http://localhost/fhir/Patient?identifier=urn:mrn|ob-1', '/fhir/Patient?identifier=urn:mrn|ob-1', 'Patient?identifier=urn:mrn|ob-1', '/Patient?identifier=urn:mrn|ob-1', 'identifier=urn:mrn|ob-1']) {
    const header = await send(app, 'POST', '/fhir/Patient', pat('ob-1'), { 'if-none-exist': criteria });
    t.equal(header.statusCode, 200, `header ${criteria}: our own base or relative`);
    t.equal(header.json().id, 'known');
    const entry = await viaTx(criteria);
    t.equal(entry.statusCode, 200, `transaction ${criteria}`);
    t.equal(entry.json().entry[0].response.status, '200 OK');
  }
});

t.test('conditional update: no match, and the body names a resource that exists but does not match: 409, nothing overwritten', async (t) => {
  const app = await testApp(t);
  t.equal((await send(app, 'PUT', '/fhir/Patient/kept', pat('k1', { id: 'kept', gender: 'female' }))).statusCode, 201);
  const res = await send(app, 'PUT', '/fhir/Patient?identifier=urn:mrn|k2', pat('k2', { id: 'kept' }));
  t.equal(res.statusCode, 409, 'rejected (R5 http.html#cond-update states it; R4 allows update-as-create only, and this is no create)');
  t.match(res.json().issue[0], { code: 'conflict', expression: ['Patient.id'] });
  const after = (await send(app, 'GET', '/fhir/Patient/kept')).json();
  t.equal(after.meta.versionId, '1', 'the resource that did not match is untouched');
  t.equal(after.gender, 'female');
  const inTx = await send(app, 'POST', '/fhir', { resourceType: 'Bundle', type: 'transaction', entry: [{ resource: pat('k2', { id: 'kept' }), request: { method: 'PUT', url: 'Patient?identifier=urn:mrn|k2' } }] });
  t.equal(inTx.statusCode, 409, 'a transaction entry too');
  t.equal((await send(app, 'GET', '/fhir/Patient/kept')).json().meta.versionId, '1');
  await send(app, 'DELETE', '/fhir/Patient/kept');
  const recreated = await send(app, 'PUT', '/fhir/Patient?identifier=urn:mrn|k2', pat('k2', { id: 'kept' }));
  t.equal(recreated.statusCode, 201, 'a deleted id is free: update-as-create');
});
