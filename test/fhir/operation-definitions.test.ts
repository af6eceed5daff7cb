import t from 'tap';
import { docsApp } from '../docs/helpers.js';

t.test('every operation in the CapabilityStatement has a readable OperationDefinition', async (t) => {
  const app = await docsApp();
  t.teardown(() => app.close());
  const cap = (await app.inject('/fhir/metadata')).json();
  type Entry = { name: string; definition: string };
  const entries: Entry[] = [
    ...cap.rest[0].operation,
    ...cap.rest[0].resource.flatMap((r: { operation?: Entry[] }) => r.operation ?? []),
  ];
  const byDefinition = new Map(entries.map((e) => [e.definition, e.name]));
  t.ok(byDefinition.size >= 20, `${byDefinition.size} operations listed`);
  // a client follows each entry's definition: a local reference is read against the base; a
  // canonical (the IG's) is served under its last segment, carrying that url
  for (const [definition, name] of byDefinition) {
    const local = !/^[a-z]+:/.test(definition);
    if (local) t.match(definition, /^OperationDefinition\/[A-Za-z0-9\-.]+$/, `${name}: a local reference`);
    const res = await app.inject(`/fhir/OperationDefinition/${definition.split('/').pop()}`);
    t.equal(res.statusCode, 200, definition);
    const def = res.json();
    t.equal(def.resourceType, 'OperationDefinition');
    if (local) t.equal(`OperationDefinition/${def.id}`, definition, `${definition}: the id is the one referenced`);
    else t.equal(def.url, definition, `${definition}: the served definition carries that canonical url`);
    t.equal(def.code === 'match' ? def.id : def.code, name, `${name}: the definition is the operation's own`);
  }
  // the core operations as this server implements them, based on the spec's definitions
  const validate = (await app.inject('/fhir/OperationDefinition/Resource-validate')).json();
  t.equal(validate.base, 'http://hl7.org/fhir/OperationDefinition/Resource-validate');
  t.same(validate.parameter.map((p: { name: string }) => p.name), ['resource', 'mode', 'profile', 'return']);
  const everything = (await app.inject('/fhir/OperationDefinition/Patient-everything')).json();
  t.equal(everything.base, 'http://hl7.org/fhir/OperationDefinition/Patient-everything');
  t.same(everything.parameter.filter((p: { use: string }) => p.use === 'in').map((p: { name: string }) => p.name), ['_since', '_type', '_count'], 'the inputs it supports (no start/end)');
  t.equal((await app.inject('/fhir/OperationDefinition/no-such-op')).statusCode, 404);
});
