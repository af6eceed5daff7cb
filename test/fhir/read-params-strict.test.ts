import t from 'tap';
import { send, testApp } from './helpers.js';

// read and vread take _summary, _elements, _format and _pretty (http.html#read, #general). Another
// parameter is ignored, as search and history ignore one, and under `Prefer: handling=strict`
// (http.html#prefer) it answers 400, as history's does: `GET Patient/p1?identifier=x` is no filter.
t.test('read and vread: unknown parameters answer 400 under handling=strict, are ignored otherwise', async (t) => {
  const app = await testApp(t);
  await send(app, 'PUT', '/fhir/Patient/p1', { resourceType: 'Patient', id: 'p1', active: true });
  const strict = { prefer: 'handling=strict' };
  for (const url of ['/fhir/Patient/p1?identifier=x', '/fhir/Patient/p1/_history/1?identifier=x', '/fhir/SearchParameter/Resource-id?x=1']) {
    const res = await send(app, 'GET', url, undefined, strict);
    t.equal(res.statusCode, 400, `${url} (strict)`);
    t.equal(res.json().resourceType, 'OperationOutcome');
    t.match(res.json().issue[0].diagnostics, /handling=strict/);
    t.equal((await send(app, 'GET', url)).statusCode, 200, `${url} (lenient: ignored)`);
  }
  const known = await send(app, 'GET', '/fhir/Patient/p1?_summary=true&_elements=active&_format=json&_pretty=true', undefined, strict);
  t.equal(known.statusCode, 200, 'the read parameters pass');
});
