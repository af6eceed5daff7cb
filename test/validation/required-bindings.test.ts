import t from 'tap';
import { validateResource, validationStatus } from '../../src/validation/validate.js';
import { send, testApp } from '../fhir/helpers.js';
import { errorsOf, summary } from './helpers.js';

/**
 * `code` elements bound `required` to a value set the HL7 schema shares between resources
 * (event-status, request-intent, request-priority …) took any code; the generator now inlines
 * their expansion (scripts/r4-schemas/required-bindings.ts), as HL7 does for the unshared ones.
 */
const subject = { reference: 'Patient/p1' };
const CASES: [string, Record<string, unknown>, string][] = [
  ['Procedure.status', { resourceType: 'Procedure', status: 'done', subject }, 'Procedure.status'],
  ['ServiceRequest.intent', { resourceType: 'ServiceRequest', status: 'active', intent: 'wish', subject }, 'ServiceRequest.intent'],
  ['ServiceRequest.priority', { resourceType: 'ServiceRequest', status: 'active', intent: 'order', priority: 'soon', subject }, 'ServiceRequest.priority'],
  ['Task.priority', { resourceType: 'Task', status: 'requested', intent: 'order', priority: 'high' }, 'Task.priority'],
  ['RiskAssessment.status', { resourceType: 'RiskAssessment', status: 'done', subject }, 'RiskAssessment.status'],
  ['DocumentReference.docStatus', { resourceType: 'DocumentReference', status: 'current', docStatus: 'draft', content: [{ attachment: { url: 'http://example.org/a' } }] }, 'DocumentReference.docStatus'],
  // a repeating code, inside a backbone element
  ['Location.hoursOfOperation.daysOfWeek', { resourceType: 'Location', hoursOfOperation: [{ daysOfWeek: ['mon', 'monday'] }] }, 'Location.hoursOfOperation[0].daysOfWeek[1]'],
];

t.test('a code outside a required binding is refused, with the element path', async (t) => {
  for (const [what, resource, at] of CASES) {
    const issues = errorsOf(validateResource(resource));
    t.same(summary(issues), [`value ${at}`], `${what}: one issue at ${at} (${JSON.stringify(issues)})`);
    t.equal(validationStatus(issues), 400, `${what}: 400`);
  }
});

t.test('the codes of the value set pass', async (t) => {
  const ok: Record<string, unknown>[] = [
    { resourceType: 'Procedure', status: 'completed', subject },
    { resourceType: 'Procedure', status: 'not-done', subject },
    { resourceType: 'ServiceRequest', status: 'active', intent: 'reflex-order', priority: 'stat', subject },
    { resourceType: 'Task', status: 'requested', intent: 'order', priority: 'asap' },
    { resourceType: 'DocumentReference', status: 'current', docStatus: 'final', content: [{ attachment: { url: 'http://example.org/a' } }] },
    // a repeating primitive may still hold null where its `_` sibling carries the extension
    { resourceType: 'Location', hoursOfOperation: [{ daysOfWeek: ['mon', null], _daysOfWeek: [null, { extension: [{ url: 'http://example.org/x', valueString: 'y' }] }] }] },
  ];
  for (const resource of ok) t.same(summary(validateResource(resource)), [], JSON.stringify(resource));
});

t.test('over HTTP: POST a Procedure with status "done"', async (t) => {
  const app = await testApp(t);
  const res = await send(app, 'POST', '/fhir/Procedure', CASES[0]![1]);
  t.ok([400, 422].includes(res.statusCode), `refused: ${res.statusCode} ${res.body.slice(0, 300)}`);
  t.match(res.json(), { resourceType: 'OperationOutcome', issue: [{ severity: 'error', expression: ['Procedure.status'], diagnostics: /'done' is not a valid code for Procedure.status/ }] });
  const good = await send(app, 'POST', '/fhir/Procedure', { ...CASES[0]![1], status: 'completed' });
  t.equal(good.statusCode, 201, good.body.slice(0, 300));
});

/**
 * A repeating primitive may hold `null` where its `_` sibling carries the extension
 * (https://hl7.org/fhir/R4/json.html#primitive): the enumerated ones too. Those the HL7 schema
 * enumerates (`AllergyIntolerance.category`, `Timing.repeat.when` …) refused the null as a code
 * outside the binding, the ones the generator inlined (`daysOfWeek`) took it.
 */
