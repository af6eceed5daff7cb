import t from 'tap';
import { send, testApp } from './helpers.js';
import { makeApp } from '../auth/helpers.js';

// OPTIONS asks which methods a target supports (RFC 9110 §9.3.7): on a FHIR route it answers 200
// with `Allow` (the list a 405 gives, which now names OPTIONS too) and no content
// (Content-Length: 0, which §9.3.7 asks for and a 204 could not carry). It answered 404 unless
// CORS was on, where it was a preflight without the headers of one: 400 text/plain.
const allowOf = async (app: Awaited<ReturnType<typeof testApp>>, url: string, headers: Record<string, string> = {}) => {
  const res = await app.inject({ method: 'OPTIONS', url, headers });
  return res;
};

t.test('OPTIONS on a FHIR route: 200, Allow, no content, no token needed', async (t) => {
  const app = await testApp(t);
  const cases: Array<[string, string]> = [
    ['/fhir', 'GET, HEAD, POST, OPTIONS'],
    ['/fhir/metadata', 'GET, HEAD, OPTIONS'],
    ['/fhir/_history', 'GET, HEAD, OPTIONS'],
    ['/fhir/_search', 'POST, OPTIONS'],
    ['/fhir/Patient', 'GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS'],
    ['/fhir/Patient/_search', 'POST, OPTIONS'],
    ['/fhir/Patient/_history', 'GET, HEAD, OPTIONS'],
    ['/fhir/Patient/p1', 'GET, HEAD, PUT, PATCH, DELETE, OPTIONS'],
    ['/fhir/Patient/p1/_history', 'GET, HEAD, OPTIONS'],
    ['/fhir/Patient/p1/_history/2', 'GET, HEAD, OPTIONS'],
    ['/fhir/Patient/p1/Observation', 'GET, HEAD, OPTIONS'],
    ['/fhir/Patient/p1/Observation/_search', 'POST, OPTIONS'],
    ['/fhir/Patient/p1/$everything', 'GET, HEAD, POST, OPTIONS'],
    ['/fhir/$import-vcf', 'POST, OPTIONS'],
    ['/fhir/SearchParameter/Resource-id', 'GET, HEAD, OPTIONS'],
  ];
  for (const [url, allow] of cases) {
    const res = await allowOf(app, url);
    t.equal(res.statusCode, 200, `OPTIONS ${url}`);
    t.equal(res.headers.allow, allow, `OPTIONS ${url}: Allow`);
    t.equal(res.body, '', `OPTIONS ${url}: no content`);
    t.equal(res.headers['content-length'], '0', `OPTIONS ${url}: Content-Length: 0`);
  }
  t.equal((await allowOf(app, '/fhir/Patient', { accept: 'application/xml' })).statusCode, 200, 'Allow is no representation: Accept does not apply');
  for (const url of ['/fhir/Nope', '/fhir/Patient/p1/_history/1/extra', '/fhir/$no-such-op', '/fhir/Patient/p1/Nope']) {
    const res = await allowOf(app, url);
    t.equal(res.statusCode, 404, `OPTIONS ${url}: unknown`);
    t.equal(res.json().resourceType, 'OperationOutcome');
  }
  const secured = await makeApp();
  t.teardown(() => secured.close());
  const anon = await secured.inject({ method: 'OPTIONS', url: '/fhir/Patient' });
  t.equal(anon.statusCode, 200, 'no bearer token needed (a preflight never carries one either)');
  t.equal(anon.headers.allow, 'GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS');
});

t.test('405s name OPTIONS; other methods Fastify knows (TRACE) answer 405 too, not 404', async (t) => {
  const app = await testApp(t);
  const del = await send(app, 'DELETE', '/fhir/metadata');
  t.equal(del.statusCode, 405);
  t.equal(del.headers.allow, 'GET, HEAD, OPTIONS');
  const trace = await app.inject({ method: 'TRACE', url: '/fhir/Patient' });
  t.equal(trace.statusCode, 405, 'TRACE on a known route');
  t.equal(trace.headers.allow, 'GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS');
  t.equal(trace.json().resourceType, 'OperationOutcome');
  const builtIn = await send(app, 'POST', '/fhir/SearchParameter/Resource-id', { resourceType: 'SearchParameter' });
  t.equal(builtIn.statusCode, 405);
  t.equal(builtIn.headers.allow, 'GET, HEAD, OPTIONS', "a built-in definition's Allow is its own (read-only)");
});

t.test('with CORS on: preflights stay the plugin\'s, a plain OPTIONS answers Allow', async (t) => {
  const app = await makeApp({ security: { corsOrigins: ['https://ehr.example'] } });
  t.teardown(() => app.close());
  const pre = await app.inject({ method: 'OPTIONS', url: '/fhir/Patient', headers: { origin: 'https://ehr.example', 'access-control-request-method': 'GET' } });
  t.equal(pre.statusCode, 204, 'preflight');
  t.equal(pre.headers['access-control-allow-origin'], 'https://ehr.example');
  t.match(String(pre.headers['access-control-allow-methods']), /GET/);
  const plain = await app.inject({ method: 'OPTIONS', url: '/fhir/Patient' });
  t.equal(plain.statusCode, 200, 'no Origin: not a preflight (was 400 "Invalid Preflight Request")');
  t.equal(plain.headers.allow, 'GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS');
  const fromPage = await app.inject({ method: 'OPTIONS', url: '/fhir/Patient/p1', headers: { origin: 'https://ehr.example' } });
  t.equal(fromPage.statusCode, 200, 'an Origin without Access-Control-Request-Method is a plain OPTIONS (a script\'s own)');
  t.equal(fromPage.headers.allow, 'GET, HEAD, PUT, PATCH, DELETE, OPTIONS');
  t.equal(fromPage.headers['access-control-allow-origin'], 'https://ehr.example', 'with CORS headers, so the script can read it');
  const noOrigin = await app.inject({ method: 'OPTIONS', url: '/fhir/Patient', headers: { 'access-control-request-method': 'GET' } });
  t.equal(noOrigin.statusCode, 200, 'no Origin: no browser sent it, so no preflight');
  t.ok(noOrigin.headers.allow);
  const unknown = await app.inject({ method: 'OPTIONS', url: '/nowhere' });
  t.equal(unknown.statusCode, 404, 'an unknown path outside /fhir is still unknown');
});
