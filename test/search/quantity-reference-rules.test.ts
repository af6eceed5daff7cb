import t from 'tap';
import type { FastifyInstance } from 'fastify';
import { testApp, send } from '../fhir/helpers.js';
import { indexResource } from '../../src/search/search-service.js';
import { parseSearch } from '../../src/search/parse.js';
import { buildFilter } from '../../src/search/build-filter.js';
import { sortField } from '../../src/search/compile.js';
import { getParam } from '../../src/search/registry.js';
import { fullSort } from '../../src/search/paging.js';
import { sortDocs } from '../../src/search/sort-order.js';
import { find } from '../../src/search/match-filter.js';
import type { SortSpec } from '../../src/storage/types.js';

/**
 * Black-box checks (embedded store, through the HTTP routes) of the quantity and reference rules of
 * R4 search.html that a review found broken: `_sort` on a quantity by its canonical value, offset
 * units (Cel, [degF]) compared with the others, and versioned reference search values.
 */
const UCUM = 'http://unitsofmeasure.org';

async function load(app: FastifyInstance, resources: Array<Record<string, unknown>>): Promise<void> {
  const entry = resources.map((r) => ({ resource: r, request: { method: 'PUT', url: `${r.resourceType}/${r.id}` } }));
  const res = await send(app, 'POST', '/fhir', { resourceType: 'Bundle', type: 'batch', entry });
  if (res.statusCode !== 200 || res.json().entry.some((e: { response: { status: string } }) => !e.response.status.startsWith('20'))) {
    throw new Error(`load failed: ${res.body.slice(0, 500)}`);
  }
}

/** The ids of the matches, in the order the server gives them. */
async function inOrder(app: FastifyInstance, url: string): Promise<string[]> {
  const res = await send(app, 'GET', url);
  if (res.statusCode !== 200) throw new Error(`${url}: ${res.statusCode} ${res.body.slice(0, 300)}`);
  return (res.json().entry ?? []).filter((e: { search: { mode: string } }) => e.search.mode === 'match').map((e: { resource: { id: string } }) => e.resource.id);
}

const ids = async (app: FastifyInstance, url: string) => (await inOrder(app, url)).sort();

const obs = (id: string, valueQuantity: Record<string, unknown>) => ({ resourceType: 'Observation', id, status: 'final', code: { text: 'x' }, valueQuantity });
const ucum = (value: number, code: string, comparator?: string) => ({ value, system: UCUM, code, ...(comparator ? { comparator } : {}) });

t.test('_sort on a quantity orders by the canonical value where the unit converts, else by the stated value (search.html#sort)', async (t) => {
  const app = await testApp(t);
  await load(app, [
    obs('g1', ucum(1, 'g')),
    obs('mg500', ucum(500, 'mg')),
    obs('mg1500', ucum(1500, 'mg')),
    obs('kg', ucum(0.0007, 'kg')), // 0.7 g
    obs('hg', ucum(120, 'mm[Hg]')), // no canonical form: its stated 120
    obs('lt', ucum(0.2, 'g', '<')), // a range: by its bound
  ]);
  t.same(await inOrder(app, '/fhir/Observation?_sort=value-quantity'), ['lt', 'mg500', 'kg', 'g1', 'mg1500', 'hg'], '0.2 g, 0.5 g, 0.7 g, 1 g, 1.5 g, then 120');
  t.same(await inOrder(app, '/fhir/Observation?_sort=-value-quantity'), ['hg', 'mg1500', 'g1', 'kg', 'mg500', 'lt']);
  // paging crosses the same order (the cursor names positions in it)
  const first = (await send(app, 'GET', '/fhir/Observation?_sort=value-quantity&_count=2')).json();
  t.same(first.entry.map((e: { resource: { id: string } }) => e.resource.id), ['lt', 'mg500']);
  const next = first.link.find((l: { relation: string }) => l.relation === 'next').url.replace(/^http:\/\/localhost/, '');
  t.same(await inOrder(app, next), ['kg', 'g1']);
});

