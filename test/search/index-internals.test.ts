import t from 'tap';
import { parseFhirPath, toTypedValue } from '@medplum/core';
import { prng } from '../../scripts/seed-variants.js';
import { codingEntry, joins } from '../../src/search/coding-cache.js';
import { joinForms } from '../../src/search/index-values.js';
import { buildDocument } from '../../src/search/document-shapes.js';
import { compileVisitor } from '../../src/search/fhirpath-visitor.js';
import { Acc, fieldOf, ObjectSink } from '../../src/search/index-sink.js';
import { computeIndex } from '../../src/search/index-resource.js';
import { dateRange, fold, referenceKey, referenceType } from '../../src/search/normalize.js';
import { indexResource } from '../../src/search/search-service.js';
import { foldText, SharedStrings } from '../../src/search/shared-strings.js';
import { testConfig } from '../../src/config.js';
/** The test servers' base URL (testConfig): the own base indexing is told. */
const BASE = testConfig().baseUrl;

/**
 * The machinery behind the write-time indexer's speed (caches, compiled expressions, the value
 * collector, document shapes) gives what the plain computation gives. The index content as a whole
 * is pinned by index-golden.test.ts; these check each shortcut on its own, on edge cases too.
 */
const REFERENCE = /(?:^|\/)([A-Z][A-Za-z]+)\/([A-Za-z0-9\-.]{1,64})(?:\/_history\/[^/]+)?$/;
/** Local: relative (nothing before `Type/id`) or on our own base; any other base is another server. */
const plainReferenceKey = (ref: string, ownBase: string): string | undefined => {
  const m = REFERENCE.exec(ref);
  if (!m) return undefined;
  const relative = m.index === 0 && !m[0].startsWith('/'); // (`/Patient/x` is a path on some host, not relative)
  return relative || (ownBase !== '' && ref.slice(0, m.index) === ownBase) ? `${m[1]}/${m[2]}` : undefined;
};

t.test('referenceKey (fast path for Type/id, cache for the rest) equals the pattern; referenceType too', async (t) => {
  const cases = [
    'Patient/p1', 'P/x', 'Pa/x', 'Patient/', 'Patient//x', 'patient/x', 'Patient/x/_history/2', 'http://a.org/fhir/Patient/x',
    `Patient/${'a'.repeat(64)}`, `Patient/${'a'.repeat(65)}`, 'Patient/a_b', 'Patient/a.b-c', 'Pat1ent/x', '/Patient/x', 'Patient/x/y', '#c',
    'urn:uuid:1', '', 'Patient/x ', 'Patient/ü', 'http://a.org/Patient/x/_history/1',
    `${BASE}/Patient/x`, `${BASE}/Patient/x/_history/1`, `${BASE}Patient/x`, `${BASE}/x/Patient/x`, `${BASE}x/Patient/x`, `x${BASE}/Patient/x`,
  ];
  const rnd = prng(3);
  const chars = 'Pa/ti_-.1#:hüZz';
  for (let i = 0; i < 20000; i++) {
    let s = '';
    for (let j = Math.floor(rnd() * 12); j > 0; j--) s += chars[Math.floor(rnd() * chars.length)];
    cases.push(s);
  }
  let bad = 0;
  for (let round = 0; round < 2; round++) {
    for (const c of cases) { // the 2nd round hits the cache
      if (referenceKey(c, BASE) !== plainReferenceKey(c, BASE) || referenceKey(c, '') !== plainReferenceKey(c, '')) bad++;
      if (referenceType(c) !== REFERENCE.exec(c)?.[1]) bad++;
    }
  }
  t.equal(bad, 0);
  t.equal(referenceKey('http://a.org/fhir/Patient/x', BASE), undefined, "another server's Patient/x is not ours");
  t.equal(referenceKey(`${BASE}/Patient/x/_history/2`, BASE), 'Patient/x', 'our own base is local');
  t.equal(referenceType('http://a.org/fhir/Patient/x'), 'Patient', 'but it is a Patient');
});

