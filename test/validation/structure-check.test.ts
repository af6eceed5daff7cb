import { readFileSync } from 'node:fs';
import t from 'tap';
import { compileStructureCheck } from '../../src/validation/structure-check.js';
import { RESOURCE_TYPES } from '../../src/validation/resource-types.js';
import { passesStructure, validatorFor } from '../../src/validation/schema-validators.js';
import { generateGenomicData } from '../../scripts/seed-variants.js';
import { demoResources } from '../../src/demo/demo-data.js';
import { goldenCorpus } from './golden/corpus.js';
import { damage, mulberry32 } from './golden/random-damage.js';

/**
 * The compiled structure check (src/validation/structure-check.ts) decides alone whether ajv runs:
 * it must give ajv's verdict on every input, valid or not.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

function* resourcesIn(r: Json): Generator<Json> {
  if (!r || typeof r !== 'object' || Array.isArray(r) || typeof r.resourceType !== 'string') return;
  yield r;
  for (const e of Array.isArray(r.entry) ? r.entry : []) yield* resourcesIn(e?.resource);
  for (const c of Array.isArray(r.contained) ? r.contained : []) yield* resourcesIn(c);
  for (const p of Array.isArray(r.parameter) ? r.parameter : []) yield* resourcesIn(p?.resource);
}

function verdicts(r: Json): { ajv: boolean; check: boolean } | undefined {
  const ajv = validatorFor(r.resourceType);
  return ajv ? { ajv: ajv(r) as boolean, check: passesStructure(r.resourceType, r) } : undefined;
}

t.test('every R4 resource type compiles to a check (none left to ajv alone)', async (t) => {
  const schema = JSON.parse(readFileSync(new URL('../../schemas/r4/fhir.schema.json', import.meta.url), 'utf8')) as { definitions: Record<string, Json> };
  schema.definitions.ResourceList = { type: 'object' };
  const missing = RESOURCE_TYPES.filter((type) => !compileStructureCheck(schema.definitions, type));
  t.same(missing, []);
  t.equal(compileStructureCheck({ X: { type: 'object', not: {} } }, 'X'), undefined, 'a keyword it does not know: no check (ajv decides)');
  for (const type of RESOURCE_TYPES) t.equal(passesStructure(type, { resourceType: type }), validatorFor(type)!({ resourceType: type }), type);
});

t.test('same verdict as ajv over the golden corpus', async (t) => {
  let n = 0;
  let invalid = 0;
  const differ: string[] = [];
  for (const c of await goldenCorpus()) {
    for (const r of resourcesIn(c.input)) {
      const v = verdicts(r);
      if (!v) continue;
      n++;
      if (!v.ajv) invalid++;
      if (v.ajv !== v.check) differ.push(`${c.id} (${r.resourceType}): ajv ${v.ajv}, check ${v.check}`);
    }
  }
  t.ok(n > 19_000 && invalid > 5_000, `${n} resources, ${invalid} invalid`);
  t.same(differ.slice(0, 10), [], `${differ.length} differ`);
});

t.test('same verdict as ajv on random damage to valid resources', async (t) => {
  const bases: Json[] = [
    ...[...generateGenomicData({ variants: 20, patients: 3, seed: 3 })],
    ...(demoResources() as Json[]),
  ];
  const rnd = mulberry32(42);
  let invalid = 0;
  const differ: string[] = [];
  for (let i = 0; i < 6000; i++) {
    const input = damage(bases[i % bases.length], rnd);
    const v = verdicts(input)!;
    if (!v.ajv) invalid++;
    if (v.ajv !== v.check && differ.length < 10) differ.push(`case ${i}: ajv ${v.ajv}, check ${v.check}: ${JSON.stringify(input).slice(0, 300)}`);
  }
  t.ok(invalid > 2000, `${invalid} of 6000 invalid`);
  t.same(differ, []);
});
