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
