import t from 'tap';
import type { Resource } from '@medplum/fhirtypes';
import { adopt, carriesNumberText, copyNumberText, parseFhirJson, stringifyFhir } from '../../src/fhir/json-decimals.js';

const roundTrip = (text: string) => stringifyFhir(parseFhirJson(text));

t.test('numbers a double would print differently keep their text', async (t) => {
  const text = '{"resourceType":"Observation","valueQuantity":{"value":1.50,"unit":"mg"},"component":[{"valueQuantity":{"value":1.0}},{"valueInteger":3},{"valueQuantity":{"value":123456789012.120}}],"x":[1e3,2.5E-7,-0,0.1,7]}';
  t.equal(roundTrip(text), text, 'byte for byte');
  const v = parseFhirJson(text) as { valueQuantity: { value: number }; component: Array<{ valueQuantity?: { value: number } }> };
  t.equal(v.valueQuantity.value, 1.5, 'readers see the number');
  t.equal(v.component[0].valueQuantity!.value, 1);
  t.ok(carriesNumberText(v));
});

t.test('pretty printing keeps them too', async (t) => {
  const out = stringifyFhir(parseFhirJson('{"a":{"value":2.10}}'), 2);
  t.equal(out, '{\n  "a": {\n    "value": 2.10\n  }\n}');
});

t.test('plain numbers take the fast path and mark nothing', async (t) => {
  const v = parseFhirJson('{"resourceType":"Observation","valueQuantity":{"value":1.5},"meta":{"lastUpdated":"2026-01-01T10:00:00.120Z"},"note":[{"text":"dose: 1.50, then [2.0]"}]}');
  t.notOk(carriesNumberText(v), 'a time with milliseconds is no number; text in a string is checked and found to hold none');
});

t.test('a number changed after parsing is written as its new value', async (t) => {
  const v = parseFhirJson('{"a":{"value":1.50},"b":{"value":2.0}}') as { a: { value: number }; b: { value: number } };
  v.a.value = 3;
  t.equal(stringifyFhir(v), '{"a":{"value":3},"b":{"value":2.0}}');
});

t.test('containers built later and shallow copies carry the texts', async (t) => {
  const r = parseFhirJson('{"resourceType":"ChargeItem","factorOverride":0.80,"quantity":{"value":1.0}}') as Record<string, unknown>;
  const bundle = { resourceType: 'Bundle', entry: [{ resource: adopt({}, r) }] };
  t.equal(stringifyFhir(bundle), JSON.stringify(bundle), 'the entry was adopted, not the bundle');
  adopt(bundle, r);
  t.equal(stringifyFhir(bundle), '{"resourceType":"Bundle","entry":[{"resource":{"resourceType":"ChargeItem","factorOverride":0.80,"quantity":{"value":1.0}}}]}');
  const copy = { ...r, id: 'c1' };
  copyNumberText(r, copy);
  t.equal(stringifyFhir(copy), '{"resourceType":"ChargeItem","factorOverride":0.80,"quantity":{"value":1.0},"id":"c1"}');
});

t.test('a client string cannot pose as a kept number', async (t) => {
  const text = '{"a":{"value":1.50},"s":"\\u0001x:0","t":"1.50"}';
  t.equal(roundTrip(text), text);
});

t.test('duplicate keys or integer-like keys: the values stay, the texts are not guessed', async (t) => {
  t.equal(roundTrip('{"a":1.50,"a":2.0}'), '{"a":2}', 'JSON.parse keeps the last value; pairing is refused');
  // same count of numbers, other order: the repeated key keeps its first place with its last value
  const swapped = '{"valueQuantity":{"unit":"mg"},"referenceRange":[{"low":{"value":1.0}}],"valueQuantity":{"value":1.00}}';
  t.equal(roundTrip(swapped), '{"valueQuantity":{"value":1},"referenceRange":[{"low":{"value":1}}]}', 'no text moves to another element');
  t.equal(roundTrip('{"a":{"x":1.0},"b":{"x":2.0}}'), '{"a":{"x":1.0},"b":{"x":2.0}}', 'the same key in two objects is no repeat');
  t.equal(roundTrip('{"b":1.50,"1":2.0}'), '{"1":2,"b":1.5}');
});

t.test('strings with escaped quotes do not break the tokenizer', async (t) => {
  const text = '{"s":"a \\"b\\": 1.0, [2.0]","v":1.10,"w":["x\\\\",3.00]}';
  t.equal(roundTrip(text), text);
});

t.test('numbers below 1e-6 keep their text (a double prints them as exponents)', async (t) => {
  t.equal(roundTrip('{"a":0.0000005,"b":[0.00000012]}'), '{"a":0.0000005,"b":[0.00000012]}');
});

