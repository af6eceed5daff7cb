import t from 'tap';
import { parseSearch } from '../../src/search/parse.js';
import { buildFilter } from '../../src/search/build-filter.js';
import { FhirError } from '../../src/fhir/errors.js';
import type { StoreQuery } from '../../src/storage/types.js';
import { literalPrefix } from '../../src/search/filter-bounds.js';

/**
 * The compiled MongoDB documents, asserted as data: this is what the MongoDB adapter runs, so the
 * MongoDB side of search is covered without a server.
 */
const BASE = 'http://localhost/fhir';
const noStore = { search: async () => { throw new Error('no sub-search expected'); } };

async function compile(type: string, qs: string, strict = true) {
  const query: Record<string, string[]> = {};
  for (const [k, v] of new URLSearchParams(qs)) (query[k] ??= []).push(v);
  const parsed = parseSearch(type, query, strict);
  return buildFilter(noStore, type, parsed.clauses, BASE);
}

t.test('token forms, OR, AND and escaping', async (t) => {
  t.same(await compile('Observation', 'code=69548-6'), { 'x.code': '69548-6' });
  t.same(await compile('Observation', 'code=http://loinc.org|69548-6'), { 'x.code': 'http://loinc.org|69548-6' });
  t.same(await compile('Observation', 'code=|abc'), { 'x.code': '|abc' });
  t.same(await compile('Observation', 'code=http://loinc.org|'), { 'x.code': { $regex: '^http:\\/\\/loinc\\.org\\|' } });
  t.same(await compile('Observation', 'status=final,amended'), { 'x.status': { $in: ['final', 'amended'] } });
  t.same(await compile('Observation', 'status=final&code=x'), { $and: [{ 'x.status': 'final' }, { 'x.code': 'x' }] });
  t.same(await compile('Observation', 'code=a\\,b'), { 'x.code': 'a,b' });
  t.same(await compile('Observation', 'code=s\\|x|c'), { 'x.code': 's|x|c' });
  t.same(await compile('Observation', 'status:not=final'), { $nor: [{ 'x.status': 'final' }] });
  t.same(await compile('Observation', 'code:text=Genetic'), { 'x.code__t': { $regex: '(^|\\s)genetic' } });
  t.same(await compile('Patient', 'identifier:of-type=http://terminology.hl7.org/CodeSystem/v2-0203|MR|123'), { 'x.identifier__ot': 'http://terminology.hl7.org/CodeSystem/v2-0203|MR|123' });
  // (`__m`: the element is there but gave no value, index-values.ts)
  t.same(await compile('Observation', 'status:missing=true'), { $and: [{ 'x.status': { $exists: false } }, { 'x.status__m': { $exists: false } }] });
  t.same(await compile('Observation', 'status:missing=false'), { $or: [{ 'x.status': { $exists: true } }, { 'x.status__m': { $exists: true } }] });
  t.same(await compile('Observation', '_id=a,b'), { id: { $in: ['a', 'b'] } });
  t.same(await compile('Observation', '_tag=s|t'), { 'x._tag': 's|t' });
  // no prefixes on tokens: a code that starts like one is the code
  t.same(await compile('Observation', 'code=gt5'), { 'x.code': 'gt5' });
  t.same(await compile('Patient', 'identifier=le123'), { 'x.identifier': 'le123' });
});

t.test('union aliases compile to an $or over both index fields', async (t) => {
  t.same(await compile('Observation', 'combo-code=48018-6'), { $or: [{ 'x.code': '48018-6' }, { 'x.component-code': '48018-6' }] });
  t.same(await compile('Observation', 'combo-code:missing=true'), { $and: [
    { 'x.code': { $exists: false } }, { 'x.code__m': { $exists: false } }, { 'x.component-code': { $exists: false } }, { 'x.component-code__m': { $exists: false } }] });
});

