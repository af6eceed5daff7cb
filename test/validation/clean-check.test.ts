import { readFileSync } from 'node:fs';
import t from 'tap';
import { compileCleanCheck } from '../../src/validation/clean-check.js';
import { checkJsonShape } from '../../src/validation/json-shape.js';
import { walkResource } from '../../src/validation/invariants/walk.js';
import type { ContainedIds } from '../../src/validation/invariants/references.js';
import { RESOURCE_TYPES } from '../../src/validation/resource-types.js';
import { passesClean, validatorFor } from '../../src/validation/schema-validators.js';
import { generateGenomicData } from '../../scripts/seed-variants.js';
import { demoResources } from '../../src/demo/demo-data.js';
import { goldenCorpus, vcfResources } from './golden/corpus.js';
import { mutations } from './golden/mutations.js';
import { damage, mulberry32 } from './golden/random-damage.js';

/**
 * The clean check (src/validation/clean-check.ts) lets validate.ts skip the JSON shape check, ajv
 * and the invariant walk. It must say yes only when all three have nothing to report (and the
 * resource holds no other resource), and it should say yes for the valid resources bulk loads
 * write, or it saves nothing.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

const NO_IDS: ContainedIds = new Map();

/** What the layered path would say: nothing from shape, ajv and walk, and no nested resource. */
function layersSilent(r: Json, ids: ContainedIds): boolean {
  if (checkJsonShape(r).length) return false;
  const ajv = validatorFor(r.resourceType)!;
  if (!(ajv(structuredClone(r)) as boolean)) return false;
  const issues: unknown[] = [];
  let nested = 0;
  walkResource(r, r.resourceType, r.resourceType, { issues: issues as never[], limit: 100, containedIds: ids, onResource: () => nested++ });
  return issues.length === 0 && nested === 0;
}

function* resourcesIn(r: Json): Generator<Json> {
  if (!r || typeof r !== 'object' || Array.isArray(r) || typeof r.resourceType !== 'string' || !validatorFor(r.resourceType)) return;
  yield r;
  for (const e of Array.isArray(r.entry) ? r.entry : []) yield* resourcesIn(e?.resource);
  for (const c of Array.isArray(r.contained) ? r.contained : []) yield* resourcesIn(c);
  for (const p of Array.isArray(r.parameter) ? r.parameter : []) yield* resourcesIn(p?.resource);
}

t.test('every R4 resource type compiles to a clean check', async (t) => {
  const schema = JSON.parse(readFileSync(new URL('../../schemas/r4/fhir.schema.json', import.meta.url), 'utf8')) as { definitions: Record<string, Json> };
  schema.definitions.ResourceList = { type: 'object' };
  t.same(RESOURCE_TYPES.filter((type) => !compileCleanCheck(schema.definitions, type)), []);
});

t.test('clean only when the layers are silent: golden corpus', async (t) => {
  let clean = 0;
  let silent = 0;
  const unsound: string[] = [];
  const missed: string[] = [];
  for (const c of await goldenCorpus()) {
    for (const r of resourcesIn(c.input)) {
      const yes = passesClean(r.resourceType, r, NO_IDS);
      const quiet = layersSilent(r, NO_IDS);
      if (yes) clean++;
      if (quiet) silent++;
      if (yes && !quiet) unsound.push(`${c.id} (${r.resourceType})`);
      if (quiet && !yes) missed.push(`${c.id} (${r.resourceType})`);
    }
  }
  t.same(unsound.slice(0, 10), [], `${unsound.length} said clean while a layer reports something`);
  t.ok(clean > 3000, `${clean} clean, ${silent} with silent layers`);
  // Misses only cost time; they should be rare (values no JSON parser produces, depth margins).
  t.ok(missed.length < silent / 100, `${missed.length} missed: ${missed.slice(0, 5).join(', ')}`);
});

