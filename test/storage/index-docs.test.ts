import t from 'tap';
import { candidateDoc, fieldsOf, partialIndex, resultDoc } from '../../src/storage/embedded/index-docs.js';
import type { Entry } from '../../src/storage/embedded/records.js';
import { smallest } from '../../src/storage/embedded/top-k.js';
import { testConfig } from '../../src/config.js';
/** The test servers' base URL (testConfig): the own base indexing is told. */
const BASE = testConfig().baseUrl;

function entry(x: unknown): Entry {
  const bytes = Buffer.from(`garbage before${JSON.stringify(x)}"code":["after"]`);
  const start = 'garbage before'.length;
  const e: Entry = { t: 'Observation', id: 'o1', versions: [], xb: bytes, xo: start, xn: Buffer.byteLength(JSON.stringify(x)), slot: 0 };
  e.versions = [{ e, v: 3, lu: 1000, seq: 9, b: undefined, o: 0, n: 0 }];
  return e;
}

t.test('partial index: only the named fields, exactly as the whole index has them', async (t) => {
  const x = {
    note: ['text with "code":["fake"] and \\"code\\": inside', 'a,"code":[1]'],
    code: ['http://loinc.org|1', '1', 'x]y}z'],
    date: [{ s: 1, e: 2 }],
    'component-code-value-concept': ['a$b'],
    quantity: [{ n: 1, c: 'mg', s: 'http://unitsofmeasure.org' }],
  };
  const e = entry(x);
  t.same(partialIndex(e, ['code']), { code: x.code }, 'a key inside a string is not taken for a field');
  t.same(partialIndex(e, ['date', 'quantity']), { date: x.date, quantity: x.quantity }, 'arrays of objects');
  t.same(partialIndex(e, ['component-code-value-concept', 'note']), { 'component-code-value-concept': x['component-code-value-concept'], note: x.note });
  t.same(partialIndex(e, ['missing', 's']), {}, 'absent fields stay absent (nested keys are not fields), nothing past the index is read');
  const d = candidateDoc(e, ['code']);
  t.same([d.t, d.id, d.v, d.lu, d.seq], ['Observation', 'o1', 3, 1000, 9], 'metadata of the current version');
  t.same(resultDoc(d).x, x, 'a returned document decodes the whole index');
});

t.test('fields a query reads', async (t) => {
  t.same(fieldsOf({ filter: { 'x.code': 'a', $and: [{ 'x.date': { $elemMatch: { s: 1 } } }, { $or: [{ 'x.subject': 'b' }, { id: 'c' }] }] }, sort: [['x.date', 1]], limit: 1 })?.sort(), ['code', 'date', 'subject']);
  t.equal(fieldsOf({ filter: { $where: 'x' }, limit: 1 }), undefined, 'an unknown operator needs the whole index');
});

t.test('smallest: the k first in order, and every other item once', async (t) => {
  const items = Array.from({ length: 500 }, (_, i) => (i * 7919) % 1000);
  const before = (a: number, b: number) => a < b;
  const [first, others] = smallest(items, 20, before);
  t.same(first, [...items].sort((a, b) => a - b).slice(0, 20));
  t.same([...first, ...others].sort((a, b) => a - b), [...items].sort((a, b) => a - b), 'nothing lost or duplicated');
  t.same(smallest([3, 1, 2], 20, before), [[1, 2, 3], []], 'fewer items than k');
});

t.test('every top-level index value is an array (the shape partialIndex reads), on every IG example and demo resource', async (t) => {
  const { readdirSync, readFileSync } = await import('node:fs');
  const { indexResource } = await import('../../src/search/search-service.js');
  const { demoResources } = await import('../../src/demo/demo-data.js');
  const dir = new URL('../../schemas/genomics/examples/', import.meta.url);
  const resources: Array<Record<string, unknown>> = [];
  for (const f of readdirSync(dir).filter((n) => n.endsWith('.json'))) {
    const r = JSON.parse(readFileSync(new URL(f, dir), 'utf8')) as Record<string, unknown> & { entry?: Array<{ resource?: Record<string, unknown> }> };
    resources.push(r, ...(r.entry ?? []).flatMap((e) => (e.resource ? [e.resource] : [])));
  }
  resources.push(...(demoResources() as unknown as Array<Record<string, unknown>>));
  const scalars = new Set<string>();
  for (const r of resources) {
    const x = indexResource(r as never, BASE);
    for (const [k, v] of Object.entries(x)) if (!Array.isArray(v)) scalars.add(`${String(r.resourceType)}.${k}`);
  }
  t.ok(resources.length > 200, `${resources.length} resources indexed`);
  t.same([...scalars], [], 'no scalar top-level index values');
});

t.test('a scalar-looking field inside the index bytes is read when it is an array at the top level', async (t) => {
  const x = { 'gx-kind': ['report'], 'gx-date': [1_451_606_400_000] };
  t.same(partialIndex(entry(x), ['gx-date']), { 'gx-date': [1_451_606_400_000] });
});