t.test('JSON Patch: texts follow their elements and a written number is printed by JavaScript', async (t) => {
  const { applyJsonPatch } = await import('../../src/fhir/rest/json-patch.js');
  const patched = (text: string, ops: unknown[]) => stringifyFhir(applyJsonPatch(parseFhirJson(text) as Resource, ops));
  const seq = '{"resourceType":"MolecularSequence","quality":[{"roc":{"precision":[1.0,1,1.00]}}]}';
  t.equal(patched(seq, [{ op: 'remove', path: '/quality/0/roc/precision/0' }]), '{"resourceType":"MolecularSequence","quality":[{"roc":{"precision":[1,1.00]}}]}', 'remove shifts the texts after it');
  t.equal(patched(seq, [{ op: 'add', path: '/quality/0/roc/precision/1', value: 7 }]), '{"resourceType":"MolecularSequence","quality":[{"roc":{"precision":[1.0,7,1,1.00]}}]}', 'add shifts them the other way');
  t.equal(patched(seq, [{ op: 'add', path: '/quality/0/roc/precision/-', value: 2 }]), '{"resourceType":"MolecularSequence","quality":[{"roc":{"precision":[1.0,1,1.00,2]}}]}', 'append');
  const obs = '{"resourceType":"Observation","valueQuantity":{"value":1.50},"referenceRange":[{"low":{"value":-0}}]}';
  t.equal(patched(obs, [{ op: 'replace', path: '/valueQuantity/value', value: 1.5 }, { op: 'replace', path: '/referenceRange/0/low/value', value: 0 }]), '{"resourceType":"Observation","valueQuantity":{"value":1.5},"referenceRange":[{"low":{"value":0}}]}', 'an equal number written by the patch is its own');
  t.equal(patched(seq, [{ op: 'move', from: '/quality/0/roc/precision/0', path: '/quality/0/roc/precision/2' }]), '{"resourceType":"MolecularSequence","quality":[{"roc":{"precision":[1,1,1]}}]}', 'move forgets the texts of the array rather than guess');
});

t.test('digits beyond a double are not looked for (documented)', async (t) => {
  t.equal(roundTrip('{"a":12345678901234567890}'), '{"a":12345678901234567000}');
});

t.test('over HTTP: a decimal is stored, read, searched and patched as written', async (t) => {
  const { send, testApp } = await import('./helpers.js');
  const app = await testApp(t);
  const obs = '{"resourceType":"Observation","id":"d1","status":"final","code":{"text":"Hb"},"valueQuantity":{"value":13.50,"unit":"g/dL"},"referenceRange":[{"low":{"value":12.0},"high":{"value":1.60E1}}]}';
  t.equal((await send(app, 'PUT', '/fhir/Observation/d1', obs)).statusCode, 201);
  const has = (body: string) => body.includes('"value":13.50') && body.includes('"value":12.0') && body.includes('"value":1.60E1');
  const read = await send(app, 'GET', '/fhir/Observation/d1');
  t.ok(has(read.body), 'read');
  t.ok(has((await send(app, 'GET', '/fhir/Observation/d1/_history/1')).body), 'vread');
  t.ok(has((await send(app, 'GET', '/fhir/Observation?_id=d1')).body), 'search');
  t.ok(has((await send(app, 'GET', '/fhir/Observation?_id=d1&_elements=valueQuantity,referenceRange')).body), 'search with _elements');
  t.ok((await send(app, 'GET', '/fhir/Observation/d1?_pretty=true')).body.includes('"value": 13.50'), '_pretty');
  t.ok(has((await send(app, 'GET', '/fhir/Observation/_history')).body), 'history');
  const patch = await send(app, 'PATCH', '/fhir/Observation/d1', [{ op: 'replace', path: '/status', value: 'amended' }], { 'content-type': 'application/json-patch+json' });
  t.equal(patch.statusCode, 200);
  const after = await send(app, 'GET', '/fhir/Observation/d1');
  t.ok(has(after.body) && after.json().status === 'amended', 'a patch of another element keeps the decimals');
  t.equal(after.json().valueQuantity.value, 13.5, 'clients parsing JSON read the value');
  const patched = await send(app, 'PATCH', '/fhir/Observation/d1', '[{"op":"replace","path":"/referenceRange/0/low","value":{"value":11.0}}]', { 'content-type': 'application/json-patch+json' });
  t.equal(patched.statusCode, 200);
  t.ok(patched.body.includes('"low":{"value":11.0}'), 'a patch value keeps its decimals (json-patch.ts applies a copy of it)');
  // search by value still reads the number (13.50 = 13.5)
  t.equal((await send(app, 'GET', '/fhir/Observation?value-quantity=13.5')).json().total, 1);
});

