import t from 'tap';
import { docsApp, openApi, type OpenApiOperation } from './helpers.js';

/**
 * PATCH bodies and the request headers the server honours are in the OpenAPI document, on the
 * interactions that read them (and only there), and what is documented is what the server does.
 */
const headers = (op: OpenApiOperation | undefined) => (op?.parameters ?? []).filter((p) => p.in === 'header').map((p) => p.name).sort();

t.test('PATCH declares its JSON Patch body; conditional headers are documented where they apply', async (t) => {
  const app = await docsApp({ seed: true });
  t.teardown(() => app.close());
  const doc = await openApi(app);
  for (const path of ['/fhir/Observation/{id}', '/fhir/Observation']) {
    const patch = doc.paths[path].patch;
    const body = patch?.requestBody?.content['application/json-patch+json'];
    t.ok(body, `PATCH ${path} has a JSON Patch body`);
    t.equal((body?.schema as { type?: string })?.type, 'array');
    t.same(Object.keys(patch?.requestBody?.content ?? {}), ['application/json-patch+json'], 'FHIRPath Patch is not offered (the server refuses it)');
    t.same(headers(patch), ['If-Match', 'If-None-Match', 'Prefer']);
  }
  const obs = doc.paths['/fhir/Observation/{id}'];
  t.same(headers(obs.get), ['If-Modified-Since', 'If-None-Match'], 'read');
  t.ok(obs.get.responses['304'], 'read documents 304');
  t.same(headers(doc.paths['/fhir/Observation/{id}/_history/{vid}'].get), ['If-Modified-Since', 'If-None-Match'], 'vread');
  t.same(headers(obs.put), ['If-Match', 'If-None-Match', 'Prefer'], 'update');
  t.same(headers(obs.delete), ['If-Match', 'If-None-Match', 'Prefer'], 'delete');
  t.same(headers(doc.paths['/fhir/Observation'].post), ['If-None-Exist', 'Prefer'], 'create');
  t.same(headers(doc.paths['/fhir/Observation'].put), ['If-Match', 'If-None-Match', 'Prefer'], 'conditional update');
  t.same(headers(doc.paths['/fhir/Observation'].delete), ['If-Match', 'If-None-Match', 'Prefer'], 'conditional delete (both held against the match)');
  t.same(headers(doc.paths['/fhir/Observation'].get), ['Prefer'], 'search: handling');
  t.same(headers(doc.paths['/fhir'].post), ['Prefer'], 'batch/transaction: return');
  t.same(headers(doc.paths['/fhir/Observation/_history'].get), [], 'history reads none');

  // The documented PATCH example applies to the demo variant.
  const example = doc.paths['/fhir/Observation/{id}'].patch?.requestBody?.content['application/json-patch+json'].example;
  const patched = await app.inject({ method: 'PATCH', url: '/fhir/Observation/demo-var-egfr-l858r', headers: { 'content-type': 'application/json-patch+json' }, payload: JSON.stringify(example) });
  t.equal(patched.statusCode, 200, patched.body.slice(0, 300));
  t.same(patched.json().meta.tag, [{ system: 'urn:example:workflow', code: 'reviewed' }], 'it tags the variant');
  t.equal(patched.json().status, 'final', 'and leaves its status');
  const etag = patched.headers.etag as string;

  // And the documented headers do what they say.
  t.equal((await app.inject({ url: '/fhir/Observation/demo-var-egfr-l858r', headers: { 'if-none-match': etag } })).statusCode, 304, 'If-None-Match');
  const stale = await app.inject({ method: 'PATCH', url: '/fhir/Observation/demo-var-egfr-l858r', headers: { 'content-type': 'application/json-patch+json', 'if-match': 'W/"1"' }, payload: '[]' });
  t.equal(stale.statusCode, 412, 'If-Match');
  const minimal = await app.inject({ method: 'PATCH', url: '/fhir/Observation/demo-var-egfr-l858r', headers: { 'content-type': 'application/json-patch+json', prefer: 'return=minimal' }, payload: '[]' });
  t.equal(minimal.statusCode, 200);
  t.equal(minimal.body, '', 'Prefer: return=minimal');
  const exists = await app.inject({ method: 'POST', url: '/fhir/Patient', headers: { 'content-type': 'application/fhir+json', 'if-none-exist': '_id=demo-p1' }, payload: '{"resourceType":"Patient"}' });
  t.equal(exists.statusCode, 200, 'If-None-Exist');
  const strict = await app.inject({ url: '/fhir/Observation?bogus=1', headers: { prefer: 'handling=strict' } });
  t.equal(strict.statusCode, 400, 'Prefer: handling=strict');
});

t.test('history documents _since, _count, _cursor and _total (not _at, which answers 400); vread documents 410', async (t) => {
  const app = await docsApp({ seed: true });
  t.teardown(() => app.close());
  const doc = await openApi(app);
  for (const path of ['/fhir/_history', '/fhir/Observation/_history', '/fhir/Observation/{id}/_history']) {
    const names = (doc.paths[path].get.parameters ?? []).filter((p) => p.in === 'query').map((p) => p.name);
    t.same(names.filter((n) => n.startsWith('_') && !['_format', '_pretty'].includes(n)).sort(), ['_count', '_cursor', '_since', '_total'], path);
  }
  t.ok(doc.paths['/fhir/Observation/{id}/_history/{vid}'].get.responses['410'], 'vread: 410 for a deleted version');
  // what is documented works, and what is left out is refused
  const page = await app.inject('/fhir/_history?_since=2025-01-01T00:00:00Z&_count=1');
  t.equal(page.statusCode, 200);
  t.equal(page.json().entry.length, 1);
  const next = page.json().link.find((l: { relation: string }) => l.relation === 'next').url as string;
  t.match(next, /_cursor=/);
  t.equal((await app.inject(next.slice(next.indexOf('/fhir')))).statusCode, 200, 'the next link (with _cursor) answers');
  t.equal((await app.inject('/fhir/_history?_at=2025-01-01')).statusCode, 400, '_at is refused');
  const counted = await app.inject(`${next.slice(next.indexOf('/fhir'))}&_total=accurate`);
  t.equal(counted.statusCode, 200);
  t.type(counted.json().total, 'number', '_total=accurate: a later page states its total');
});