t.test('temperatures (Cel, [degF], K: offset units) compare with each other, with the implicit range of the value as written (search.html#quantity, #number)', async (t) => {
  const app = await testApp(t);
  await load(app, [
    obs('f99', ucum(99, '[degF]')), // 37.22 Cel
    obs('c37', ucum(37, 'Cel')),
    obs('c36', ucum(36.4, 'Cel')),
    obs('k310', ucum(310.15, 'K')), // 37 Cel
    obs('f97', ucum(97, '[degF]')), // 36.11 Cel
    obs('c20', ucum(20, 'Cel')), // 68 [degF]
    obs('gt38', ucum(38, 'Cel', '>')),
  ]);
  const q = (v: string) => ids(app, `/fhir/Observation?value-quantity=${encodeURIComponent(v)}`);
  t.same(await q(`ge37|${UCUM}|Cel`), ['c37', 'f99', 'gt38', 'k310'], '99 [degF] is 37.2 Cel');
  t.same(await q(`lt98|${UCUM}|[degF]`), ['c20', 'c36', 'f97'], '98 [degF] is 36.7 Cel');
  t.same(await q(`37|${UCUM}|Cel`), ['c37', 'f99', 'k310'], 'eq: within [36.5, 37.5) Cel');
  t.same(await q(`37.0|${UCUM}|Cel`), ['c37', 'k310'], 'eq: 37.0 is [36.95, 37.05) Cel, which 99 [degF] is not in');
  t.same(await q(`99|${UCUM}|[degF]`), ['c37', 'f99', 'k310'], 'eq: [98.5, 99.5) [degF] is [36.94, 37.5) Cel');
  t.same(await q(`ap100|${UCUM}|[degF]`), ['c36', 'c37', 'f97', 'f99', 'gt38', 'k310'], 'ap: 100 ± 10 [degF], not ± 10% of its value in kelvin (68 [degF] is not near 100)');
  t.same(await q(`sa37.5|${UCUM}|Cel`), ['gt38']);
  t.same(await q(`ne37|${UCUM}|Cel`), ['c20', 'c36', 'f97', 'gt38']);
  t.same(await q('ge37||Cel'), ['c37', 'f99', 'gt38', 'k310'], 'no system: a UCUM code matches its conversions too');
  t.same(await inOrder(app, '/fhir/Observation?_sort=value-quantity'), ['c20', 'f97', 'c36', 'c37', 'k310', 'f99', 'gt38'], 'sorted by temperature, whatever the unit');
});

t.test('a versioned reference search value finds the references to that version; an unversioned one finds every reference to the resource (search.html#reference, #versions)', async (t) => {
  const app = await testApp(t);
  const o = (id: string, reference: string) => ({ resourceType: 'Observation', id, status: 'final', code: { text: 'x' }, subject: { reference } });
  await load(app, [
    o('v1', 'Patient/p1/_history/1'),
    o('v2', 'Patient/p1/_history/2'),
    o('any', 'Patient/p1'),
    o('abs-v2', 'http://localhost/fhir/Patient/p1/_history/2'),
    o('other', 'Patient/p2/_history/2'),
    o('foreign-v2', 'http://other.org/fhir/Patient/p1/_history/2'),
  ]);
  const q = (qs: string) => ids(app, `/fhir/Observation?${qs}`);
  t.same(await q('subject=Patient/p1'), ['abs-v2', 'any', 'v1', 'v2'], 'every version, and the unversioned reference');
  t.same(await q('subject=Patient/p1/_history/2'), ['abs-v2', 'v2'], 'only that version: not version 1, nor a reference to whatever version is current');
  t.same(await q('subject=http://localhost/fhir/Patient/p1/_history/2'), ['abs-v2', 'v2'], 'on our own base, the same');
  t.same(await q('subject:Patient=p1/_history/2'), ['abs-v2', 'v2'], 'an id and version with the type as a modifier');
  t.same(await q('patient=p1/_history/1'), ['v1'], 'an id and version with the parameter\'s one target type');
  t.same(await q('subject=Patient/p1/_history/2,Patient/p2'), ['abs-v2', 'other', 'v2'], 'OR-ed with an unversioned value');
  t.same(await q('subject:not=Patient/p1/_history/2'), ['any', 'foreign-v2', 'other', 'v1']);
  t.same(await q('subject=http://other.org/fhir/Patient/p1/_history/2'), ['foreign-v2'], 'another server\'s versioned URL is found by that URL');
  t.same(await q('subject=http://other.org/fhir/Patient/p1'), ['foreign-v2'], 'and by the URL without the version');
  t.same(await q('subject=Patient/p1/_history/3'), []);
});