t.test('strings and uris', async (t) => {
  t.same(await compile('Patient', 'name=Mül'), { 'x.name': { $regex: '^mul' } });
  t.same(await compile('Patient', 'name:contains=a.b'), { 'x.name': { $regex: 'a\\.b' } });
  t.same(await compile('Patient', 'name:exact=Müller'), { 'x.name__e': 'Müller' });
  t.same(await compile('Observation', '_profile=http://x.org/a'), { 'x._profile': 'http://x.org/a' });
  t.same(await compile('ValueSet', 'url:below=http://x.org/fhir'), { 'x.url': { $regex: '^http:\\/\\/x\\.org\\/fhir(?:/|$)' } });
  t.same(await compile('ValueSet', 'url:above=http://x.org/fhir/ValueSet/a'), {
    'x.url': { $in: ['http://x.org/fhir/ValueSet/a', 'http://x.org', 'http://x.org/fhir', 'http://x.org/fhir/ValueSet'] },
  });
});

t.test('references', async (t) => {
  t.same(await compile('Observation', 'subject=Patient/p1'), { 'x.subject': 'Patient/p1' });
  t.same(await compile('Observation', `subject=${BASE}/Patient/p1`), { 'x.subject': 'Patient/p1' });
  t.same(await compile('Observation', 'subject:Patient=p1'), { 'x.subject': 'Patient/p1' });
  t.same(await compile('Observation', 'patient=p1'), { 'x.patient': 'Patient/p1' });
  t.same(await compile('Observation', 'subject:identifier=urn:mrn|7'), { 'x.subject__i': 'urn:mrn|7' });
  const multi = (await compile('DiagnosticReport', 'result=o1,o2')) as Record<string, unknown>;
  t.same(multi, { 'x.result': { $in: ['Observation/o1', 'Observation/o2'] } });
  // a versioned value: among the versioned references (`__v`), with its version
  t.same(await compile('Observation', 'subject=Patient/p1/_history/2'), { 'x.subject__v': 'Patient/p1/_history/2' });
  t.same(await compile('Observation', `subject=${BASE}/Patient/p1/_history/2`), { 'x.subject__v': 'Patient/p1/_history/2' });
  t.same(await compile('Observation', 'patient=p1/_history/2'), { 'x.patient__v': 'Patient/p1/_history/2' });
  t.same(await compile('Observation', 'subject=http://other.org/fhir/Patient/p1/_history/2'), { 'x.subject__v': 'http://other.org/fhir/Patient/p1/_history/2' });
  t.same(await compile('Observation', 'subject=Patient/p1/_history/2,Patient/p2'), { $or: [{ 'x.subject': 'Patient/p2' }, { 'x.subject__v': 'Patient/p1/_history/2' }] });
  t.same(await compile('Observation', 'subject:not=Patient/p1/_history/2'), { $nor: [{ 'x.subject__v': 'Patient/p1/_history/2' }] });
  t.same(await compile('Observation', 'combo-code=x&subject:Group=p1/_history/3'), { $and: [{ $or: [{ 'x.code': 'x' }, { 'x.component-code': 'x' }] }, { 'x.subject__v': 'Group/p1/_history/3' }] });
});

