import t from 'tap';
import type { Issue } from '../../src/fhir/outcome.js';
import { validateResource, validationStatus } from '../../src/validation/validate.js';
import { send, testApp } from '../fhir/helpers.js';
import { errorsOf, fixture, summary } from './helpers.js';

/**
 * ele-1 (https://hl7.org/fhir/R4/element.html#invs) as FHIR JSON spells it
 * (https://hl7.org/fhir/R4/json.html): no empty strings, objects or arrays. All three are JSON
 * that is not FHIR JSON, malformed content like a wrong JSON type: 400, with the element's path
 * and the rule named. (An empty object or array used to answer 422 as a broken invariant while an
 * empty string answered 400.)
 */
const patient = (extra: Record<string, unknown>) => ({ resourceType: 'Patient', ...extra });

const EMPTY: [string, Record<string, unknown>, string, RegExp][] = [
  ['an empty string', patient({ name: [{ text: '' }] }), 'Patient.name[0].text', /empty string \(ele-1\)/],
  ['an empty string in an array', patient({ name: [{ given: ['a', ''] }] }), 'Patient.name[0].given[1]', /empty string \(ele-1\)/],
  ['an empty object', patient({ maritalStatus: {} }), 'Patient.maritalStatus', /empty object \(ele-1\)/],
  ['an empty object in an array', patient({ name: [{}] }), 'Patient.name[0]', /empty object \(ele-1\)/],
  ['an empty primitive extension object', patient({ gender: 'male', _gender: {} }), 'Patient._gender', /empty object \(ele-1\)/],
  ['an empty array', patient({ name: [] }), 'Patient.name', /empty array \(ele-1\)/],
  ['an empty array of primitives', patient({ name: [{ given: [] }] }), 'Patient.name[0].given', /empty array \(ele-1\)/],
];

t.test('empty strings, objects and arrays: one status, 400, with the path and the rule', async (t) => {
  for (const [what, resource, at, rule] of EMPTY) {
    const issues = errorsOf(validateResource(resource));
    t.equal(issues.length, 1, `${what}: one issue (${JSON.stringify(issues)})`);
    t.same(issues[0]?.expression, [at], `${what}: names ${at}`);
    t.match(issues[0]?.diagnostics, rule, `${what}: names the rule`);
    t.equal(validationStatus(issues), 400, `${what}: malformed, 400`);
  }
});

t.test('an empty value where a code with a required binding goes names ele-1 too', async (t) => {
  for (const [resource, at] of [
    [patient({ gender: '' }), 'Patient.gender'],
    [{ ...fixture('observation-variant'), status: '' }, 'Observation.status'],
  ] as const) {
    const issues = errorsOf(validateResource(resource));
    t.same(summary(issues), [`value ${at}`]);
    t.match(issues[0]?.diagnostics, `${at} must not be an empty string (ele-1)`, 'the empty string, not a code outside the binding');
  }
  t.match(errorsOf(validateResource(patient({ gender: 'x' })))[0]?.diagnostics, /'x' is not a valid code for Patient.gender/, 'a non-empty wrong code keeps its binding message');
});

t.test('over HTTP: create, update and $validate agree', async (t) => {
  const app = await testApp(t);
  for (const [what, resource, at] of EMPTY) {
    const created = await send(app, 'POST', '/fhir/Patient', resource);
    t.equal(created.statusCode, 400, `create, ${what}: ${created.body.slice(0, 200)}`);
    t.match(created.json().issue, [{ severity: 'error', expression: [at], diagnostics: /ele-1/ }]);
    const updated = await send(app, 'PUT', '/fhir/Patient/p1', { ...resource, id: 'p1' });
    t.equal(updated.statusCode, 400, `update, ${what}`);
    const validated = await send(app, 'POST', '/fhir/Patient/$validate', resource);
    t.equal(validated.statusCode, 200, `$validate, ${what}: answers the outcome`);
    t.match(validated.json().issue, [{ severity: 'error', expression: [at], diagnostics: /ele-1/ }]);
  }
});

t.test('an empty uri, url or canonical is an empty string too', async (t) => {
  // R4's regex for these three is `\S*`, which matches ''; FHIR JSON still has no empty strings
  for (const [resource, at] of [
    [patient({ implicitRules: '' }), 'Patient.implicitRules'],
    [patient({ meta: { profile: [''] } }), 'Patient.meta.profile[0]'],
    [{ resourceType: 'Endpoint', status: 'active', connectionType: { code: 'hl7-fhir-rest' }, payloadType: [{ text: 'x' }], address: '' }, 'Endpoint.address'],
    [patient({ extension: [{ url: 'http://example.org/x', valueUri: '' }] }), 'Patient.extension[0].valueUri'],
    [patient({ extension: [{ url: 'http://example.org/x', valueCanonical: '' }] }), 'Patient.extension[0].valueCanonical'],
  ] as const) {
    const issues = errorsOf(validateResource(resource));
    t.same(summary(issues), [`value ${at}`], at);
    t.match(issues[0]?.diagnostics, `${at} must not be an empty string (ele-1)`);
  }
  t.same(errorsOf(validateResource(patient({ implicitRules: 'urn:x', meta: { profile: ['http://example.org/p'] } }))), [], 'a non-empty one passes');
});

t.test('isEmptyElement goes by the rule the issue carries, not by its words', async (t) => {
  const { isEmptyElement } = await import('../../src/validation/invariants/empty-element.js');
  for (const [what, resource] of EMPTY) {
    const [issue] = errorsOf(validateResource(resource));
    t.equal(issue?.rule, 'ele-1', `${what}: the issue names its rule`);
    t.ok(isEmptyElement(issue!), `${what}: recognised`);
    t.ok(isEmptyElement({ ...issue!, diagnostics: 'reworded: nothing here' }), `${what}: recognised whatever its message says`);
  }
  const lookalike: Issue = { severity: 'error', code: 'structure', diagnostics: 'Patient.name must not be an empty array (ele-1)', expression: ['Patient.name'] };
  t.notOk(isEmptyElement(lookalike), 'the message alone does not make an issue ele-1');
  t.notOk(isEmptyElement(errorsOf(validateResource(patient({ name: 'x' })))[0]!), 'another structure issue is not ele-1');
});