t.test('the embedded store answers what the compiled MongoDB document selects and orders over every index document (the query the MongoDB adapter sends)', async (t) => {
  const app = await testApp(t);
  const BASE = 'http://localhost/fhir';
  const ref = (id: string, reference: string) => ({ resourceType: 'Observation', id, status: 'final', code: { text: 'x' }, subject: { reference } });
  const resources = [
    obs('g1', ucum(1, 'g')), obs('mg500', ucum(500, 'mg')), obs('hg', ucum(120, 'mm[Hg]')), obs('lt', ucum(0.2, 'g', '<')),
    obs('f99', ucum(99, '[degF]')), obs('c37', ucum(37, 'Cel')), obs('c20', ucum(20, 'Cel')), obs('k310', ucum(310.15, 'K')), obs('gt38', ucum(38, 'Cel', '>')),
    ref('v1', 'Patient/p1/_history/1'), ref('v2', 'Patient/p1/_history/2'), ref('any', 'Patient/p1'), ref('abs-v2', `${BASE}/Patient/p1/_history/2`),
    ref('foreign-v2', 'http://other.org/fhir/Patient/p1/_history/2'),
  ];
  await load(app, resources);
  const docs = resources.map((r) => ({ t: 'Observation', id: r.id, x: indexResource(r as never, BASE) }));
  const mongo = async (qs: string): Promise<string[]> => {
    const query: Record<string, string[]> = {};
    for (const [k, v] of new URLSearchParams(qs)) (query[k] ??= []).push(v);
    const parsed = parseSearch('Observation', query, true);
    const filter = await buildFilter({ search: async () => { throw new Error('no sub-search'); } }, 'Observation', parsed.clauses, BASE);
    const sort: SortSpec = (query._sort?.[0] ?? '').split(',').filter(Boolean).map((k) => [sortField(getParam('Observation', k.replace(/^-/, ''))!, 'Observation'), k.startsWith('-') ? -1 : 1]);
    return sortDocs(find(docs, filter).all(), fullSort(sort)).map((d) => d.id);
  };
  for (const qs of [
    '_sort=value-quantity', '_sort=-value-quantity', `value-quantity=ge37|${UCUM}|Cel&_sort=value-quantity`, `value-quantity=37.0|${UCUM}|Cel`,
    `value-quantity=ap100|${UCUM}|[degF]`, `value-quantity=ne37|${UCUM}|Cel`, `value-quantity=lt0.6|${UCUM}|g`, 'value-quantity=sa37.5||Cel',
    'subject=Patient/p1', 'subject=Patient/p1/_history/2', 'subject:Patient=p1/_history/2,p9', 'subject:not=Patient/p1/_history/2',
    'subject=http://other.org/fhir/Patient/p1/_history/2', 'subject=http://other.org/fhir/Patient/p1',
  ]) {
    const embedded = await inOrder(app, `/fhir/Observation?${qs.replace(/\|/g, '%7C').replace(/\[/g, '%5B').replace(/\]/g, '%5D')}`);
    const expected = await mongo(qs);
    // unsorted searches come in (type, id) order on both stores (paging.ts fullSort)
    t.same(embedded, expected, qs);
    t.ok(expected.length, `${qs} finds something`);
  }
});

t.test('ap is never narrower than eq: its window covers the value\'s implicit range as well as ± 10% (search.html#prefix)', async (t) => {
  const app = await testApp(t);
  await load(app, [obs('q1.4', ucum(1.4, 'mg')), obs('q0.3', ucum(0.3, 'mg')), obs('q0', ucum(0, 'mg')), obs('q108', ucum(108, 'mg')), obs('q2', ucum(2, 'mg'))]);
  const q = (v: string) => ids(app, `/fhir/Observation?value-quantity=${encodeURIComponent(v)}`);
  t.same(await q('1'), ['q1.4'], 'eq1 is [0.5, 1.5)');
  t.same(await q('ap1'), ['q1.4'], 'so ap1 finds 1.4 too (1 ± 10% alone would not)');
  t.same(await q('ap0'), ['q0', 'q0.3'], 'ap0 is not exactly 0');
  t.same(await q('ap100'), ['q108'], 'a wide value keeps its ± 10%');
  t.same(await q(`ap1|${UCUM}|mg`), ['q1.4'], 'in canonical units too');
  t.same(await q('ap1.0'), [], 'ap1.0: [0.9, 1.1]');
});