t.test('dates: implicit ranges and every prefix', async (t) => {
  const d = Date.UTC(2020, 0, 1);
  const e = Date.UTC(2021, 0, 1);
  const f = async (v: string) => ((await compile('Observation', `date=${v}`)) as Record<string, unknown>)['x.date'];
  t.same(await f('2020'), { $elemMatch: { s: { $gte: d, $lt: e }, e: { $lte: e } } }, 'eq: the start bounded on both sides (the s index is read from d to e)');
  t.same(await f('ne2020'), { $elemMatch: { $or: [{ s: { $lt: d } }, { e: { $gt: e } }] } });
  t.same(await f('gt2020'), { $elemMatch: { e: { $gt: e } } });
  t.same(await f('lt2020'), { $elemMatch: { s: { $lt: d } } });
  t.same(await f('ge2020'), { $elemMatch: { e: { $gt: d }, $or: [{ e: { $gt: e } }, { s: { $gte: d, $lt: e }, e: { $lte: e } }] } }, 'ge: ends after 2020 begins');
  t.same(await f('le2020'), { $elemMatch: { s: { $lt: e }, $or: [{ s: { $lt: d } }, { s: { $gte: d, $lt: e }, e: { $lte: e } }] } }, 'le: starts before the end of 2020');
  t.same(await f('sa2020'), { $elemMatch: { s: { $gte: e } } });
  t.same(await f('eb2020'), { $elemMatch: { s: { $lt: d }, e: { $lte: d } } }, 'eb: ends, so starts, before 2020');
  const day = Date.UTC(2020, 2, 4);
  t.same(await f('2020-03-04'), { $elemMatch: { s: { $gte: day, $lt: day + 86_400_000 }, e: { $lte: day + 86_400_000 } } });
  const sec = Date.UTC(2020, 2, 4, 10, 0, 0) - 3_600_000;
  t.same(await f('2020-03-04T10:00:00%2B01:00'), { $elemMatch: { s: { $gte: sec, $lt: sec + 1000 }, e: { $lte: sec + 1000 } } });
  t.same(await compile('Observation', '_lastUpdated=gt2020'), { lu: { $gte: e } });
});

// The bins of NC_000007.14:55019016-55211628, worked out by hand: position >> 14, 17, 20, 23, 26,
// 29 of the first and last base (3358-3369, 419-421, 52, 6, 0, 0) at level * 2^20, then the top bin.
const L = 2 ** 20;
const REGION_BINS = [
  ...Array.from({ length: 12 }, (_, i) => 3358 + i), L + 419, L + 420, L + 421, 2 * L + 52, 3 * L + 6, 4 * L, 5 * L, 6 * L,
];

