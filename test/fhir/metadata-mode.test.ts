import t from 'tap';
import { send, testApp } from './helpers.js';

/**
 * `GET /metadata?mode=` (https://hl7.org/fhir/R4/http.html#capabilities): `full` (the default) and
 * `normative` are the CapabilityStatement (all of it is normative in R4); `terminology` asks for a
 * TerminologyCapabilities, which this server (no terminology service) does not have. Found by
 * black-box testing: `mode=terminology`, and any unknown mode, answered the CapabilityStatement,
 * a resource of another type than the one asked for.
 */
t.test('metadata mode', async (t) => {
  const app = await testApp(t);
  for (const q of ['', '?mode=full', '?mode=normative']) {
    const res = await send(app, 'GET', `/fhir/metadata${q}`);
    t.equal(res.statusCode, 200, q || 'no mode');
    t.equal(res.json().resourceType, 'CapabilityStatement');
  }
  for (const mode of ['terminology', 'bogus']) {
    const res = await send(app, 'GET', `/fhir/metadata?mode=${mode}`);
    t.equal(res.statusCode, 400, `mode=${mode}: ${res.statusCode}`);
    t.equal(res.json().resourceType, 'OperationOutcome');
    t.match(res.json().issue[0].diagnostics, /mode/);
  }
});
