import t from 'tap';
import { send, testApp } from './helpers.js';

// `q=0` in Accept means "not acceptable" (RFC 9110 §12.4.2), and the most specific range that
// matches a media type gives its weight (§12.5.1): `application/fhir+json;q=0` refuses FHIR JSON
// even beside `*/*`. The server serves FHIR JSON only, so such an Accept answers 406 with an
// OperationOutcome, unless another range accepts it with a weight above 0: an exact
// `application/fhir+json` range outweighs a JSON alias (`application/json`), which outweighs
// `application/*`, which outweighs `*/*`.
t.test('Accept ranges that weigh JSON 0 answer 406; a JSON range above 0 is served', async (t) => {
  const app = await testApp(t);
  t.equal((await send(app, 'PUT', '/fhir/Patient/p1', { resourceType: 'Patient', id: 'p1' })).statusCode, 201);
  const refused = [
    'application/fhir+json;q=0',
    'application/fhir+json; q=0.0',
    'application/json;q=0',
    '*/*;q=0',
    'application/*;q=0',
    'application/fhir+json;q=0, text/html',
    'application/fhir+json;q=0, */*',
    'application/fhir+json;q=0, application/*;q=0.5',
    'application/json;q=0, application/fhir+json;q=0',
    'application/fhir+json;q=0.000, application/fhir+xml;q=1',
    'application/fhir+json; fhirVersion=4.0; q=0',
    // what is sent is application/fhir+json: accepting plain JSON beside refusing it accepts nothing sent
    'application/fhir+json;q=0, application/json;q=0.5',
  ];
  for (const accept of refused) {
    const res = await send(app, 'GET', '/fhir/Patient/p1', undefined, { accept });
    t.equal(res.statusCode, 406, `Accept: ${accept}`);
    t.equal(res.json().resourceType, 'OperationOutcome', `Accept: ${accept}: OperationOutcome`);
    t.match(res.json().issue?.[0]?.diagnostics, /cannot be served/, `Accept: ${accept}: says why`);
  }
  const served = [
    'application/fhir+json;q=0.1',
    'application/xml;q=0, application/fhir+json',
    '*/*;q=0, application/fhir+json',
    'application/*;q=0, application/json;q=0.2',
    '*/*;q=0.001',
    'text/html;q=0',
    'application/fhir+json;q=1.0',
    'application/fhir+json; fhirVersion=4.0, */*;q=0',
  ];
  for (const accept of served) {
    t.equal((await send(app, 'GET', '/fhir/Patient/p1', undefined, { accept })).statusCode, 200, `Accept: ${accept}`);
  }
  const write = await send(app, 'PUT', '/fhir/Patient/p1', { resourceType: 'Patient', id: 'p1' }, { accept: 'application/fhir+json;q=0' });
  t.equal(write.statusCode, 406, 'a write too (its answer is FHIR JSON)');
});

t.test('a valid _format still decides alone, whatever weights Accept gives', async (t) => {
  const app = await testApp(t);
  await send(app, 'PUT', '/fhir/Patient/p1', { resourceType: 'Patient', id: 'p1' });
  const res = await send(app, 'GET', '/fhir/Patient/p1?_format=json', undefined, { accept: 'application/fhir+json;q=0' });
  t.equal(res.statusCode, 200, '_format overrides Accept (http.html#mime-type)');
  t.equal((await send(app, 'GET', '/fhir/Patient/p1?_format=xml', undefined, { accept: 'application/fhir+json' })).statusCode, 406);
});