t.test('numbers, quantities, composites, genomic region', async (t) => {
  t.same(await compile('MolecularSequence', 'variant-start=100'), { 'x.variant-start': { $elemMatch: { $gte: 99.5, $lt: 100.5 } } });
  t.same(await compile('MolecularSequence', 'variant-start=gt100'), { 'x.variant-start': { $elemMatch: { $gt: 100 } } });
  t.same(await compile('RiskAssessment', 'probability=0.1234567890123456'), { $or: [
    { 'x.probability': { $elemMatch: { $gte: 0.12345678901234555, $lt: 0.12345678901234565 } } },
    { 'x.probability__r': { $elemMatch: { lo: { $gte: 0.12345678901234555 }, hi: { $lt: 0.12345678901234565 } } } }] }, 'every figure of the bounds kept');
  t.same(await compile('MolecularSequence', 'variant-start=1e2'), { 'x.variant-start': { $elemMatch: { $gte: 50, $lt: 150 } } }, 'one significant figure');
  t.same(await compile('MolecularSequence', 'variant-start=ne100'), { 'x.variant-start': { $elemMatch: { $not: { $gte: 99.5, $lt: 100.5 } } } }, 'ne: some value outside the range');
  // the UCUM system named: UCUM quantities only, in canonical units
  // each value on a point `n` (`cn` canonical) or a range `lo`/`hi` (`clo`/`chi`): a comparator, a Range
  t.same(await compile('Observation', 'value-quantity=lt5.4|http://unitsofmeasure.org|mg'),
    { 'x.value-quantity': { $elemMatch: { s: 'http://unitsofmeasure.org', cc: 'g', $or: [{ cn: { $lt: 0.0054 } }, { clo: { $lt: 0.0054 } }] } } });
  t.same(await compile('Observation', 'value-quantity=5|http://ex.org/u|g'),
    { 'x.value-quantity': { $elemMatch: { s: 'http://ex.org/u', c: 'g', $or: [{ n: { $gte: 4.5, $lt: 5.5 } }, { lo: { $gte: 4.5 }, hi: { $lt: 5.5 } }] } } });
  // no system: the code or the stated unit, and a UCUM unit's conversions
  const eq = [{ n: { $gte: 5.35, $lt: 5.45 } }, { lo: { $gte: 5.35 }, hi: { $lt: 5.45 } }];
  t.same(await compile('Observation', 'value-quantity=5.4||mmHg'), { 'x.value-quantity': { $elemMatch: { $or: [{ c: 'mmHg', $or: eq }, { u: 'mmHg', $or: eq }] } } });
  t.same(await compile('Observation', 'value-quantity=5.4||g'), { 'x.value-quantity': { $elemMatch: { $or: [
    { cc: 'g', $or: [{ cn: { $gte: 5.35, $lt: 5.45 } }, { clo: { $gte: 5.35 }, chi: { $lt: 5.45 } }] }, { c: 'g', $or: eq }, { u: 'g', $or: eq }] } } });
  // a temperature: canonical K by an offset; the implicit range and the `ap` window are those of the
  // value as written, then converted (37 Cel: [36.5, 37.5) Cel; ap: 37 ± 3.7 Cel, not ± 10% of 310.15 K)
  t.same(await compile('Observation', 'value-quantity=37|http://unitsofmeasure.org|Cel'),
    { 'x.value-quantity': { $elemMatch: { s: 'http://unitsofmeasure.org', cc: 'K', $or: [{ cn: { $gte: 309.65, $lt: 310.65 } }, { clo: { $gte: 309.65 }, chi: { $lt: 310.65 } }] } } });
  t.same(await compile('Observation', 'value-quantity=ap37|http://unitsofmeasure.org|Cel'),
    { 'x.value-quantity': { $elemMatch: { s: 'http://unitsofmeasure.org', cc: 'K', $or: [{ cn: { $gte: 306.45, $lte: 313.85 } }, { clo: { $lte: 313.85 }, chi: { $gte: 306.45 } }] } } });
  t.same(await compile('Observation', 'value-quantity=ge212|http://unitsofmeasure.org|[degF]'),
    { 'x.value-quantity': { $elemMatch: { s: 'http://unitsofmeasure.org', cc: 'K', $or: [{ cn: { $gte: 373.15 } }, { chi: { $gt: 373.15 } }, { chi: 373.15, hx: { $exists: false } }] } } });
  // an excluded end (`<5`) reaches up to its bound, not onto it; unbounded ends are QTY_MIN/QTY_MAX
  t.same(await compile('Observation', 'value-quantity=ge5'), { 'x.value-quantity': { $elemMatch: { $or: [{ n: { $gte: 5 } }, { hi: { $gt: 5 } }, { hi: 5, hx: { $exists: false } }] } } });
  t.same(await compile('Observation', 'value-quantity=sa5'), { 'x.value-quantity': { $elemMatch: { $or: [{ n: { $gt: 5 } }, { lo: { $gt: 5 } }, { lo: 5, lx: true }] } } });
  t.same(await compile('Observation', 'value-quantity=ne5'), { 'x.value-quantity': { $elemMatch: { $or: [{ n: { $exists: true, $not: { $gte: 4.5, $lt: 5.5 } } }, { lo: { $lt: 4.5 } }, { hi: { $gte: 5.5 } }] } } });
  // a number that may be a Range: its own field for the Ranges
  t.same(await compile('RiskAssessment', 'probability=gt0.5'), { $or: [{ 'x.probability': { $elemMatch: { $gt: 0.5 } } }, { 'x.probability__r': { $elemMatch: { hi: { $gt: 0.5 } } } }] });
  t.same(await compile('RiskAssessment', 'probability:missing=true'), { $and: [{ 'x.probability': { $exists: false } }, { 'x.probability__m': { $exists: false } }, { 'x.probability__r': { $exists: false } }] });
  t.same(await compile('Observation', 'component-code-value-concept=http://loinc.org|48018-6$HGNC:3236'), { 'x.component-code-value-concept': 'http://loinc.org|48018-6$HGNC:3236' });
  t.same(await compile('Observation', 'code-value-quantity=8480-6$gt100'), { 'x.code-value-quantity': { $elemMatch: { c0: '8480-6', c1: { $elemMatch: { $or: [{ n: { $gt: 100 } }, { hi: { $gt: 100 } }] } } } } });
  t.same(await compile('Observation', 'genomic-region=NC_000007.14:55019016-55211628'), {
    'x.genomic-region': { $elemMatch: { a: 'NC_000007.14', b: { $in: REGION_BINS }, s: { $lt: 55211628 }, e: { $gt: 55019016 } } },
  }, 'bounded by the bins the window meets at each level (16 kb … 512 Mb, then the top bin)');
  const wide = await compile('Observation', 'genomic-region=NC_000001.11:0-248956422') as Record<string, { $elemMatch: Record<string, unknown> }>;
  t.same(wide['x.genomic-region'].$elemMatch, { a: 'NC_000001.11', s: { $lt: 248956422 }, e: { $gt: 0 } }, 'a whole chromosome lists no bins (most of it is read anyway)');
  t.same(await compile('Observation', 'gene-identifier=HGNC:3236'), { 'x.gene-identifier': 'HGNC:3236' });
  t.same(await compile('Observation', 'dna-variant=NM_005228.5:c.2573T>G'), { 'x.dna-variant': { $regex: '^nm_005228\\.5:c\\.2573t>g' } });
});

