import t from 'tap';
import type { FastifyInstance } from 'fastify';
import { testApp, send } from '../fhir/helpers.js';

/**
 * Black-box checks of search against R4 search.html, through the HTTP routes, on small hand-made
 * data sets whose right answers are known. Each test names the rule it checks.
 */
async function load(app: FastifyInstance, resources: Array<Record<string, unknown>>): Promise<void> {
  const entry = resources.map((r) => ({ resource: r, request: { method: 'PUT', url: `${r.resourceType}/${r.id}` } }));
  const res = await send(app, 'POST', '/fhir', { resourceType: 'Bundle', type: 'batch', entry });
  if (res.statusCode !== 200 || res.json().entry.some((e: { response: { status: string } }) => !e.response.status.startsWith('20'))) {
    throw new Error(`load failed: ${res.body.slice(0, 500)}`);
  }
}

async function ids(app: FastifyInstance, url: string, headers: Record<string, string> = {}): Promise<string[]> {
  const res = await send(app, 'GET', url, undefined, headers);
  if (res.statusCode !== 200) throw new Error(`${url}: ${res.statusCode} ${res.body.slice(0, 300)}`);
  return (res.json().entry ?? [])
    .filter((e: { search: { mode: string } }) => e.search.mode === 'match')
    .map((e: { resource: { id: string } }) => e.resource.id)
    .sort();
}

t.test('a token has no prefixes: a code or identifier value that starts like one (le123, ge5) is searched as it is', async (t) => {
  const app = await testApp(t);
  await load(app, [
    { resourceType: 'Patient', id: 'p1', identifier: [{ system: 'http://ex.org/mrn', value: 'le123' }] },
    { resourceType: 'Patient', id: 'p2', identifier: [{ system: 'http://ex.org/mrn', value: '123' }] },
    { resourceType: 'Observation', id: 'o1', status: 'final', code: { coding: [{ system: 'http://ex.org/codes', code: 'ge5' }] } },
  ]);
  t.same(await ids(app, '/fhir/Patient?identifier=le123'), ['p1']);
  t.same(await ids(app, '/fhir/Patient?identifier:not=le123'), ['p2']);
  t.same(await ids(app, '/fhir/Observation?code=ge5'), ['o1']);
  t.same(await ids(app, '/fhir/Observation?code=eq5'), []);
});

t.test('result parameters the server does not implement are said to be ignored (or refused under strict handling), and left out of the self link', async (t) => {
  const app = await testApp(t);
  await load(app, [
    { resourceType: 'Patient', id: 'p1' },
    { resourceType: 'Patient', id: 'p2' },
    { resourceType: 'Observation', id: 'o1', status: 'final', code: { text: 'x' } },
  ]);
  for (const [qs, key] of [['_offset=1', '_offset'], ['_page=2', '_page'], ['_contained=true', '_contained'], ['_containedType=contained', '_containedType']]) {
    const lax = await send(app, 'GET', `/fhir/Patient?${qs}`);
    t.equal(lax.statusCode, 200, qs);
    const b = lax.json();
    const outcome = b.entry.find((e: { search: { mode: string } }) => e.search.mode === 'outcome');
    t.ok(outcome, `${qs}: a warning entry`);
    t.same(outcome?.resource.issue[0].expression, [key], qs);
    t.match(outcome?.resource.issue[0].diagnostics, /not supported; it was ignored/, qs);
    t.notMatch(b.link[0].url, key, `${qs}: the self link shows only what was used`);
    const strict = await send(app, 'GET', `/fhir/Patient?${qs}`, undefined, { prefer: 'handling=strict' });
    t.equal(strict.statusCode, 400, `${qs} under strict handling`);
    t.same(strict.json().issue[0].expression, [key]);
  }
  // _contained=false is what every search does
  const plain = await send(app, 'GET', '/fhir/Patient?_contained=false', undefined, { prefer: 'handling=strict' });
  t.equal(plain.statusCode, 200);
  t.equal(plain.json().total, 2);

  // _type belongs to a search across types: on a type's search it is not a silent no-op
  const typed = await send(app, 'GET', '/fhir/Observation?_type=Patient');
  t.equal(typed.statusCode, 200);
  const warn = typed.json().entry.find((e: { search: { mode: string } }) => e.search.mode === 'outcome');
  t.same(warn?.resource.issue[0].expression, ['_type']);
  t.notMatch(typed.json().link[0].url, '_type');
  const strictTyped = await send(app, 'GET', '/fhir/Observation?_type=Patient', undefined, { prefer: 'handling=strict' });
  t.equal(strictTyped.statusCode, 400);
  t.same(strictTyped.json().issue[0].expression, ['_type']);
  t.same(await ids(app, '/fhir?_type=Patient', { prefer: 'handling=strict' }), ['p1', 'p2'], 'a system search takes it');
  t.same(await ids(app, '/fhir/Patient/p1/*?_type=Patient', { prefer: 'handling=strict' }), ['p1'], 'so does a compartment search of every type');
});