const absent = { extension: [{ url: 'http://hl7.org/fhir/StructureDefinition/data-absent-reason', valueCode: 'unknown' }] };
const NULL_ITEMS: [string, (items: unknown[], ext?: unknown[]) => Record<string, unknown>, string][] = [
  ['AllergyIntolerance.category', (v, x) => ({ resourceType: 'AllergyIntolerance', patient: subject, category: v, ...(x && { _category: x }) }), 'AllergyIntolerance.category[0]'],
  ['Timing.repeat.when', (v, x) => ({ resourceType: 'ServiceRequest', status: 'active', intent: 'order', subject, occurrenceTiming: { repeat: { when: v, ...(x && { _when: x }) } } }), 'ServiceRequest.occurrenceTiming.repeat.when[0]'],
  ['SearchParameter.comparator', (v, x) => ({ resourceType: 'SearchParameter', url: 'http://example.org/sp', name: 'x', status: 'draft', description: 'x', code: 'x', base: ['Patient'], type: 'number', comparator: v, ...(x && { _comparator: x }) }), 'SearchParameter.comparator[0]'],
  ['Location.hoursOfOperation.daysOfWeek', (v, x) => ({ resourceType: 'Location', hoursOfOperation: [{ daysOfWeek: v, ...(x && { _daysOfWeek: x }) }] }), 'Location.hoursOfOperation[0].daysOfWeek[0]'],
];
const VALUE: Record<string, string> = { 'AllergyIntolerance.category': 'food', 'Timing.repeat.when': 'MORN', 'SearchParameter.comparator': 'eq', 'Location.hoursOfOperation.daysOfWeek': 'mon' };

t.test('an enumerated repeating code may be null where its _element carries an extension', async (t) => {
  for (const [what, make, at] of NULL_ITEMS) {
    const code = VALUE[what]!;
    t.same(summary(validateResource(make([code, code]))), [], `${what}: the codes pass`);
    t.same(summary(validateResource(make([null, code], [absent, null]))), [], `${what}: null with an extension beside it passes`);
    // the same through the layered path (another element is wrong), which must not add the null
    const broken = { ...make([null, code], [absent, null]), implicitRules: 'not a uri' };
    t.same(summary(validateResource(broken)), ['value ' + what.split('.')[0]!.replace(/^Timing$/, 'ServiceRequest') + '.implicitRules'], `${what}: layered, only the other error`);
    const alone = errorsOf(validateResource(make([null, code])));
    t.same(summary(alone), [`structure ${at}`], `${what}: a null without an extension is still an error (${JSON.stringify(alone)})`);
    t.match(alone[0]?.diagnostics, /is null without a counterpart value or extension/, `${what}: said once, as pairing`);
    t.same(summary(validateResource(make(['nonsense', code]))), [`value ${at}`], `${what}: a code outside the binding is still refused`);
  }
});

t.test('the schema admits null in every enumerated repeating code that has an _element sibling', async (t) => {
  const { readFileSync } = await import('node:fs');
  const defs = JSON.parse(readFileSync(new URL('../../schemas/r4/fhir.schema.json', import.meta.url), 'utf8')).definitions as Record<string, { properties?: Record<string, any> }>;
  const missing: string[] = [];
  let seen = 0;
  for (const [name, def] of Object.entries(defs)) {
    for (const [prop, schema] of Object.entries(def.properties ?? {})) {
      if (schema.type !== 'array' || !JSON.stringify(schema.items).includes('"enum"') || !(`_${prop}` in def.properties!)) continue;
      seen++;
      const branches: any[] = schema.items.anyOf ?? [schema.items];
      if (!branches.some((b) => b.type === 'null')) missing.push(`${name}.${prop}`);
    }
  }
  t.ok(seen >= 20, `enumerated repeating codes found (${seen})`);
  t.same(missing, [], 'each admits null (its pairing is checked by the invariant walk)');
});

t.test('a null or a number where an enumerated code goes is a wrong JSON type, worded as for any other primitive', async (t) => {
  for (const [value, kind] of [[null, 'null'], [5, 'a number'], [true, 'a boolean'], [{ code: 'final' }, 'an object']] as const) {
    const issues = errorsOf(validateResource({ resourceType: 'Procedure', status: value, subject }));
    t.same(summary(issues), ['structure Procedure.status'], `${JSON.stringify(value)}: ${JSON.stringify(issues)}`);
    t.equal(issues[0]?.diagnostics, `Procedure.status must be a string (code), not ${kind}`);
  }
  const date = errorsOf(validateResource({ resourceType: 'Procedure', status: 'completed', subject, performedDateTime: null }));
  t.match(date[0]?.diagnostics, /must be a string \(dateTime\), not null/, 'as a dateTime says it');
  t.same(summary(validateResource({ resourceType: 'Procedure', status: 'done', subject })), ['value Procedure.status'], 'a string outside the binding: still a bad value');
});
