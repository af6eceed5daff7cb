import t from 'tap';
import { send, testApp } from './helpers.js';
import { indexResource } from '../../src/search/search-service.js';
import type { ResourceStore } from '../../src/storage/types.js';
import type { SearchParameter } from '@medplum/fhirtypes';

/**
 * The server's own SearchParameters and OperationDefinitions (built-ins.ts) are read-only and
 * behave as one version of a resource: a write neither shadows nor deletes them (bbdocs #1).
 */
const hijack = { resourceType: 'SearchParameter', id: 'Resource-id', url: 'http://example.org/sp', name: 'hijack', status: 'draft', description: 'x', code: '_id', base: ['Resource'], type: 'token' };

t.test('writes to a built-in definition answer 405 with Allow and change nothing', async (t) => {
  const app = await testApp(t);
  const before = (await send(app, 'GET', '/fhir/SearchParameter/Resource-id')).json();
  const put = await send(app, 'PUT', '/fhir/SearchParameter/Resource-id', hijack);
  t.equal(put.statusCode, 405, 'PUT');
  t.equal(put.headers.allow, 'GET, HEAD, OPTIONS');
  t.equal(put.json().resourceType, 'OperationOutcome');
  t.match(put.json().issue[0].diagnostics, /SearchParameter\/Resource-id is one of the server's built-in definitions/);
  t.same(put.json().issue[0].expression, ['SearchParameter.id']);
  const after = await send(app, 'GET', '/fhir/SearchParameter/Resource-id');
  t.equal(after.statusCode, 200);
  t.same(after.json(), before, 'the official definition is still the one served');
  t.equal(after.json().name, '_id');

  for (const [type, id] of [['SearchParameter', 'genomic-region'], ['OperationDefinition', 'find-subject-variants']]) {
    const del = await send(app, 'DELETE', `/fhir/${type}/${id}`);
    t.equal(del.statusCode, 405, `DELETE ${type}/${id} is refused, not a 204 that changes nothing`);
    t.equal(del.headers.allow, 'GET, HEAD, OPTIONS');
    const patch = await send(app, 'PATCH', `/fhir/${type}/${id}`, '[{"op":"replace","path":"/status","value":"retired"}]', { 'content-type': 'application/json-patch+json' });
    t.equal(patch.statusCode, 405, `PATCH ${type}/${id}`);
    const read = await send(app, 'GET', `/fhir/${type}/${id}`);
    t.equal(read.statusCode, 200, `${type}/${id} still reads`);
    t.not(read.json().status, 'retired');
  }

  // the same rule inside a transaction (all or nothing) and a batch (per entry)
  const tx = await send(app, 'POST', '/fhir', {
    resourceType: 'Bundle', type: 'transaction',
    entry: [{ request: { method: 'DELETE', url: 'SearchParameter/genomic-region' } }],
  });
  t.equal(tx.statusCode, 405, 'a transaction deleting a built-in fails');
  const batch = await send(app, 'POST', '/fhir', {
    resourceType: 'Bundle', type: 'batch',
    entry: [{ resource: hijack, request: { method: 'PUT', url: 'SearchParameter/Resource-id' } }],
  });
  t.equal(batch.statusCode, 200);
  t.match(batch.json().entry[0].response.status, /^405/);
  t.equal((await send(app, 'GET', '/fhir/SearchParameter/Resource-id')).json().name, '_id');

  // other ids stay writable: the server stores them like any resource
  const own = await send(app, 'PUT', '/fhir/SearchParameter/my-sp', { ...hijack, id: 'my-sp' });
  t.equal(own.statusCode, 201, 'a SearchParameter under another id is stored');
  t.equal((await send(app, 'DELETE', '/fhir/SearchParameter/my-sp')).statusCode, 204);
  t.equal((await send(app, 'GET', '/fhir/SearchParameter/my-sp')).statusCode, 410);
});

t.test('a built-in reads as version 1: ETag, vread, instance history', async (t) => {
  const app = await testApp(t);
  const read = await send(app, 'GET', '/fhir/SearchParameter/genomic-region');
  t.equal(read.statusCode, 200);
  t.equal(read.headers.etag, 'W/"1"');
  t.equal(read.json().meta.versionId, '1');
  t.equal((await send(app, 'GET', '/fhir/SearchParameter/genomic-region', undefined, { 'if-none-match': 'W/"1"' })).statusCode, 304);
  const v1 = await send(app, 'GET', '/fhir/SearchParameter/genomic-region/_history/1');
  t.equal(v1.statusCode, 200, 'vread of version 1');
  t.same(v1.json(), read.json());
  t.equal(v1.headers['content-location'], 'http://localhost/fhir/SearchParameter/genomic-region/_history/1');
  t.equal((await send(app, 'GET', '/fhir/SearchParameter/genomic-region/_history/2')).statusCode, 404);
  const od = await send(app, 'GET', '/fhir/OperationDefinition/find-subject-variants/_history/1');
  t.equal(od.statusCode, 200);
  t.equal(od.json().resourceType, 'OperationDefinition');
  const hist = await send(app, 'GET', '/fhir/SearchParameter/genomic-region/_history');
  t.equal(hist.statusCode, 200, 'instance history');
  const b = hist.json();
  t.equal(b.type, 'history');
  t.equal(b.total, 1);
  t.equal(b.entry.length, 1);
  t.same(b.entry[0].resource, read.json());
  t.equal(b.entry[0].response.etag, 'W/"1"');
  t.equal((await send(app, 'GET', '/fhir/SearchParameter/no-such-sp/_history')).statusCode, 404);
});

t.test('the CapabilityStatement states the rule where it lists the writes', async (t) => {
  const app = await testApp(t);
  const cs = (await send(app, 'GET', '/fhir/metadata')).json();
  for (const type of ['SearchParameter', 'OperationDefinition']) {
    const r = cs.rest[0].resource.find((x: { type: string }) => x.type === type);
    t.ok(r.interaction.some((i: { code: string }) => i.code === 'update'), `${type}: other ids stay writable`);
    t.match(r.documentation, /own .* are read-only: update, patch and delete of them answer 405/);
  }
});

t.test('a stored SearchParameter under a built-in id (written before the 405 rule) is hidden: read, search and count agree', async (t) => {
  // The built-in wins (built-ins.ts): a write cannot shadow one now, so such a row can only be older
  // than the rule, or than the release that made the id built-in; read already answers the built-in.
  const app = await testApp(t);
  const store = (app as unknown as { store: ResourceStore }).store;
  const official = (await send(app, 'GET', '/fhir/SearchParameter/Resource-id')).json();
  await store.transaction(async (tx) => { const sp = hijack as SearchParameter & { id: string }; await tx.put(sp, indexResource(sp, 'http://localhost/fhir')); });
  const own = { ...hijack, id: 'my-sp', url: 'http://example.org/own' };
  t.equal((await send(app, 'PUT', '/fhir/SearchParameter/my-sp', own)).statusCode, 201);

  t.same((await send(app, 'GET', '/fhir/SearchParameter/Resource-id')).json(), official, 'read: the built-in');
  const byId = (await send(app, 'GET', '/fhir/SearchParameter?_id=Resource-id&_total=accurate')).json();
  t.equal(byId.total, 1, '_total=accurate counts it once');
  t.same(byId.entry.map((e: { resource: unknown }) => e.resource), [official], 'search: the built-in only, once');
  t.equal((await send(app, 'GET', '/fhir/SearchParameter?_id=Resource-id&_summary=count')).json().total, 1, '_summary=count');
  t.equal((await send(app, 'GET', '/fhir/SearchParameter?_id=Resource-id&_count=0')).json().total, 1, '_count=0');
  const byUrl = (await send(app, 'GET', '/fhir/SearchParameter?url=http://example.org/sp&_total=accurate')).json();
  t.equal(byUrl.total, 0, 'the hidden one is not found by its own criteria');
  t.notOk(byUrl.entry?.some((e: { search: { mode: string } }) => e.search.mode === 'match'));
  t.equal((await send(app, 'GET', '/fhir/SearchParameter?_id=my-sp')).json().entry.length, 1, 'other stored ones are found');
  // paged: every id once, and the count says as many
  const seen: string[] = [];
  let url: string | undefined = '/fhir/SearchParameter?base=Resource&_count=3&_total=accurate';
  let total: number | undefined;
  while (url) {
    const b: { total?: number; entry?: Array<{ search: { mode: string }; resource: { id: string } }>; link: Array<{ relation: string; url: string }> } = (await send(app, 'GET', url.replace('http://localhost', ''))).json();
    total ??= b.total;
    seen.push(...(b.entry ?? []).filter((e: { search: { mode: string } }) => e.search.mode === 'match').map((e: { resource: { id: string } }) => e.resource.id));
    url = b.link.find((l: { relation: string }) => l.relation === 'next')?.url;
  }
  t.same(seen.filter((id) => id === 'Resource-id'), ['Resource-id'], 'paged: once');
  t.equal(new Set(seen).size, seen.length, 'no id twice');
  t.equal(total, seen.length, 'the total is what the pages list');
  t.ok(seen.includes('my-sp'));
  // a search of all types (stored resources only) does not answer the hidden version either
  const system = (await send(app, 'GET', '/fhir?_id=Resource-id&_total=accurate')).json();
  t.equal(system.total, 0, 'system search: hidden too');
  const two = (await send(app, 'GET', '/fhir?_type=SearchParameter,Patient&_id=Resource-id&_total=accurate')).json();
  t.equal(two.total, 1, '_type with another type: the built-in once');
});

t.test('type and system history hide the stored versions under a built-in id, as search does', async (t) => {
  // such a row is older than the 405 rule, or than the release that made the id built-in (or was
  // loaded into the store directly): instance history already answers the built-in's one version
  const app = await testApp(t);
  const store = (app as unknown as { store: ResourceStore }).store;
  const sp = hijack as SearchParameter & { id: string };
  await store.transaction(async (tx) => { await tx.put(sp, indexResource(sp, 'http://localhost/fhir')); });
  await store.transaction(async (tx) => { await tx.put({ ...sp, status: 'active' }, indexResource(sp, 'http://localhost/fhir')); });
  await store.transaction(async (tx) => { await tx.delete('SearchParameter', 'Resource-id'); });
  const od = { resourceType: 'OperationDefinition', id: 'find-subject-variants', name: 'x', status: 'draft', kind: 'operation', code: 'x', system: false, type: false, instance: false } as const;
  await store.transaction(async (tx) => { await tx.put(od as never, {}); });
  t.equal((await send(app, 'PUT', '/fhir/SearchParameter/my-sp', { ...hijack, id: 'my-sp', url: 'http://example.org/own' })).statusCode, 201);
  t.equal((await send(app, 'PUT', '/fhir/Patient/p1', { resourceType: 'Patient', id: 'p1' })).statusCode, 201);

  type Hist = { total?: number; entry?: Array<{ fullUrl: string }>; link: Array<{ relation: string; url: string }> };
  const ids = (b: Hist) => (b.entry ?? []).map((e) => e.fullUrl.replace('http://localhost/fhir/', ''));
  const type = (await send(app, 'GET', '/fhir/SearchParameter/_history')).json() as Hist;
  t.same(ids(type), ['SearchParameter/my-sp'], 'type history: the stored SearchParameter/Resource-id is not listed');
  t.equal(type.total, 1, 'nor counted');
  const ops = (await send(app, 'GET', '/fhir/OperationDefinition/_history')).json() as Hist;
  t.same([ids(ops), ops.total], [[], 0], 'OperationDefinition too');
  const system = (await send(app, 'GET', '/fhir/_history')).json() as Hist;
  t.same(ids(system), ['Patient/p1', 'SearchParameter/my-sp'], 'system history');
  t.equal(system.total, 2);
  // paged one by one: the pages list what the total counts, none of the hidden versions
  const seen: string[] = [];
  let url: string | undefined = '/fhir/_history?_count=1';
  while (url) {
    const b = (await send(app, 'GET', url.replace('http://localhost', ''))).json() as Hist;
    seen.push(...ids(b));
    url = b.link.find((l) => l.relation === 'next')?.url;
  }
  t.same(seen, ['Patient/p1', 'SearchParameter/my-sp'], 'paged');
  const inst = (await send(app, 'GET', '/fhir/SearchParameter/Resource-id/_history')).json() as Hist;
  t.same([inst.total, ids(inst)], [1, ['SearchParameter/Resource-id']], 'instance history: the built-in\'s one version, as before');
});