t.test('a Timing is searched by its outer limits, not event by event (search.html#date: "only the outer limits matter")', async (t) => {
  const app = await testApp(t);
  const obs = (id: string, effectiveTiming: unknown) => ({ resourceType: 'Observation', id, status: 'final', code: { text: 'x' }, effectiveTiming });
  await load(app, [
    // events on 1 January and 1 March: the Timing spans [2021-01-01T10:00Z, 2021-03-01T10:00Z]
    obs('ev', { event: ['2021-03-01T10:00:00Z', '2021-01-01T10:00:00Z'] }),
    // events and bounds together: from the earliest to the latest of them
    obs('both', { event: ['2021-02-10'], repeat: { boundsPeriod: { start: '2021-02-01', end: '2021-02-05' }, frequency: 1 } }),
    obs('open', { repeat: { boundsPeriod: { start: '2021-06-01' }, frequency: 1 } }),
    obs('none', { code: { text: 'when needed' } }),
  ]);
  t.same(await ids(app, '/fhir/Observation?date=sa2021-01-10'), ['both', 'open'], 'ev starts on 1 January: it does not start after the 10th');
  t.same(await ids(app, '/fhir/Observation?date=eb2021-02-20'), ['both'], 'ev ends on 1 March');
  t.same(await ids(app, '/fhir/Observation?date=2021-01-01'), [], 'no Timing lies within 1 January');
  t.same(await ids(app, '/fhir/Observation?date=2021'), ['both', 'ev'], 'both lie within 2021; open has no end');
  t.same(await ids(app, '/fhir/Observation?date=2021-02'), ['both']);
  t.same(await ids(app, '/fhir/Observation?date=ge2021-02-12'), ['ev', 'open']);
  t.same(await ids(app, '/fhir/Observation?date=lt2021-02-01'), ['ev']);
  t.same(await ids(app, '/fhir/Observation?date:missing=false'), ['both', 'ev', 'none', 'open'], 'a Timing with neither events nor bounds is no date range, but it is the element date selects (:missing)');
  t.same(await ids(app, '/fhir/Observation?date=ge1900'), ['both', 'ev', 'open'], 'and no date search finds it');
});

