import t from 'tap';
import type { Issue } from '../../src/fhir/outcome.js';
import { toOperationOutcome } from '../../src/fhir/outcome.js';
import { pointerToExpression, rebaseExpression } from '../../src/validation/expression.js';
import { validateResource, validationErrorKey, validationStatus } from '../../src/validation/validate.js';
import { fixture } from './helpers.js';

const issue = (code: Issue['code'], severity: Issue['severity'] = 'error'): Issue => ({ severity, code, diagnostics: 'x' });

t.test('one decision point for the HTTP status', async (t) => {
  t.equal(validationStatus([]), 200);
  t.equal(validationStatus([issue('processing', 'warning')]), 200, 'warnings never stop a write');
  t.equal(validationStatus([issue('structure')]), 400);
  t.equal(validationStatus([issue('required')]), 400);
  t.equal(validationStatus([issue('value')]), 400);
  t.equal(validationStatus([issue('invariant')]), 422);
  t.equal(validationStatus([issue('processing')]), 422, 'profile failures');
  t.equal(validationStatus([issue('invariant'), issue('structure')]), 400, 'malformed wins');
  t.equal(validationErrorKey([issue('invariant')]), 'UNPROCESSABLE');
  t.equal(validationErrorKey([issue('value')]), 'INVALID_RESOURCE');
  t.equal(validationErrorKey([]), undefined);
});

t.test('FHIRPath expressions from JSON pointers', async (t) => {
  t.equal(pointerToExpression('Observation', '/component/3/valueString'), 'Observation.component[3].valueString');
  t.equal(pointerToExpression('Observation', ''), 'Observation');
  t.equal(pointerToExpression('X', '/a~1b/c~0d'), 'X.a/b.c~d');
  t.equal(rebaseExpression('Observation.status', 'Observation', 'Bundle.entry[1].resource'), 'Bundle.entry[1].resource.status');
  t.equal(rebaseExpression('Observation', 'Observation', 'Bundle.entry[1].resource'), 'Bundle.entry[1].resource');
});

t.test('an OperationOutcome a person can read', async (t) => {
  const obs = fixture('observation-variant');
  obs.status = 'done';
  obs.component[1].foo = 1;
  obs.effectiveDateTime = '2023-13-45';
  const outcome = toOperationOutcome(validateResource(obs).filter((i) => i.severity === 'error'));
  t.same(outcome, {
    resourceType: 'OperationOutcome',
    issue: [
      { severity: 'error', code: 'value', diagnostics: "'done' is not a valid code for Observation.status (required binding: registered, preliminary, final, amended, corrected, cancelled, entered-in-error, unknown)", expression: ['Observation.status'] },
      { severity: 'error', code: 'value', diagnostics: "'2023-13-45' is not a valid dateTime (YYYY, YYYY-MM, YYYY-MM-DD or YYYY-MM-DDThh:mm:ss+zz:zz) at Observation.effectiveDateTime", expression: ['Observation.effectiveDateTime'] },
      { severity: 'error', code: 'structure', diagnostics: "Unknown element 'foo' in Observation.component[1]", expression: ['Observation.component[1].foo'] },
    ],
  });
});