t.test('user text reaches a regex escaped; U+0000 is refused', async (t) => {
  t.same(await compile('Patient', `name=${encodeURIComponent('a.*(b)[c]|^$\\+?{1}/-')}`), { 'x.name': { $regex: '^a\\.\\*\\(b\\)\\[c\\]\\|\\^\\$\\\\\\+\\?\\{1\\}\\/\\-' } });
  for (const qs of ['name=a%00', 'name:contains=%00', 'code:text=%00x', 'identifier=a%00|b', '_id=a%00']) {
    const type = qs.startsWith('code') ? 'Observation' : 'Patient';
    const err = await compile(type, qs).then(() => undefined, (e: unknown) => e);
    t.ok(err instanceof FhirError && err.status === 400, `${qs}: 400`);
    t.equal((err as FhirError).issues[0].expression?.[0], qs.split('=')[0], `${qs}: names the parameter`);
  }
});

t.test('bad values answer 400 naming the parameter', async (t) => {
  for (const qs of ['date=2020-13', 'date=notadate', 'value-quantity=abc', 'genomic-region=chr7:1-2', 'status:missing=maybe', 'code:below=x', 'subject=a b', 'subject:Bogus=p1', 'subject:Organization=p1']) {
    const err = await compile('Observation', qs).then(() => undefined, (e: unknown) => e);
    t.ok(err instanceof FhirError, qs);
    t.equal((err as FhirError).status, 400, qs);
    t.match((err as FhirError).issues[0].expression?.[0] ?? '', /^(date|code|value-quantity|genomic-region|status|subject)/, qs);
  }
});

t.test('days a month does not have answer 400 naming the parameter', async (t) => {
  for (const [type, qs] of [['Patient', 'birthdate=2020-02-30'], ['Patient', 'birthdate=2021-02-29'], ['Patient', 'birthdate=1900-02-29'], ['Observation', 'date=ge2020-04-31'],
    ['Observation', 'date=2020-06-31T10:00:00Z'], ['Observation', '_lastUpdated=gt2023-02-29'], ['Observation', 'code-value-date=8480-6$2021-02-29']]) {
    const err = await compile(type, qs).then(() => undefined, (e: unknown) => e);
    t.equal((err as FhirError)?.status, 400, qs);
    t.equal((err as FhirError)?.issues[0].expression?.[0], qs.split('=')[0], qs);
  }
  for (const qs of ['birthdate=2020-02-29', 'birthdate=2000-02-29', 'birthdate=2021-12-31', 'birthdate=2021-04-30']) t.resolves(compile('Patient', qs), qs);
});