t.test('a quantity search that names the UCUM system matches quantities in UCUM, converted, but not a bare unit without a system (search.html#quantity)', async (t) => {
  const app = await testApp(t);
  const obs = (id: string, valueQuantity: unknown) => ({ resourceType: 'Observation', id, status: 'final', code: { text: 'x' }, valueQuantity });
  await load(app, [
    obs('mg', { value: 1500, system: 'http://unitsofmeasure.org', code: 'mg' }),
    obs('g', { value: 1.5, system: 'http://unitsofmeasure.org', code: 'g' }),
    obs('bare', { value: 1.5, unit: 'g' }),
    obs('other', { value: 1.5, system: 'http://ex.org/units', code: 'g' }),
    obs('hg', { value: 120, system: 'http://unitsofmeasure.org', code: 'mm[Hg]', unit: 'mmHg' }),
  ]);
  t.same(await ids(app, '/fhir/Observation?value-quantity=120||mmHg'), ['hg'], 'the stated unit');
  t.same(await ids(app, '/fhir/Observation?value-quantity=120||mm[Hg]'), ['hg'], 'the code');
  t.same(await ids(app, '/fhir/Observation?value-quantity=1.5|http://unitsofmeasure.org|g'), ['g', 'mg']);
  t.same(await ids(app, '/fhir/Observation?value-quantity=gt1|http://unitsofmeasure.org|g'), ['g', 'mg']);
  t.same(await ids(app, '/fhir/Observation?value-quantity=1.5||g'), ['bare', 'g', 'mg', 'other'], 'no system: the code or the stated unit');
  t.same(await ids(app, '/fhir/Observation?value-quantity=1.5|http://ex.org/units|g'), ['other']);
});

t.test('a reference type that is not a resource type, or not a target of the parameter, answers 400 naming the parameter, in a search or an _include', async (t) => {
  const app = await testApp(t);
  await load(app, [
    { resourceType: 'Patient', id: 'p1' },
    { resourceType: 'Observation', id: 'o1', status: 'final', code: { text: 'x' }, subject: { reference: 'Patient/p1' } },
  ]);
  for (const [qs, key] of [
    ['subject:Bogus=p1', 'subject:Bogus'],
    ['subject:Organization=p1', 'subject:Organization'],
    ['_include=Observation:subject:Bogus', '_include'],
    ['_include=Observation:subject:Organization', '_include'],
    ['_revinclude=Observation:subject:Bogus', '_revinclude'],
  ]) {
    const res = await send(app, 'GET', `/fhir/Observation?${qs}`);
    t.equal(res.statusCode, 400, qs);
    t.same(res.json().issue?.[0].expression, [key], qs);
    t.match(res.json().issue?.[0].diagnostics, /Bogus|Organization/, qs);
  }
  // the valid forms still work
  t.same(await ids(app, '/fhir/Observation?subject:Patient=p1'), ['o1']);
  t.same(await ids(app, '/fhir/Observation?subject:Group=p1'), []);
  const inc = (await send(app, 'GET', '/fhir/Observation?_include=Observation:subject:Patient')).json();
  t.same(inc.entry.map((e: { resource: { id: string } }) => e.resource.id), ['o1', 'p1']);
});

t.test('_has through a reference that cannot point at the searched type answers 400 naming the parameter', async (t) => {
  const app = await testApp(t);
  await load(app, [
    { resourceType: 'Patient', id: 'p1' },
    { resourceType: 'Organization', id: 'org1' },
    { resourceType: 'Observation', id: 'o1', status: 'final', code: { coding: [{ code: '1' }] }, subject: { reference: 'Patient/p1' }, performer: [{ reference: 'Organization/org1' }] },
  ]);
  const res = await send(app, 'GET', '/fhir/Organization?_has:Observation:subject:code=1');
  t.equal(res.statusCode, 400);
  t.same(res.json().issue[0].expression, ['_has:Observation:subject:code']);
  t.match(res.json().issue[0].diagnostics, /Organization is not a target of subject/);
  t.same(await ids(app, '/fhir/Organization?_has:Observation:performer:code=1'), ['org1']);
  t.same(await ids(app, '/fhir/Patient?_has:Observation:subject:code=1'), ['p1']);
});