t.test('dateRange answers from its cache with a fresh object each time', async (t) => {
  const a = dateRange('2020-03-04')!;
  a.s = 0;
  t.same(dateRange('2020-03-04'), { s: Date.UTC(2020, 2, 4), e: Date.UTC(2020, 2, 5) }, 'a caller changing its result changes nothing');
  t.not(dateRange('2020-03-04'), dateRange('2020-03-04'));
  t.equal(dateRange('2020-13'), undefined);
  t.equal(dateRange('2020-13'), undefined, 'an unparseable date, cached');
});

t.test('shared strings keep their content once hot (interned)', async (t) => {
  const cache = new SharedStrings(4);
  const made: string[] = [];
  for (let i = 0; i < 20; i++) made.push(cache.get(`k${i % 6}`, (k) => `value of ${k}`));
  t.same(made, Array.from({ length: 20 }, (_, i) => `value of k${i % 6}`), 'bounded, emptied when full: still right');
  for (const s of ['Gene studied [ID]', 'Ünïcödé ÅSE', 'A', '']) for (let i = 0; i < 10; i++) t.equal(foldText(s), fold(s));
  for (let i = 0; i < 12; i++) {
    const e = codingEntry('http://loinc.org', '48018-6');
    t.equal(e.token, 'http://loinc.org|48018-6');
    t.equal(e.code, '48018-6');
  }
  t.equal(codingEntry(undefined, 'x').token, '|x');
  t.equal(codingEntry('', 'x').token, '|x');
  t.equal(codingEntry(5, 'x').token, '|x', 'a system that is not a string counts as none, as before');
});

t.test('code$value composites from the coding cache equal the escaped joins', async (t) => {
  for (let i = 0; i < 12; i++) {
    for (const [c, v] of [[codingEntry('http://loinc.org', '48004-6'), codingEntry('urn:x$y', 'a\\b$c')], [codingEntry('http://loinc.org', '53034-5'), codingEntry('http://loinc.org', 'LA6706-1')]]) {
      t.same(joins(c, v), joinForms([c.token, c.code], [v.token, v.code]));
    }
  }
});

t.test('documents built from a shape factory equal field-by-field ones', async (t) => {
  const fields = ['a', 'b-c', 'constructor', 'x__t', '0', '__proto__'].map(fieldOf);
  for (const use of [fields.slice(0, 5), fields]) {
    for (let i = 0; i < 8; i++) {
      const values = use.map((f, j) => [f.name, j, { s: i }]);
      const doc = buildDocument(use, values);
      t.same(Object.keys(doc), use.map((f) => f.name).sort((x, y) => (x === '0' ? -1 : y === '0' ? 1 : 0)), 'same keys (integer-like first, as for any object)');
      t.equal(Object.getPrototypeOf(doc), Object.prototype, '__proto__ is a field, not the prototype');
      const plain: Record<string, unknown> = {};
      use.forEach((f, j) => Object.defineProperty(plain, f.name, { value: values[j], enumerable: true, writable: true, configurable: true }));
      t.equal(JSON.stringify(doc), JSON.stringify(plain));
    }
  }
});

t.test('the value collector keeps strings once, objects every time, fields in first-written order', async (t) => {
  const acc = new Acc();
  const [a, b, c] = ['f-a', 'f-b', 'f-c'].map(fieldOf);
  const obj = { s: 1 };
  acc.touch(c);
  for (let i = 0; i < 40; i++) acc.add(a, `v${i % 25}`);
  acc.add(b, obj);
  acc.add(b, obj);
  acc.add(b, 1);
  acc.add(b, 1);
  acc.add(b, NaN);
  acc.add(b, NaN);
  const doc = acc.finish();
  t.same(Object.keys(doc), ['f-a', 'f-b'], 'a touched field without values is dropped');
  t.same(doc['f-a'], Array.from({ length: 25 }, (_, i) => `v${i}`), 'deduped past the Set threshold too');
  t.same(doc['f-b'], [obj, obj, 1, NaN]);
  t.same(acc.finish(), {}, 'left empty');
  const out: Record<string, unknown[]> = {};
  const sink = new ObjectSink(out, BASE);
  for (let i = 0; i < 40; i++) sink.add(a, `v${i % 25}`);
  t.same(out['f-a'], doc['f-a'], 'the object sink dedupes the same way');
});

