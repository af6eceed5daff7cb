import t from 'tap';
import { validateResource, validationStatus } from '../../src/validation/validate.js';
import { send, testApp } from '../fhir/helpers.js';
import { errorsOf, summary } from './helpers.js';

/**
 * Parameters inv-1 (https://hl7.org/fhir/R4/parameters.html#invs): a parameter, and every part at
 * any depth, has one and only one of value[x], resource and part. Reported at the offending
 * parameter (`Parameters.parameter[0].part[1]`), wherever the Parameters sits.
 */
const patient = { resourceType: 'Patient', id: 'p1' };
const params = (...parameter: unknown[]) => ({ resourceType: 'Parameters', parameter });

t.test('inv-1 through validateResource', async (t) => {
  t.same(summary(validateResource(params({ name: 'a', valueString: 'x', resource: patient }))), ['invariant Parameters.parameter[0]'], 'value and resource');
  t.same(summary(validateResource(params({ name: 'ok', valueBoolean: true }, { name: 'a', valueString: 'x', part: [{ name: 'b', valueString: 'y' }] }))), ['invariant Parameters.parameter[1]'], 'value and part');
  t.same(summary(validateResource(params({ name: 'a', resource: patient, part: [{ name: 'b', valueString: 'y' }] }))), ['invariant Parameters.parameter[0]'], 'resource and part');
  const none = errorsOf(validateResource(params({ name: 'a' })));
  t.same(summary(none), ['invariant Parameters.parameter[0]'], 'none of them');
  t.match(none[0]!.diagnostics, /inv-1/);
  t.equal(validationStatus(none), 422, 'a rule, not malformed JSON');
  t.same(summary(validateResource(params({ name: 'a', _valueString: { extension: [{ url: 'http://example.org/x', valueBoolean: true }] } }))), [], 'a primitive value given by its extension only is a value');

  const nested = params({ name: 'g', part: [{ name: 'ok', valueString: 'x' }, { name: 'h', part: [{ name: 'both', valueInteger: 1, resource: patient }, { name: 'empty' }] }, { name: 'both', valueCode: 'c', part: [{ name: 'i', valueCode: 'd' }] }] });
  t.same(summary(validateResource(nested)), ['invariant Parameters.parameter[0].part[1].part[0]', 'invariant Parameters.parameter[0].part[1].part[1]', 'invariant Parameters.parameter[0].part[2]'], 'nested parts, at any depth');

  const fine = params({ name: 'v', valueString: 'x' }, { name: 'r', resource: patient }, { name: 'p', part: [{ name: 'q', valueBoolean: false }, { name: 'r', resource: patient }] });
  t.same(errorsOf(validateResource(fine)), [], 'one form each: nothing');

  const inBundle = { resourceType: 'Bundle', type: 'collection', entry: [{ fullUrl: 'urn:uuid:1', resource: params({ name: 'a' }) }] };
  t.same(summary(validateResource(inBundle)), ['invariant Bundle.entry[0].resource.parameter[0]'], 'located where the Parameters sits');
  const inside = params({ name: 'outer', resource: params({ name: 'inner', valueString: 'x', resource: patient }) });
  t.same(summary(validateResource(inside)), ['invariant Parameters.parameter[0].resource.parameter[0]'], 'a Parameters held by a parameter');
});

t.test('inv-1 over HTTP: create answers 422, $validate reports it', async (t) => {
  const app = await testApp(t);
  const bad = params({ name: 'a', valueString: 'x', resource: patient });
  const created = await send(app, 'POST', '/fhir/Parameters', bad);
  t.equal(created.statusCode, 422, created.body.slice(0, 300));
  t.match(created.json().issue, [{ code: 'invariant', expression: ['Parameters.parameter[0]'], diagnostics: /inv-1/ }]);
  t.equal((await send(app, 'POST', '/fhir/Parameters', params({ name: 'a', valueString: 'x' }))).statusCode, 201, 'a well-formed one is stored');

  const validated = await send(app, 'POST', '/fhir/Parameters/$validate', params({ name: 'resource', resource: bad }));
  t.equal(validated.statusCode, 200);
  t.match(validated.json().issue, [{ severity: 'error', code: 'invariant', expression: ['Parameters.parameter[0]'] }], 'a Parameters under validation: its inv-1 is in the answer');
  t.equal((await send(app, 'POST', '/fhir/Parameters/$validate', params({ name: 'x', part: [{ name: 'y' }] }))).json().issue[0].expression[0], 'Parameters.parameter[0].part[0]', 'a Parameters body that is not the operation\'s input is the resource validated');
});

t.test('inv-1 is reported once, and the key stays Task\'s in profiles', async (t) => {
  // Constraint keys are unique only within a definition: Task has an inv-1 of its own
  // (lastModified >= authoredOn), which the IG's Task profiles check; no IG profile is on
  // Parameters, so skipping `inv-1` by key in compile-profile.ts would only lose Task's.
  const { example, SD } = await import('../profiles/helpers.js');
  const task = example('Task-MedicationRecommendationExample1.json');
  t.ok(task.meta.profile.some((p: string) => p.startsWith(`${SD}medication-recommendation`)), 'the example claims the profile');
  task.authoredOn = '2024-02-01';
  task.lastModified = '2024-01-01';
  t.match(errorsOf(validateResource(task)).map((i) => i.diagnostics), [/inv-1/], "Task's inv-1 is checked by its profile");
  const claimed = { ...params({ name: 'a', valueString: 'x', resource: patient }), meta: { profile: ['http://hl7.org/fhir/StructureDefinition/Parameters'] } };
  t.same(summary(validateResource(claimed)), ['invariant Parameters.parameter[0]'], 'one issue for a Parameters claiming its base profile');
});
