/**
 * Random damage to valid resources, for the tests that compare a fast check with the layers it
 * stands for (structure-check.test.ts, clean-check.test.ts): values on the edges of the R4
 * schema's types and patterns, put at random places. Deterministic for a given seed.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

/** The seeded PRNG of the seed scripts (mulberry32): the same sequence for the same seed. */
export { prng as mulberry32 } from '../../../scripts/seed-variants.js';

/** Values on the edges of the schema's types and patterns (some only in-process: NaN, Infinity, undefined). */
const ODD_VALUES: Json[] = [
  '', ' ', 'a b', ' a', 'a ', 'a  b', 'a\tb', 'a\nb', 'a\u000bb', 'a\u000cb', 'a\u00a0b', 'a\u2028b', 'a\ufeffb', 'a\u3000b', '\ud800', 'x\udc00y', '😀',
  '2023', '2023-02', '2023-02-28', '2023-02-30', '2023-13-01', '0000', '2023-02-28T10:00:00Z', '2023-02-28T10:00:00', '2023-02-28T24:00:00Z', '10:00:00', '25:00:00',
  'urn:uuid:00000000-0000-4000-8000-000000000000', 'urn:oid:1.2.3', 'QUJD', 'QUJD=', '<div>x</div>', 'x'.repeat(65), 'ab.-1',
  0, -0, 1, -1, 1.5, 2 ** 31 - 1, 2 ** 31, -(2 ** 31), -(2 ** 31) - 1, 1e308, NaN, Infinity, -Infinity,
  true, false, null, undefined, [], [null], [1], ['a', null], [[]], {}, { id: 'x' }, { extension: [] }, { unknownKey: 1 },
];

/** A copy of `base` with one to three random nodes replaced, doubled, extended or removed. */
export function damage(base: Json, rnd: () => number): Json {
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

