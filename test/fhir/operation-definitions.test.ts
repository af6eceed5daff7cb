import t from 'tap';
import { docsApp } from '../docs/helpers.js';

t.test('every operation in the CapabilityStatement has a readable OperationDefinition', async (t) => {
  const app = await docsApp();
  t.teardown(() => app.close());
  const cap = (await app.inject('/fhir/metadata')).json();
  const names = new Set<string>([
    ...cap.rest[0].operation.map((o: { name: string }) => o.name),
    ...cap.rest[0].resource.flatMap((r: { operation?: Array<{ name: string }> }) => (r.operation ?? []).map((o) => o.name)),
  ]);
  t.ok(names.size >= 20, `${names.size} operations listed`);
  for (const name of names) {
    const res = await app.inject(`/fhir/OperationDefinition/${name}`);
    t.equal(res.statusCode, 200, `OperationDefinition/${name}`);
    const def = res.json();
    t.equal(def.resourceType, 'OperationDefinition');
    t.equal(def.code === 'match' ? def.id : def.code, name, `${name}: the definition is the operation's own`);
  }
  t.equal((await app.inject('/fhir/OperationDefinition/no-such-op')).statusCode, 404);
});
