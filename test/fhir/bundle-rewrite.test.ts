import t from 'tap';
import { send, testApp } from './helpers.js';

// What a transaction rewrites (https://hl7.org/fhir/R4/http.html#trules): Reference.reference,
// uri/url/oid/uuid/canonical elements and narrative links, never string, markdown, code or id.

const P = 'urn:uuid:33333333-3333-4333-8333-333333333333';
const idOf = (e: { response: { location: string } }) => e.response.location.replace(/^.*\/fhir\//, '').replace(/\/_history\/.*$/, '');
const tx = (entry: unknown[]) => ({ resourceType: 'Bundle', type: 'transaction', entry });

t.test('a string equal to a fullUrl is data, not a reference: only typed link elements are rewritten', async (t) => {
  const app = await testApp(t);
  const res = await send(app, 'POST', '/fhir', tx([
    { fullUrl: P, resource: { resourceType: 'Patient', name: [{ text: P }], identifier: [{ system: 'urn:ietf:rfc:3986', value: P }] }, request: { method: 'POST', url: 'Patient' } },
    { resource: {
      resourceType: 'Observation', status: 'final', code: { text: 'x' }, subject: { reference: P },
      component: [{ code: { text: 'c' }, valueString: P }],
      note: [{ text: P }],
      instantiatesCanonical: undefined,
      extension: [{ url: 'http://example.org/see', valueUri: P }, { url: 'http://example.org/who', valueReference: { reference: P } }],
      contained: [{ resourceType: 'Specimen', id: 's', subject: { reference: P }, note: [{ text: P }] }],
    }, request: { method: 'POST', url: 'Observation' } },
  ]));
  t.equal(res.statusCode, 200, res.body.slice(0, 300));
  const [pat, obs] = res.json().entry.map(idOf);
  const patient = (await send(app, 'GET', `/fhir/${pat}`)).json();
  t.equal(patient.name[0].text, P, 'HumanName.text (string) is left as sent');
  t.equal(patient.identifier[0].value, P, 'Identifier.value (string) is left as sent');
  const o = (await send(app, 'GET', `/fhir/${obs}`)).json();
  t.equal(o.subject.reference, pat, 'Reference.reference is rewritten');
  t.equal(o.component[0].valueString, P, 'valueString is left as sent');
  t.equal(o.note[0].text, P, 'Annotation.text (markdown) is left as sent');
  t.equal(o.extension[0].valueUri, pat, 'a uri element is rewritten');
  t.equal(o.extension[1].valueReference.reference, pat, 'a Reference inside an extension is rewritten');
  t.equal(o.contained[0].subject.reference, pat, 'a Reference of a contained resource is rewritten');
  t.equal(o.contained[0].note[0].text, P, 'and its strings are not');
});
