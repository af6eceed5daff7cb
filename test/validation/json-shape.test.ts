import t from 'tap';
import { checkJsonShape, MAX_JSON_DEPTH } from '../../src/validation/json-shape.js';
import { validateResource } from '../../src/validation/validate.js';
import { summary } from './helpers.js';

t.test('prototype keys never get through', async (t) => {
  // JSON.parse keeps "__proto__" as a plain own key: exactly what must be refused.
  const body = JSON.parse('{"resourceType":"Patient","name":[{"__proto__":{"admin":true}}],"constructor":{"prototype":{"x":1}}}');
  t.same(summary(checkJsonShape(body, { root: 'Patient' })).sort(), ['structure Patient.constructor', 'structure Patient.name[0].__proto__']);
  t.same(summary(validateResource(body)).length, 2, 'validateResource refuses before any other layer');
  t.same(summary(validateResource(JSON.parse('{"resourceType":"Patient","text":{"prototype":1}}'))), ['structure Patient.text.prototype'], 'located from the resource type, as every other issue');
});

t.test('locations start at the resource type, over HTTP too', async (t) => {
  // (they started at the first element: `text.prototype`, `extension[0]…`, unlike every other issue's FHIRPath)
  const body = JSON.parse('{"resourceType":"Observation","status":"final","code":{"text":"x"},"component":[{"__proto__":{"admin":true}}]}');
  t.same(summary(checkJsonShape(body)), ['structure Observation.component[0].__proto__']);
  let deep: unknown = 'x';
  for (let i = 0; i < MAX_JSON_DEPTH + 5; i++) deep = { extension: [deep] };
  const [deepIssue] = checkJsonShape({ resourceType: 'Patient', extension: [deep] });
  t.match(deepIssue?.expression?.[0], /^Patient\.extension\[0\]\.extension\[0\]/);
  t.same(summary(checkJsonShape({ resourceType: 'not a type', constructor: 1 })), ['structure constructor'], 'no root from a resourceType that is not a type name');
  t.same(summary(checkJsonShape(JSON.parse('[{"op":"add","path":"/x","value":{"__proto__":1}}]'))), ['structure [0].value.__proto__'], 'a JSON Patch body has no resource type');

  const { send, testApp } = await import('../fhir/helpers.js');
  const app = await testApp(t);
  const res = await send(app, 'POST', '/fhir/Observation', JSON.stringify(body));
  t.equal(res.statusCode, 400);
  t.match(res.json().issue, [{ code: 'structure', diagnostics: /^Forbidden JSON key '__proto__'/, expression: ['Observation.component[0].__proto__'] }]);
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