t.test(':of-type on a token that is not an Identifier answers 400 naming the parameter and modifier, strict or not', async (t) => {
  // search.html#token: ":of-type ... only applies to Identifier"; the field it reads (__ot) is filled for
  // identifiers only, so elsewhere it matched nothing, an empty page for a question the server cannot answer
  for (const [type, qs] of [['Observation', 'code:of-type=a|b|c'], ['Patient', 'telecom:of-type=a|b|c'], ['Observation', 'status:of-type=a|b|c'],
    ['Patient', 'gender:of-type=a|b|c'], ['Observation', 'component-code:of-type=a|b|c'], ['Patient', '_tag:of-type=a|b|c']]) {
    for (const strict of [true, false]) {
      const err = await compile(type, qs, strict).then(() => undefined, (e: unknown) => e);
      t.equal((err as FhirError)?.status, 400, `${type}?${qs} strict=${strict}`);
      t.equal((err as FhirError)?.issues[0].expression?.[0], qs.split('=')[0], qs);
      t.match((err as FhirError)?.message, /:of-type .*Identifier/, qs);
    }
  }
  const system = await compile(undefined as unknown as string, '_tag:of-type=a|b|c', false).then(() => undefined, (e: unknown) => e);
  t.equal((system as FhirError)?.status, 400, 'a search of all types: _tag is a Coding on every resource');
  // Identifier tokens keep it, one Identifier term among others (a union) too
  for (const [type, qs] of [['Patient', 'identifier:of-type=a|b|c'], ['Observation', 'identifier:of-type=a|b|c'], ['DiagnosticReport', 'identifier:of-type=a|b|c'],
    ['Encounter', 'identifier:of-type=a|b|c'], ['Practitioner', 'identifier:of-type=a|b|c']]) {
    t.same(await compile(type, qs), { 'x.identifier__ot': 'a|b|c' }, `${type}?${qs}`);
  }
});

t.test(':text on a token with no text (a code, boolean, ContactPoint) answers 400 naming the parameter and modifier', async (t) => {
  // search.html#token: :text searches "CodeableConcept.text, Coding.display, or Identifier.type.text"; a
  // status or gender has none, so the __t field it reads is never filled and the answer was always empty
  for (const [type, qs] of [['Observation', 'status:text=final'], ['Patient', 'gender:text=male'], ['Patient', 'telecom:text=555'], ['Patient', 'active:text=true']]) {
    for (const strict of [true, false]) {
      const err = await compile(type, qs, strict).then(() => undefined, (e: unknown) => e);
      t.equal((err as FhirError)?.status, 400, `${type}?${qs} strict=${strict}`);
      t.equal((err as FhirError)?.issues[0].expression?.[0], qs.split('=')[0], qs);
      t.match((err as FhirError)?.message, /:text /, qs);
    }
  }
  for (const [type, qs, field] of [['Observation', 'code:text=x', 'x.code__t'], ['Patient', 'identifier:text=x', 'x.identifier__t'], ['Observation', 'category:text=x', 'x.category__t'],
    ['Observation', '_security:text=x', 'x._security__t'], ['Observation', 'value-concept:text=x', 'x.value-concept__t']]) {
    t.same(Object.keys(await compile(type, qs)), [field], `${type}?${qs}`);
  }
});

t.test('numbers that overflow (1e400 is Infinity) answer 400 naming the parameter', async (t) => {
  const cases: Array<[string, string]> = [
    ['Observation', 'value-quantity=1e400'], ['Observation', 'value-quantity=gt1e400'], ['Observation', 'value-quantity=lt-1e400|http://unitsofmeasure.org|mg'],
    ['Observation', 'value-quantity=1e308|http://unitsofmeasure.org|kg'], ['RiskAssessment', 'probability=ge1e400'], ['MolecularSequence', 'window-start=1e999'],
    ['Observation', 'component-code-value-quantity=8480-6$lt1e400'],
  ];
  for (const [type, qs] of cases) {
    const err = await compile(type, qs).then(() => undefined, (e: unknown) => e);
    t.equal((err as FhirError)?.status, 400, qs);
    t.equal((err as FhirError)?.issues[0].expression?.[0], qs.split('=')[0], qs);
  }
  t.same(await compile('Observation', 'value-quantity=lt1e300'), { 'x.value-quantity': { $elemMatch: { $or: [{ n: { $lt: 1e300 } }, { lo: { $lt: 1e300 } }] } } }, 'large but finite');
});

