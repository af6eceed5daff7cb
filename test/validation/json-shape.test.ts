import t from 'tap';
import { checkJsonShape, MAX_JSON_DEPTH } from '../../src/validation/json-shape.js';
import { validateResource } from '../../src/validation/validate.js';
import { summary } from './helpers.js';

t.test('prototype keys never get through', async (t) => {
  // JSON.parse keeps "__proto__" as a plain own key: exactly what must be refused.
  const body = JSON.parse('{"resourceType":"Patient","name":[{"__proto__":{"admin":true}}],"constructor":{"prototype":{"x":1}}}');
  t.same(summary(checkJsonShape(body, { root: 'Patient' })).sort(), ['structure Patient.constructor', 'structure Patient.name[0].__proto__']);
  t.same(summary(validateResource(body)).length, 2, 'validateResource refuses before any other layer');
  t.same(summary(validateResource(JSON.parse('{"resourceType":"Patient","text":{"prototype":1}}'))), ['structure text.prototype']);
});

t.test('nesting depth is bounded', async (t) => {
  let deep: unknown = 'x';
  for (let i = 0; i < MAX_JSON_DEPTH + 5; i++) deep = { extension: [deep] };
  const issues = checkJsonShape({ resourceType: 'Patient', extension: [deep] });
  t.equal(issues.length, 1);
  t.match(issues[0]!.diagnostics, /deeper than 100/);
  t.same(checkJsonShape({ a: [[[1]]] }, { maxDepth: 3 }).length, 1);
  t.same(checkJsonShape({ a: [[1]] }, { maxDepth: 3 }), []);
});