t.test('a quantity with a comparator is the range it states, a Range its bounds (search.html#prefix, the column for ranges)', async (t) => {
  const app = await testApp(t);
  const q = (value: number, comparator?: string) => ({ value, ...(comparator ? { comparator } : {}), unit: 'mmol/L', system: 'http://unitsofmeasure.org', code: 'mmol/L' });
  await load(app, [
    { resourceType: 'Observation', id: 'lt5', status: 'final', code: { text: 'k' }, valueQuantity: q(5, '<') },
    { resourceType: 'Observation', id: 'le5', status: 'final', code: { text: 'k' }, valueQuantity: q(5, '<=') },
    { resourceType: 'Observation', id: 'gt5', status: 'final', code: { text: 'k' }, valueQuantity: q(5, '>') },
    { resourceType: 'Observation', id: 'is5', status: 'final', code: { text: 'k' }, valueQuantity: q(5) },
    { resourceType: 'Condition', id: 'c30-40', subject: { reference: 'Patient/p' }, onsetRange: { low: { value: 30, system: 'http://unitsofmeasure.org', code: 'a' }, high: { value: 40, system: 'http://unitsofmeasure.org', code: 'a' } } },
    { resourceType: 'Condition', id: 'c50-', subject: { reference: 'Patient/p' }, onsetRange: { low: { value: 50, system: 'http://unitsofmeasure.org', code: 'a' } } },
    { resourceType: 'Condition', id: 'c35', subject: { reference: 'Patient/p' }, onsetAge: { value: 35, system: 'http://unitsofmeasure.org', code: 'a' } },
  ]);
  const obs = (v: string) => ids(app, `/fhir/Observation?value-quantity=${encodeURIComponent(v)}`);
  t.same(await obs('5'), ['is5'], 'eq: only the point; "<5" is not within [4.5, 5.5)');
  t.same(await obs('lt4'), ['le5', 'lt5'], 'lt: some value below 4');
  t.same(await obs('ge5'), ['gt5', 'is5', 'le5'], 'ge: "<5" has no value at 5 or above, "<=5" has 5');
  t.same(await obs('gt4.9|http://unitsofmeasure.org|mmol/L'), ['gt5', 'is5', 'le5', 'lt5'], 'gt: values just below 5 are above 4.9');
  t.same(await obs('le5'), ['is5', 'le5', 'lt5']);
  t.same(await obs('eb5'), ['lt5'], 'eb: every value below 5');
  t.same(await obs('sa5'), ['gt5'], 'sa: every value above 5');
  t.same(await obs('ne5'), ['gt5', 'le5', 'lt5']);
  const onset = (v: string) => ids(app, `/fhir/Condition?onset-age=${encodeURIComponent(v)}`);
  t.same(await onset('35'), ['c35'], 'eq: a range from 30 to 40 is not within [34.5, 35.5)');
  t.same(await onset('ge38'), ['c30-40', 'c50-']);
  t.same(await onset('lt32'), ['c30-40']);
  t.same(await onset('sa45'), ['c50-']);
  t.same(await onset('ap36'), ['c30-40', 'c35'], 'ap: meets 36 ± 3.6');
  t.same(await onset('ge1000||a'), ['c50-'], 'a Range without high is unbounded');
});

t.test('Periods open at either end: le/ge are "the range below/above overlaps, or eq" (search.html#prefix)', async (t) => {
  const app = await testApp(t);
  const o = (id: string, effectivePeriod: Record<string, string>) => ({ resourceType: 'Observation', id, status: 'final', code: { text: 'k' }, effectivePeriod });
  await load(app, [o('until-mar4', { end: '2020-03-04' }), o('from-mar4', { start: '2020-03-04T10:00:00Z' }), o('march', { start: '2020-03-01', end: '2020-03-31' })]);
  const date = (v: string) => ids(app, `/fhir/Observation?date=${encodeURIComponent(v)}`);
  // from-mar4 starts inside the day and goes on: nothing of it lies below the day, and the day does
  // not contain it, so it is not le (nor eq); until-mar4 is, by the range below the day
  t.same(await date('le2020-03-04'), ['march', 'until-mar4'], 'le: the range below the day overlaps');
  t.same(await date('ge2020-03-04'), ['from-mar4', 'march'], 'ge: until-mar4 ends with that day, nothing of it above');
  t.same(await date('gt2020-03-04'), ['from-mar4', 'march']);
  t.same(await date('lt2020-03-04'), ['march', 'until-mar4']);
  t.same(await date('2020-03-04'), [], 'eq: none lies within the day');
  t.same(await date('2020-03'), ['march']);
  t.same(await date('sa2020-03-03'), ['from-mar4']);
  t.same(await date('eb2020-03-05'), ['until-mar4']);
  t.same(await date('ge2030'), ['from-mar4'], 'an ongoing Period reaches any later date');
  t.same(await date('le1900'), ['until-mar4'], 'a Period without start reaches any earlier date');
});

