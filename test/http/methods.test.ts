import t from 'tap';
import { testApp } from '../fhir/helpers.js';
import { makeApp } from '../auth/helpers.js';

// Outside /fhir the same HTTP rules hold (RFC 9110 §15.5.6, §9.3.7, §15.6.2): a known path with a
// method it does not take answers 405 with `Allow`, OPTIONS on it answers that `Allow`, and a
// method the server does not implement anywhere answers 501. All three answered 404 (a known path
// reported as unknown).
t.test('non-FHIR routes: 405 with Allow, OPTIONS answers Allow, unknown paths stay 404', async (t) => {
  const app = await makeApp();
  t.teardown(() => app.close());
  const cases: Array<[string, string, string]> = [
    ['POST', '/health/live', 'GET, HEAD, OPTIONS'],
    ['DELETE', '/health/ready', 'GET, HEAD, OPTIONS'],
    ['GET', '/auth/token', 'POST, OPTIONS'],
    ['PUT', '/.well-known/smart-configuration', 'GET, HEAD, OPTIONS'],
    ['POST', '/.well-known/jwks.json', 'GET, HEAD, OPTIONS'],
  ];
  for (const [method, url, allow] of cases) {
    const res = await app.inject({ method: method as 'GET', url });
    t.equal(res.statusCode, 405, `${method} ${url}`);
    t.equal(res.headers.allow, allow, `${method} ${url}: Allow`);
    t.equal(res.json().resourceType, 'OperationOutcome');
    const opt = await app.inject({ method: 'OPTIONS', url });
    t.equal(opt.statusCode, 200, `OPTIONS ${url}`);
    t.equal(opt.headers.allow, allow, `OPTIONS ${url}: Allow`);
    t.equal(opt.headers['content-length'], '0');
  }
  const token = await app.inject({ method: 'GET', url: '/auth/token' });
  t.equal(token.headers['content-type'], 'application/fhir+json; fhirVersion=4.0; charset=utf-8', 'a 405 is no OAuth error: it is the route, not the grant');
  for (const [method, url] of [['GET', '/nowhere'], ['OPTIONS', '/nowhere'], ['POST', '/health'], ['POST', '/health/:x('], ['GET', '/a/:b(()'], ['DELETE', '/*/*']]) {
    t.equal((await app.inject({ method: method as 'GET', url })).statusCode, 404, `${method} ${url}`);
  }
});

t.test('a method the server implements nowhere answers 501', async (t) => {
  const app = await testApp(t);
  for (const url of ['/fhir/Patient', '/health/live', '/nowhere']) {
    const res = await app.inject({ method: 'PROPFIND' as 'GET', url });
    t.equal(res.statusCode, 501, `PROPFIND ${url}`);
    t.equal(res.json().resourceType, 'OperationOutcome');
    t.match(res.json().issue[0].diagnostics, /PROPFIND/);
  }
});

t.test('with CORS on, a plain OPTIONS outside /fhir answers Allow too (the CORS layer passes it on)', async (t) => {
  const app = await makeApp({ security: { corsOrigins: ['https://ehr.example'] } });
  t.teardown(() => app.close());
  const res = await app.inject({ method: 'OPTIONS', url: '/health/live' });
  t.equal(res.statusCode, 200);
  t.equal(res.headers.allow, 'GET, HEAD, OPTIONS');
  const pre = await app.inject({ method: 'OPTIONS', url: '/auth/token', headers: { origin: 'https://ehr.example', 'access-control-request-method': 'POST' } });
  t.equal(pre.statusCode, 204, 'a preflight stays the CORS layer\'s');
});

t.test('SMART discovery below /fhir (a GET route beside the FHIR interactions): OPTIONS and other methods', async (t) => {
  const app = await makeApp();
  t.teardown(() => app.close());
  const opt = await app.inject({ method: 'OPTIONS', url: '/fhir/.well-known/smart-configuration' });
  t.equal(opt.statusCode, 200, 'was the core\'s 404 (".well-known" is no resource type)');
  t.equal(opt.headers.allow, 'GET, HEAD, OPTIONS');
  const open = await testApp(t, { auth: false });
  t.equal((await open.inject({ method: 'OPTIONS', url: '/fhir/Nope' })).statusCode, 404, 'an unknown type stays 404');
});