t.test('chain and _has sub-searches read keys and index documents, never bodies', async (t) => {
  const asked: Array<[string[] | undefined, string | undefined]> = [];
  const store = {
    search: async (q: StoreQuery) => {
      asked.push([q.types, q.read]);
      return { records: [], docs: [{ t: q.types![0], id: 'x1', v: 1, lu: 1, seq: 1, x: { subject: ['Patient/p1'] } }] };
    },
  };
  const run = async (qs: string) => {
    const query: Record<string, string[]> = {};
    for (const [k, v] of new URLSearchParams(qs)) (query[k] ??= []).push(v);
    return buildFilter(store, 'Patient', parseSearch('Patient', query, true).clauses, BASE);
  };
  t.same(await run('general-practitioner.name=x'), { 'x.general-practitioner': { $in: ['Practitioner/x1', 'Organization/x1'] } });
  t.same(asked, [[['Practitioner'], 'keys'], [['Organization'], 'keys']], 'a chain: the keys of each target type that has the parameter');
  asked.length = 0;
  t.same(await run('_has:Observation:subject:code=c'), { id: { $in: ['p1'] } });
  t.same(asked, [[['Observation'], 'docs']], '_has: the index documents, for their references');
});

t.test('unknown parameters: warning by default, 400 under strict handling', async (t) => {
  const lax = parseSearch('Observation', { foo: ['1'] }, false);
  t.equal(lax.issues.length, 1);
  t.equal(lax.issues[0].severity, 'warning');
  t.throws(() => parseSearch('Observation', { foo: ['1'] }, true), /Unknown search parameter/);
});

t.test('user input never becomes an operator or a field name', async (t) => {
  const f = JSON.stringify(await compile('Observation', 'code=$where&status={"$gt":""}', true));
  t.notMatch(f, /"\$where"\s*:/);
  t.match(f, /"x.code":"\$where"/);
  t.throws(() => parseSearch('Observation', { '$where': ['1'] }, true));
});

t.test('MongoDB index fields are safe field paths the adapter accepts', async (t) => {
  const { searchIndexFields } = await import('../../src/search/search-service.js');
  const { indexSpecs } = await import('../../src/storage/mongodb/index-specs.js');
  const fields = searchIndexFields();
  t.ok(fields.length < 60, 'under the 64-index limit with the base indexes');
  t.ok(fields.includes('x.gx-subject-bin'), 'the genomics operations\' lookup fields are indexed too');
  const specs = indexSpecs(fields);
  const region = Object.values(specs).flat().find((s) => s.name === 't_x.genomic-region.a_x.genomic-region.b_x.genomic-region.s');
  t.same(region?.key, { t: 1, 'x.genomic-region.a': 1, 'x.genomic-region.b': 1, 'x.genomic-region.s': 1 }, 'a region query is bounded by accession, bin and start');
});

