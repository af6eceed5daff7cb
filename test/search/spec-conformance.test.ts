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
  t.same(await ids(app, '/fhir/Observation?date:missing=true'), ['none'], 'a Timing with neither events nor bounds has no date');
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
