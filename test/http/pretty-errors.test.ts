import t from 'tap';
import { send, testApp } from '../fhir/helpers.js';

/**
 * `_pretty=true` asks for an indented answer (https://hl7.org/fhir/R4/http.html#general): an
 * OperationOutcome of an error is an answer too, whichever layer raised it.
 */
t.test('_pretty=true indents error OperationOutcomes; without it they stay compact', async (t) => {
  const app = await testApp(t);
  for (const url of ['/fhir/Patient/nope?_pretty=true', '/fhir/Nope/1?_pretty=true', '/fhir/Patient/p1?_pretty=true&_summary=bogus']) {
    const res = await send(app, 'GET', url);
    t.ok(res.statusCode >= 400, url);
    t.match(res.body, /^\{\n {2}"resourceType": "OperationOutcome"/, `${url}: indented`);
    t.equal(res.json().resourceType, 'OperationOutcome');
  }
  const compact = await send(app, 'GET', '/fhir/Patient/nope');
  t.notMatch(compact.body, /\n/);
  t.notMatch((await send(app, 'GET', '/fhir/Patient/nope?_pretty=false')).body, /\n/);
});