t.test(':missing asks whether the parameter\'s expression selects an element, not whether that element gave a searchable value (search.html#modifiers)', async (t) => {
  const app = await testApp(t);
  const sampled = { origin: { value: 0, system: 'http://unitsofmeasure.org', code: 'mV' }, period: 10, dimensions: 1, data: '1 2 3' };
  const o = (id: string, more: Record<string, unknown>) => ({ resourceType: 'Observation', id, status: 'final', code: { text: 'x' }, ...more });
  const comp = (value: Record<string, unknown>) => ({ component: [{ code: { text: 'c' }, ...value }] });
  await load(app, [
    o('qty', { valueQuantity: { value: 1, system: 'http://unitsofmeasure.org', code: 'mg' } }),
    // value-quantity is `(Observation.value as Quantity) | (Observation.value as SampledData)`
    o('sampled', { valueSampledData: sampled }),
    o('str', { valueString: 'text' }),
    o('concept-text', { valueCodeableConcept: { text: 'only a text' } }),
    o('period', { valuePeriod: { start: '2020-01-01' } }),
    o('c-sampled', comp({ valueSampledData: sampled })),
    o('c-concept-text', comp({ valueCodeableConcept: { text: 'only a text' } })),
    o('subject-display', { subject: { display: 'someone' } }),
    o('subject-identifier', { subject: { identifier: { system: 'urn:mrn', value: 'M1' } } }),
    o('none', {}),
  ]);
  const q = (qs: string) => ids(app, `/fhir/Observation?${qs}`);
  t.same(await q('value-quantity:missing=false'), ['qty', 'sampled'], 'a SampledData is a value of value-quantity');
  t.same(await q('value-quantity:missing=true'), ['c-concept-text', 'c-sampled', 'concept-text', 'none', 'period', 'str', 'subject-display', 'subject-identifier']);
  t.same(await q('component-value-quantity:missing=false'), ['c-sampled']);
  t.same(await q('combo-value-quantity:missing=false'), ['c-sampled', 'qty', 'sampled']);
  t.notOk((await q('combo-value-quantity:missing=true')).includes('c-sampled'));
  // a CodeableConcept with a text only is found by :text, so it cannot be missing
  t.same(await q('value-concept:text=only'), ['concept-text']);
  t.same(await q('value-concept:missing=false'), ['concept-text']);
  t.notOk((await q('value-concept:missing=true')).includes('concept-text'));
  t.same(await q('component-value-concept:missing=false'), ['c-concept-text']);
  // other choices stay missing for a parameter that does not name their type
  t.same(await q('value-string:missing=false'), ['concept-text', 'str'], '(Observation.value as CodeableConcept).text');
  t.same(await q('value-date:missing=false'), ['period']);
  t.same(await q('value-concept:missing=true'), ['c-concept-text', 'c-sampled', 'none', 'period', 'qty', 'sampled', 'str', 'subject-display', 'subject-identifier']);
  // a Reference with a display or an identifier only is a subject all the same
  t.same(await q('subject:identifier=urn:mrn|M1'), ['subject-identifier']);
  t.same(await q('subject:missing=false'), ['subject-display', 'subject-identifier']);
  t.notOk((await q('subject:missing=true')).some((id) => id.startsWith('subject-')));
});