t.test('compiled documents pass the MongoDB adapter safety check', async (t) => {
  const { assertSafeFilter } = await import('../../src/storage/mongodb/queries.js');
  for (const qs of ['code:text=x', 'identifier:of-type=a|b|c', 'name:exact=x', 'subject:identifier=a|b', 'date=ge2020&date=lt2021',
    'genomic-region=NC_000007.14:1-2', 'component-code-value-quantity=a$gt1', 'combo-code:missing=true', 'status:not=final', '_lastUpdated=gt2020',
    'value-quantity=ge5||mg', 'value-quantity=ne5|http://unitsofmeasure.org|mg', 'probability=sa0.5', 'probability:missing=false']) {
    const type = qs.startsWith('name') || qs.startsWith('identifier') ? 'Patient' : qs.startsWith('probability') ? 'RiskAssessment' : 'Observation';
    t.doesNotThrow(() => assertSafeFilter(compileSync.get(type + qs)), qs);
  }
});
const compileSync = new Map<string, unknown>();
t.before(async () => {
  for (const qs of ['code:text=x', 'identifier:of-type=a|b|c', 'name:exact=x', 'subject:identifier=a|b', 'date=ge2020&date=lt2021',
    'genomic-region=NC_000007.14:1-2', 'component-code-value-quantity=a$gt1', 'combo-code:missing=true', 'status:not=final', '_lastUpdated=gt2020',
    'value-quantity=ge5||mg', 'value-quantity=ne5|http://unitsofmeasure.org|mg', 'probability=sa0.5', 'probability:missing=false']) {
    const type = qs.startsWith('name') || qs.startsWith('identifier') ? 'Patient' : qs.startsWith('probability') ? 'RiskAssessment' : 'Observation';
    compileSync.set(type + qs, await compile(type, qs));
  }
});

t.test('genomic-region: an accession without its version, or a chromosome accession of neither build, answers 400 naming the parameter', async (t) => {
  const cases: Array<[string, RegExp]> = [
    ['NC_000007:55019016-55211628', /NC_000007 has no version: a versioned RefSeq accession is needed \(NC_000007\.14 in GRCh38, NC_000007\.13 in GRCh37\)/],
    ['NG_017064:1-2', /NG_017064 has no version: a versioned RefSeq accession is needed, such as NC_000007\.14/],
    ['NC_000007.12:55019016-55211628', /NC_000007\.12 is not a GRCh37 or GRCh38 chromosome accession \(NC_000007\.14 in GRCh38, NC_000007\.13 in GRCh37\)/],
    ['NC_000099.1:1-2', /NC_000099\.1 is not a GRCh37 or GRCh38 chromosome accession$/],
  ];
  for (const [region, message] of cases) {
    const err = await compile('Observation', `genomic-region=${region}`).then(() => undefined, (e: unknown) => e);
    t.ok(err instanceof FhirError, region);
    t.equal((err as FhirError).status, 400, region);
    t.equal((err as FhirError).issues[0].expression?.[0], 'genomic-region', region);
    t.match((err as FhirError).issues[0].diagnostics, message, region);
  }
  // versioned accessions of either build, the mitochondrion and non-chromosome RefSeq sequences still compile
  for (const region of ['NC_000007.13:1-2', 'NC_000007.14:1-2', 'NC_012920.1:1-2', 'NG_017064.1:1-2']) {
    t.ok(await compile('Observation', `genomic-region=${region}`), region);
  }
});

t.test('uri :below matches by path segment (search.html#uri), like :above', async (t) => {
  const f = (await compile('ValueSet', 'url:below=http://x.org/fhir/abc')) as { 'x.url': { $regex: string } };
  const re = new RegExp(f['x.url'].$regex);
  for (const url of ['http://x.org/fhir/abc', 'http://x.org/fhir/abc/', 'http://x.org/fhir/abc/def', 'http://x.org/fhir/abc/d/e']) t.ok(re.test(url), `matches ${url}`);
  for (const url of ['http://x.org/fhir/abcdef', 'http://x.org/fhir/abc.json', 'http://x.org/fhir/ab', 'http://x.org/fhir']) t.notOk(re.test(url), `not ${url}`);
  const slash = (await compile('ValueSet', 'url:below=http://x.org/fhir/abc/')) as { 'x.url': { $regex: string } };
  t.same(slash, f, 'a trailing "/" names the same path');
  // the embedded store still takes its candidates from the sorted keys under the literal prefix
  t.equal(literalPrefix(f['x.url'].$regex), 'http://x.org/fhir/abc');
  t.equal(literalPrefix('^a(?:/|$)x'), undefined, 'only as the end of the regex');
});
