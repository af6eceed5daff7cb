import { readFileSync } from 'node:fs';
import t from 'tap';
import { compileStructureCheck } from '../../src/validation/structure-check.js';
import { RESOURCE_TYPES } from '../../src/validation/resource-types.js';
import { passesStructure, validatorFor } from '../../src/validation/schema-validators.js';
import { generateGenomicData } from '../../scripts/seed-variants.js';
import { demoResources } from '../../src/demo/demo-data.js';
import { goldenCorpus } from './golden/corpus.js';

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

function mulberry32(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let x = s;
    x = Math.imul(x ^ (x >>> 15), x | 1);
    x ^= x + Math.imul(x ^ (x >>> 7), x | 61);
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
}

/** Values on the edges of the schema's types and patterns (some only in-process: NaN, Infinity, undefined). */
const ODD_VALUES: Json[] = [
  '', ' ', 'a b', ' a', 'a ', 'a  b', 'a\tb', 'a\nb', 'a\u000bb', 'a\u000cb', 'a\u00a0b', 'a\u2028b', 'a\ufeffb', 'a\u3000b', '\ud800', 'x\udc00y', '😀',
  '2023', '2023-02', '2023-02-28', '2023-02-30', '2023-13-01', '0000', '2023-02-28T10:00:00Z', '2023-02-28T10:00:00', '2023-02-28T24:00:00Z', '10:00:00', '25:00:00',
  'urn:uuid:00000000-0000-4000-8000-000000000000', 'urn:oid:1.2.3', 'QUJD', 'QUJD=', '<div>x</div>', 'x'.repeat(65), 'ab.-1',
  0, -0, 1, -1, 1.5, 2 ** 31 - 1, 2 ** 31, -(2 ** 31), -(2 ** 31) - 1, 1e308, NaN, Infinity, -Infinity,
  true, false, null, undefined, [], [null], [1], ['a', null], [[]], {}, { id: 'x' }, { extension: [] }, { unknownKey: 1 },
];

function mutate(base: Json, rnd: () => number): Json {
  const copy = structuredClone(base);
  const steps = 1 + Math.floor(rnd() * 3);
  for (let s = 0; s < steps; s++) {
    // A random node: walk down from the root.
    let parent: Json = copy;
    let key: string | number | undefined;
    for (let depth = 0; depth < 8; depth++) {
      const node = key === undefined ? parent : parent[key];
      if (!node || typeof node !== 'object') break;
      const keys = Array.isArray(node) ? node.map((_: unknown, i: number) => i) : Object.keys(node).filter((k) => k !== 'resourceType');
      if (!keys.length || (key !== undefined && rnd() < 0.25)) break;
      if (key !== undefined) parent = node;
      key = keys[Math.floor(rnd() * keys.length)];
    }
    if (key === undefined) continue;
    const r = rnd();
    if (r < 0.6) parent[key] = ODD_VALUES[Math.floor(rnd() * ODD_VALUES.length)];
    else if (r < 0.75 && !Array.isArray(parent)) parent[`_${String(key)}`] = rnd() < 0.5 ? { id: 'e' } : [null, { id: 'e' }];
    else if (r < 0.85 && !Array.isArray(parent)) parent[`${String(key)}X`] = 1;
    else if (Array.isArray(parent)) parent.push(structuredClone(parent[key as number]));
    else delete parent[key];
  }
  return copy;
}

t.test('same verdict as ajv on random damage to valid resources', async (t) => {
  const bases: Json[] = [
    ...[...generateGenomicData({ variants: 20, patients: 3, seed: 3 })],
    ...(demoResources() as Json[]),
  ];
  const rnd = mulberry32(42);
  let invalid = 0;
  const differ: string[] = [];
  for (let i = 0; i < 6000; i++) {
    const input = mutate(bases[i % bases.length], rnd);
    const v = verdicts(input)!;
    if (!v.ajv) invalid++;
    if (v.ajv !== v.check && differ.length < 10) differ.push(`case ${i}: ajv ${v.ajv}, check ${v.check}: ${JSON.stringify(input).slice(0, 300)}`);
  }
  t.ok(invalid > 2000, `${invalid} of 6000 invalid`);
  t.same(differ, []);
});