t.test('over HTTP: a read with _elements keeps decimals as written', async (t) => {
  const { send, testApp } = await import('./helpers.js');
  const app = await testApp(t);
  const obs = '{"resourceType":"Observation","id":"d2","status":"final","code":{"text":"x"},"valueQuantity":{"value":2.50}}';
  await send(app, 'PUT', '/fhir/Observation/d2', obs);
  t.ok((await send(app, 'GET', '/fhir/Observation/d2?_elements=valueQuantity')).body.includes('"value":2.50'));
});

t.test('genomics operation answers keep decimals of the resources they hold', async (t) => {
  const { group, parameters, res, serializeParameters } = await import('../../src/genomics/operations/output.js');
  const r = parseFhirJson('{"resourceType":"Observation","valueQuantity":{"value":0.50}}') as Resource;
  const text = serializeParameters(parameters([group('implication', [res('implication', r)])], []));
  t.ok(text.includes('"value":0.50'), text);
});

t.test('over HTTP: transaction and batch answers keep decimals as written', async (t) => {
  const { send, testApp } = await import('./helpers.js');
  const app = await testApp(t);
  const entry = '{"resource":{"resourceType":"Observation","status":"final","code":{"text":"x"},"valueQuantity":{"value":7.10}},"request":{"method":"POST","url":"Observation"}}';
  const tx = await send(app, 'POST', '/fhir', `{"resourceType":"Bundle","type":"transaction","entry":[${entry}]}`, { prefer: 'return=representation' });
  t.equal(tx.statusCode, 200);
  t.ok(tx.body.includes('"value":7.10'), 'transaction, return=representation');
  const id = tx.json().entry[0].resource.id;
  const batch = await send(app, 'POST', '/fhir', `{"resourceType":"Bundle","type":"batch","entry":[{"request":{"method":"GET","url":"Observation/${id}"}}]}`);
  t.ok(batch.body.includes('"value":7.10'), 'batch GET');
});

t.test("over HTTP: a resource's own top-level decimal keeps its text on create, conditional create and in a transaction", async (t) => {
  const { send, testApp } = await import('./helpers.js');
  const app = await testApp(t);
  const ci = (v: string) => `{"resourceType":"ChargeItem","status":"billable","code":{"text":"x"},"subject":{"reference":"Patient/p1"},"factorOverride":${v}}`;
  const created = await send(app, 'POST', '/fhir/ChargeItem', ci('0.80'));
  t.ok(created.body.includes('"factorOverride":0.80'), 'create');
  const cond = await send(app, 'PUT', '/fhir/ChargeItem?code=unknown-code', ci('0.90'));
  t.equal(cond.statusCode, 201);
  t.ok(cond.body.includes('"factorOverride":0.90'), 'conditional update as create');
  const tx = await send(app, 'POST', '/fhir', `{"resourceType":"Bundle","type":"transaction","entry":[{"resource":${ci('1.10')},"request":{"method":"POST","url":"ChargeItem"}}]}`);
  const loc = tx.json().entry[0].response.location.split('/fhir/')[1].split('/_history')[0];
  t.ok((await send(app, 'GET', `/fhir/${loc}`)).body.includes('"factorOverride":1.10'), 'transaction create');
});

t.test('an integer written with a fraction or exponent is refused (its text would be echoed)', async (t) => {
  const { send, testApp } = await import('./helpers.js');
  const app = await testApp(t);
  const bad = await send(app, 'POST', '/fhir/Observation', '{"resourceType":"Observation","status":"final","code":{"text":"x"},"valueInteger":1.0}');
  t.equal(bad.statusCode, 400);
  t.match(bad.json().issue[0], { code: 'value', expression: ['Observation.valueInteger'] });
  const seq = await send(app, 'POST', '/fhir/MolecularSequence', '{"resourceType":"MolecularSequence","coordinateSystem":0,"referenceSeq":{"windowStart":1.000E3,"windowEnd":2000}}');
  t.equal(seq.statusCode, 400);
  t.same(seq.json().issue.map((i: { expression: string[] }) => i.expression[0]), ['MolecularSequence.referenceSeq.windowStart']);
  const ok = await send(app, 'POST', '/fhir/Observation', '{"resourceType":"Observation","status":"final","code":{"text":"x"},"valueQuantity":{"value":1.0},"component":[{"code":{"text":"y"},"valueInteger":2}]}');
  t.equal(ok.statusCode, 201, 'a decimal 1.0 beside a plain integer is fine');
});
