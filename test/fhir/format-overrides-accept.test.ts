import t from 'tap';
import { send, testApp } from './helpers.js';

/**
 * `_format` overrides Accept (https://hl7.org/fhir/R4/http.html#mime-type: "This parameter allows
 * a client to override the accept header value when it is unable to set it correctly"). Found by
 * black-box testing: `?_format=json` with `Accept: application/xml` (the header a constrained
 * client cannot change) answered 406.
 */
t.test('_format=json is served whatever Accept says', async (t) => {
  const app = await testApp(t);
  t.equal((await send(app, 'PUT', '/fhir/Patient/p1', { resourceType: 'Patient', id: 'p1' })).statusCode, 201);
  for (const format of ['json', 'application/fhir+json', 'application/json']) {
    for (const accept of ['application/xml', 'application/fhir+xml', 'application/fhir+json; fhirVersion=3.0']) {
      const res = await send(app, 'GET', `/fhir/Patient/p1?_format=${encodeURIComponent(format)}`, undefined, { accept });
      t.equal(res.statusCode, 200, `_format=${format}, Accept: ${accept}`);
      t.match(res.headers['content-type'], /^application\/fhir\+json/);
    }
  }
  t.equal((await send(app, 'GET', '/fhir/Patient/p1', undefined, { accept: 'application/xml' })).statusCode, 406, 'Accept alone still decides');
  t.equal((await send(app, 'GET', '/fhir/Patient/p1?_format=xml', undefined, { accept: 'application/fhir+json' })).statusCode, 406, 'and _format=xml is still refused');
});
