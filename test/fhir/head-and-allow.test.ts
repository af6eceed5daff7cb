import t from 'tap';
import { send, testApp } from './helpers.js';

/**
 * HEAD is GET without the content (RFC 9110 §9.3.2), wherever GET is served; and a 405's `Allow`
 * lists the methods the target supports (RFC 9110 §10.2.1), HEAD among them where GET is.
 */
t.test('HEAD on an operation invocable by GET answers as GET, without the body', async (t) => {
  const app = await testApp(t);
  await send(app, 'PUT', '/fhir/Patient/p1', { resourceType: 'Patient', id: 'p1' });
  const get = await send(app, 'GET', '/fhir/Patient/p1/$everything');
  t.equal(get.statusCode, 200);
  const head = await send(app, 'HEAD', '/fhir/Patient/p1/$everything');
  t.equal(head.statusCode, 200, 'HEAD where GET works (was 405 with Allow: GET, POST)');
  t.equal(head.body, '', 'no content');
  t.match(head.headers['content-type'], /application\/fhir\+json/);
  const write = await send(app, 'HEAD', '/fhir/$import-vcf');
  t.equal(write.statusCode, 405, 'HEAD on an operation that changes state: GET is refused there too');
  t.equal(write.headers.allow, 'POST, OPTIONS');
});

t.test('Allow names HEAD wherever GET is allowed, and OPTIONS everywhere', async (t) => {
  const app = await testApp(t);
  const cases: Array<[string, string, string]> = [
    ['DELETE', '/fhir/metadata', 'GET, HEAD, OPTIONS'],
    ['PUT', '/fhir/_history', 'GET, HEAD, OPTIONS'],
    ['DELETE', '/fhir', 'GET, HEAD, POST, OPTIONS'],
    ['PUT', '/fhir/Patient/_history', 'GET, HEAD, OPTIONS'],
    ['POST', '/fhir/Patient/p1', 'GET, HEAD, PUT, PATCH, DELETE, OPTIONS'],
    ['PUT', '/fhir/Patient/p1/_history', 'GET, HEAD, OPTIONS'],
    ['DELETE', '/fhir/Patient/p1/_history/1', 'GET, HEAD, OPTIONS'],
    ['DELETE', '/fhir/Patient/p1/Observation', 'GET, HEAD, OPTIONS'],
    ['GET', '/fhir/Patient/_search', 'POST, OPTIONS'],
    ['PUT', '/fhir/Patient/p1/$everything', 'GET, HEAD, POST, OPTIONS'],
  ];
  for (const [method, url, allow] of cases) {
    const res = await send(app, method as 'GET', url, method === 'POST' || method === 'PUT' ? { resourceType: 'Patient', id: 'p1' } : undefined);
    t.equal(res.statusCode, 405, `${method} ${url}`);
    t.equal(res.headers.allow, allow, `${method} ${url}: Allow`);
  }
});