t.test('compiled where() and Patient.deceased agree with the FHIRPath engine', async (t) => {
  const engine = (expr: string, r: unknown) => parseFhirPath(expr).eval({ variables: {} }, [toTypedValue(r)]).map((tv) => tv.value);
  const compiled = (expr: string, type: string, r: unknown) => {
    const got: unknown[] = [];
    compileVisitor<unknown[]>(expr, type, (v, _t, acc) => acc.push(v))(r, got);
    return got;
  };
  const telecoms = [[], [{ system: 'phone', value: '1' }, { system: 'email', value: 'a@b' }, { value: 'x' }, { system: 'phone' }, { system: ['phone'], value: '2' }, { system: 'fax', value: '3' }]];
  for (const telecom of telecoms) {
    for (const expr of ["Patient.telecom.where(system='phone')", "Patient.telecom.where(system='email')"]) {
      t.same(compiled(expr, 'Patient', { resourceType: 'Patient', telecom }), engine(expr, { resourceType: 'Patient', telecom }), `${expr} on ${JSON.stringify(telecom)}`);
    }
  }
  const artifacts = [{ type: 'composed-of', resource: 'http://x|1' }, { type: 'depends-on', resource: 'y' }, { type: 'composed-of' }, { type: 'composed-of', resource: 'z' }];
  const lib = { resourceType: 'Library', relatedArtifact: artifacts };
  t.same(compiled("Library.relatedArtifact.where(type='composed-of').resource", 'Library', lib), engine("Library.relatedArtifact.where(type='composed-of').resource", lib));
  const deceased = 'Patient.deceased.exists() and Patient.deceased != false';
  for (const extra of [{}, { deceasedBoolean: false }, { deceasedBoolean: true }, { deceasedDateTime: '2020-01-01' }, { deceasedBoolean: false, deceasedDateTime: '2020' }, { deceased: true }]) {
    const p = { resourceType: 'Patient', ...extra };
    t.same(compiled(deceased, 'Patient', p), engine(deceased, p), `deceased on ${JSON.stringify(extra)}`);
  }
});

t.test('resources of one shape, indexed in turn, do not share state', async (t) => {
  const obs = (value: Record<string, unknown>) => ({ resourceType: 'Observation', status: 'final', code: { text: 'x' }, ...value }) as never;
  const first = computeIndex(obs({ valueQuantity: { value: 1, unit: 'mg', code: 'mg', system: 'http://unitsofmeasure.org' } }), BASE);
  t.ok(first['value-quantity'], 'a choice element found by its prefix');
  t.notOk(computeIndex(obs({ valueString: 'a' }), BASE)['value-quantity'], 'another resource with other keys');
  t.ok(computeIndex(obs({ valueQuantity: { value: 2, code: 'g' } }), BASE)['value-quantity']);
  // An Observation whose components the gx-* indexer cannot read throws, as it always did, and the
  // collector is left clean for the next resource.
  t.throws(() => indexResource({ resourceType: 'Observation', status: 'final', code: { coding: [{ code: '69548-6' }] }, component: [{ code: { coding: {} } }] } as never, BASE));
  const after = indexResource({ resourceType: 'Patient', gender: 'male' } as never, BASE) as Record<string, unknown[]>;
  t.same(Object.keys(after).sort(), ['deceased', 'gender']);
});