t.test('clean only when the layers are silent: references against contained ids', async (t) => {
  const obs = [...generateGenomicData({ variants: 1, patients: 1 })].find((r) => r.resourceType === 'Observation') as Json;
  const contained = (entries: [string, string][]): ContainedIds => new Map(entries);
  // (the type of a contained resource decides too: Observation.subject is no Specimen)
  for (const [ref, ids] of [['#p1', contained([['p1', 'Patient']])], ['#p1', NO_IDS], ['#', NO_IDS], ['#x', contained([['p1', 'Patient']])], ['#p1', contained([['p1', 'Specimen']])], ['#p1', contained([['p1', '']])]] as const) {
    const r = { ...obs, subject: { reference: ref } };
    t.equal(passesClean('Observation', r, ids), layersSilent(r, ids), `${ref} with contained ${[...ids].join(',')}`);
  }
});

t.test('the resources bulk loads write are clean', async (t) => {
  const gen = [...generateGenomicData({ variants: 400, patients: 20, seed: 11 })] as Json[];
  t.same(gen.filter((r) => !passesClean(r.resourceType, r, NO_IDS)).map((r) => r.id), [], 'generated Variants, reports, patients');
  const vcf = (await vcfResources()).map((v) => v.resource);
  t.same(vcf.filter((r) => !passesClean(r.resourceType, r, NO_IDS)).map((r) => `${r.resourceType}/${r.id}`), [], 'VCF-mapped resources');
  const demo = (demoResources() as Json[]).filter((r) => !passesClean(r.resourceType, r, NO_IDS) && layersSilent(r, NO_IDS));
  t.same(demo.map((r) => r.id), [], 'demo resources');
});

t.test('clean only when the layers are silent: mutations of demo resources, deep nesting', async (t) => {
  let n = 0;
  const unsound: string[] = [];
  for (const base of demoResources() as Json[]) {
    for (const m of mutations(base, 5)) {
      const r = m.input as Json;
      if (!r || typeof r !== 'object' || !validatorFor(String(r.resourceType))) continue;
      n++;
      if (passesClean(r.resourceType, r, NO_IDS) && !layersSilent(r, NO_IDS)) unsound.push(`${base.id} ${m.id}`);
    }
  }
  // Extension chains whose innermost objects sit at every JSON depth from 90 to 107 (json-shape.ts refuses 100).
  const verdicts = new Set<boolean>();
  for (let levels = 44; levels < 54; levels++) {
    for (const underCode of [false, true]) {
      const deep: Json = { resourceType: 'Basic', code: { text: 'x' } };
      let node = underCode ? deep.code : deep;
      for (let i = 0; i < levels; i++) node = (node.extension = [{ url: 'http://example.org/e' }])[0];
      node.valueString = 'x';
      n++;
      const yes = passesClean('Basic', deep, NO_IDS);
      verdicts.add(yes);
      if (yes && !layersSilent(deep, NO_IDS)) unsound.push(`${levels} levels${underCode ? ' under code' : ''}`);
    }
  }
  t.same([...verdicts].sort(), [false, true], 'the depth boundary is crossed');
  t.ok(n > 5000, `${n} cases`);
  t.same(unsound.slice(0, 10), []);
});

t.test('clean only when the layers are silent: random damage', async (t) => {
  const bases = [...[...generateGenomicData({ variants: 20, patients: 3, seed: 5 })], ...(demoResources() as Json[])] as Json[];
  const rnd = mulberry32(7);
  let clean = 0;
  const unsound: string[] = [];
  for (let i = 0; i < 8000; i++) {
    const r = damage(bases[i % bases.length], rnd);
    const yes = passesClean(r.resourceType, r, NO_IDS);
    if (yes) clean++;
    if (yes && !layersSilent(r, NO_IDS)) unsound.push(`case ${i}: ${JSON.stringify(r).slice(0, 300)}`);
  }
  t.ok(clean > 300, `${clean} of 8000 still clean`);
  t.same(unsound.slice(0, 5), []);
});