t.test('_sort on a union parameter (combo-value-quantity: value and component values) answers 400 naming _sort, not an unsorted page', async (t) => {
  const app = await testApp(t);
  await load(app, [obs('a', ucum(2, 'g')), obs('b', ucum(1, 'g'))]);
  for (const key of ['combo-value-quantity', '-combo-code']) {
    const res = await send(app, 'GET', `/fhir/Observation?_sort=${key}`);
    t.equal(res.statusCode, 400, key);
    t.same(res.json().issue?.[0].expression, ['_sort'], key);
    t.match(res.json().issue?.[0].diagnostics, /union/, key);
  }
  t.same(await inOrder(app, '/fhir/Observation?_sort=value-quantity'), ['b', 'a'], 'its parts sort');
});

t.test('ne on a repeating number is met by any value outside the range, as on a quantity or a date (search.html#prefix, one value meets a criterion)', async (t) => {
  const app = await testApp(t);
  const seq = (id: string, starts: number[]) => ({ resourceType: 'MolecularSequence', id, coordinateSystem: 0, ...(starts.length ? { variant: starts.map((start) => ({ start, end: start + 1 })) } : {}) });
  const comps = (id: string, values: number[]) => ({ resourceType: 'Observation', id, status: 'final', code: { text: 'x' }, component: values.map((value) => ({ code: { text: 'c' }, valueQuantity: ucum(value, 'mg') })) });
  await load(app, [seq('s100', [100]), seq('s100-200', [100, 200]), seq('s200', [200]), seq('none', []), comps('c5', [5]), comps('c5-10', [5, 10])]);
  const q = (type: string, qs: string) => ids(app, `/fhir/${type}?${qs}`);
  t.same(await q('MolecularSequence', 'variant-start=ne100'), ['s100-200', 's200'], 'the variant at 200 is not at 100');
  t.same(await q('MolecularSequence', 'variant-start=100'), ['s100', 's100-200']);
  t.same(await q('Observation', 'component-value-quantity=ne5'), ['c5-10'], 'a quantity: the same rule');
  t.same(await q('MolecularSequence', 'variant-start:missing=true'), ['none'], 'without a value: not ne anything');
});

t.test('a number with more than 15 significant figures still finds itself: its implicit range is not rounded away (search.html#number)', async (t) => {
  const app = await testApp(t);
  const risk = (id: string, probabilityDecimal: number) => ({ resourceType: 'RiskAssessment', id, status: 'final', subject: { reference: 'Patient/p' }, prediction: [{ probabilityDecimal }] });
  await load(app, [risk('r16', 0.1234567890123456), risk('r15', 0.123456789012346), risk('r5', 5.4)]);
  const q = (v: string) => ids(app, `/fhir/RiskAssessment?probability=${encodeURIComponent(v)}`);
  t.same(await q('0.1234567890123456'), ['r16'], '[0.12345678901234555, 0.12345678901234565)');
  t.same(await q('0.123456789012346'), ['r15', 'r16'], 'fifteen figures: [0.1234567890123455, 0.1234567890123465)');
  t.same(await q('5.4'), ['r5'], 'and no binary noise (5.4 - 0.05 is 5.3500000000000005)');
  t.same(await q('5.35'), [], '[5.345, 5.355)');
});

t.test('a unit code that names an Object property (constructor, toString) is a code like any other, with no canonical form', async (t) => {
  const { ucumCanonical } = await import('../../src/search/normalize.js');
  for (const code of ['constructor', 'toString', '__proto__', 'hasOwnProperty']) t.equal(ucumCanonical(code, 5), undefined, code);
  t.same(ucumCanonical('Cel', 37), { code: 'K', value: 310.15 });
  t.same(ucumCanonical('mg', 5), { code: 'g', value: 0.005 });
});