t.test('UCUM units compare by their canonical form whatever prefix and division they are written with (search.html#quantity: "in canonical units")', async (t) => {
  const app = await testApp(t);
  const obs = (id: string, value: number, code: string) => ({ resourceType: 'Observation', id, status: 'final', code: { text: 'x' }, valueQuantity: { value, system: 'http://unitsofmeasure.org', code } });
  await load(app, [
    obs('mmol', 5.4, 'mmol/L'), obs('umol', 5400, 'umol/L'), obs('mol', 0.0054, 'mol/L'), obs('nmol', 5.4e6, 'nmol/L'),
    obs('ngml', 1, 'ng/mL'), obs('ugl', 1, 'ug/L'), obs('pgml', 1000, 'pg/mL'),
    obs('mlmin', 2000, 'mL/min'), obs('lh', 60, 'L/h'),
    obs('day', 1, 'd'), obs('hours', 24, 'h'), obs('dl', 1, 'dL'),
    obs('kgm2', 25, 'kg/m2'), obs('gcm2', 2.5, 'g/cm2'),
    obs('hg', 120, 'mm[Hg]'), obs('cel', 37, 'Cel'),
  ]);
  const q = (v: string) => ids(app, `/fhir/Observation?value-quantity=${encodeURIComponent(v)}`);
  t.same(await q('5.4|http://unitsofmeasure.org|mmol/L'), ['mmol', 'mol', 'nmol', 'umol']);
  t.same(await q('5400|http://unitsofmeasure.org|umol/L'), ['mmol', 'mol', 'nmol', 'umol']);
  t.same(await q('1|http://unitsofmeasure.org|ug/L'), ['ngml', 'pgml', 'ugl']);
  t.same(await q('2|http://unitsofmeasure.org|L/min'), ['mlmin']);
  t.same(await q('1|http://unitsofmeasure.org|L/min'), ['lh']);
  t.same(await q('1|http://unitsofmeasure.org|d'), ['day', 'hours'], 'd alone is a day, not a prefix');
  t.same(await q('100|http://unitsofmeasure.org|mL'), ['dl'], 'a deciliter is 100 mL');
  t.same(await q('25|http://unitsofmeasure.org|kg/m2'), ['gcm2', 'kgm2'], '2.5 g/cm2 is 25 kg/m2');
  // units that are not products of prefixed metric units keep being compared by their code;
  // temperatures convert by an offset (quantity-reference-rules.test.ts)
  t.same(await q('120|http://unitsofmeasure.org|mm[Hg]'), ['hg']);
  t.same(await q('37|http://unitsofmeasure.org|Cel'), ['cel']);
  t.same(await q('98.6|http://unitsofmeasure.org|[degF]'), ['cel']);
  t.same(await q('5400||umol/L'), ['mmol', 'mol', 'nmol', 'umol'], 'without a system, a UCUM code matches its conversions too');
});

t.test(':missing on the genetics parameters: a gene studied with a text only is a gene-identifier (found by :text, so not missing)', async (t) => {
  const app = await testApp(t);
  const L = (code: string) => ({ coding: [{ system: 'http://loinc.org', code }] });
  const o = (id: string, component: unknown[]) => ({ resourceType: 'Observation', id, status: 'final', code: { text: 'x' }, component });
  await load(app, [
    o('gene-text', [{ code: L('48018-6'), valueCodeableConcept: { text: 'EGFR' } }]),
    o('gene-coded', [{ code: L('48018-6'), valueCodeableConcept: { coding: [{ system: 'http://www.genenames.org/geneId', code: 'HGNC:3236', display: 'EGFR' }] } }]),
    o('other', [{ code: L('8462-4'), valueQuantity: { value: 1 } }]),
  ]);
  t.same(await ids(app, '/fhir/Observation?gene-identifier:text=egfr'), ['gene-coded', 'gene-text']);
  t.same(await ids(app, '/fhir/Observation?gene-identifier:missing=false'), ['gene-coded', 'gene-text']);
  t.same(await ids(app, '/fhir/Observation?gene-identifier:missing=true'), ['other']);
});
