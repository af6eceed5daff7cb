import t from 'tap';
import { send, testApp } from './helpers.js';

// What a transaction rewrites (https://hl7.org/fhir/R4/http.html#trules): Reference.reference,
// uri/url/oid/uuid/canonical elements and narrative links, never string, markdown, code or id;
// and the resolved references are held to their elements' target types.

const P = 'urn:uuid:33333333-3333-4333-8333-333333333333';
const ORG = 'urn:uuid:44444444-4444-4444-8444-444444444444';
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

t.test('a reference resolved from a fullUrl must point at a type its element allows', async (t) => {
  const app = await testApp(t);
  const direct = await send(app, 'POST', '/fhir/Organization', { resourceType: 'Organization', name: 'foo' });
  const org = direct.json().id;
  const directObs = await send(app, 'POST', '/fhir/Observation', { resourceType: 'Observation', status: 'final', code: { text: 'x' }, subject: { reference: `Organization/${org}` } });
  const res = await send(app, 'POST', '/fhir', tx([
    { fullUrl: ORG, resource: { resourceType: 'Organization', name: 'bar' }, request: { method: 'POST', url: 'Organization' } },
    { resource: { resourceType: 'Observation', status: 'final', code: { text: 'x' }, subject: { reference: ORG } }, request: { method: 'POST', url: 'Observation' } },
  ]));
  t.equal(res.statusCode, directObs.statusCode, `the status of the same direct write (${directObs.statusCode})`);
  const issue = res.json().issue[0];
  t.same(issue.expression, ['Bundle.entry[1].resource.subject']);
  t.match(issue.diagnostics, /refers to a Organization.*which this element does not allow/);
  const typed = await send(app, 'POST', '/fhir', tx([
    { fullUrl: ORG, resource: { resourceType: 'Organization', name: 'bar' }, request: { method: 'POST', url: 'Organization' } },
    { resource: { resourceType: 'Observation', status: 'final', code: { text: 'x' }, performer: [{ reference: ORG, type: 'Practitioner' }] }, request: { method: 'POST', url: 'Observation' } },
  ]));
  const directTyped = await send(app, 'POST', '/fhir/Observation', { resourceType: 'Observation', status: 'final', code: { text: 'x' }, performer: [{ reference: `Organization/${org}`, type: 'Practitioner' }] });
  t.equal(typed.statusCode, directTyped.statusCode, `a Reference.type contradicted by what its urn resolved to: as a direct write (${directTyped.statusCode})`);
  t.same(typed.json().issue[0].expression, ['Bundle.entry[1].resource.performer[0].type']);
  t.equal((await send(app, 'GET', '/fhir/Observation?_summary=count')).json().total, 0, 'nothing stored');
  t.equal((await send(app, 'GET', '/fhir/Organization?_summary=count')).json().total, 1, 'only the direct Organization');
});

t.test('a conditional reference is held to the target types too; allowed targets still pass', async (t) => {
  const app = await testApp(t);
  await send(app, 'POST', '/fhir/Organization', { resourceType: 'Organization', name: 'foo' });
  await send(app, 'POST', '/fhir/Patient', { resourceType: 'Patient', identifier: [{ system: 'urn:s', value: 'p1' }] });
  const bad = await send(app, 'POST', '/fhir', tx([
    { resource: { resourceType: 'Observation', status: 'final', code: { text: 'x' }, subject: { reference: 'Organization?name=foo' } }, request: { method: 'POST', url: 'Observation' } },
  ]));
  t.equal(bad.statusCode, 400, bad.body.slice(0, 200));
  t.same(bad.json().issue[0].expression, ['Bundle.entry[0].resource.subject']);
  const good = await send(app, 'POST', '/fhir', tx([
    { resource: { resourceType: 'Observation', status: 'final', code: { text: 'x' }, subject: { reference: 'Patient?identifier=urn:s|p1' }, performer: [{ reference: 'Organization?name=foo' }] }, request: { method: 'POST', url: 'Observation' } },
    { fullUrl: ORG, resource: { resourceType: 'Organization', name: 'bar' }, request: { method: 'POST', url: 'Organization' } },
    { resource: { resourceType: 'Observation', status: 'final', code: { text: 'x' }, performer: [{ reference: ORG, type: 'Organization' }] }, request: { method: 'POST', url: 'Observation' } },
  ]));
  t.equal(good.statusCode, 200, good.body.slice(0, 300));
  t.equal((await send(app, 'GET', '/fhir/Observation?_summary=count')).json().total, 2);
});

t.test('a reference resolved from a fullUrl is held to the types its profile narrows the element to', async (t) => {
  // MedicationRecommendation's Task.focus is Reference(MedicationStatement); base R4's Task.focus is Reference(Any)
  const SD = 'http://hl7.org/fhir/uv/genomics-reporting/StructureDefinition/';
  const task = (focus: string) => ({
    resourceType: 'Task', meta: { profile: [SD + 'medication-recommendation'] }, status: 'requested', intent: 'proposal',
    code: { coding: [{ system: 'http://loinc.org', code: 'LA26421-0' }] }, focus: { reference: focus }, for: { reference: 'Patient/p1' },
  });
  const app = await testApp(t);
  const direct = await send(app, 'POST', '/fhir/Task', task('Patient/p1'));
  t.equal(direct.statusCode, 422, `the direct write is refused (${direct.body.slice(0, 200)})`);
  const res = await send(app, 'POST', '/fhir', tx([
    { fullUrl: P, resource: { resourceType: 'Patient' }, request: { method: 'POST', url: 'Patient' } },
    { resource: task(P), request: { method: 'POST', url: 'Task' } },
  ]));
  t.equal(res.statusCode, direct.statusCode, `as the direct write: ${res.body.slice(0, 300)}`);
  t.match(res.json().issue, [{ expression: ['Bundle.entry[1].resource.focus'], diagnostics: /MedicationRecommendation.*refers to a Patient/ }]);
  t.equal((await send(app, 'GET', '/fhir/Task?_summary=count')).json().total, 0, 'nothing stored');
  const ok = await send(app, 'POST', '/fhir', tx([
    { fullUrl: P, resource: { resourceType: 'MedicationStatement', status: 'active', medicationCodeableConcept: { text: 'clopidogrel' }, subject: { reference: 'Patient/p1' } }, request: { method: 'POST', url: 'MedicationStatement' } },
    { resource: task(P), request: { method: 'POST', url: 'Task' } },
  ]));
  t.equal(ok.statusCode, 200, `a MedicationStatement it may name: ${ok.body.slice(0, 300)}`);
});
