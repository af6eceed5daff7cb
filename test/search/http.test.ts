import t from 'tap';
import { testApp, send } from '../fhir/helpers.js';
import { buildDataset } from './dataset.js';

/** Search through the HTTP routes (app.inject): GET, POST _search, compartments, strict handling, errors, paging links. */
t.test('search over HTTP', async (t) => {
  const app = await testApp(t, { defaultCount: 5 });
  const data = buildDataset().filter((r) => ['Patient', 'Observation', 'DiagnosticReport', 'MolecularSequence', 'Condition'].includes(r.resourceType));
  const bundle = { resourceType: 'Bundle', type: 'batch', entry: data.map((r) => ({ resource: r, request: { method: 'PUT', url: `${r.resourceType}/${r.id}` } })) };
  const loaded = await send(app, 'POST', '/fhir', bundle);
  t.equal(loaded.statusCode, 200, loaded.body.slice(0, 300));

  const get = await send(app, 'GET', '/fhir/Observation?gene-identifier=HGNC:3236&_count=50');
  t.equal(get.statusCode, 200);
  const b = get.json();
  t.equal(b.type, 'searchset');
  const expected = data.filter((r) => r.resourceType === 'Observation' && JSON.stringify(r).includes('HGNC:3236')).length;
  t.equal(b.entry.length, expected);
  t.ok(expected > 0);

  const post = await app.inject({
    method: 'POST', url: '/fhir/Observation/_search', headers: { 'content-type': 'application/x-www-form-urlencoded' },
    payload: 'gene-identifier=HGNC%3A3236&_count=50',
  });
  t.equal(post.statusCode, 200);
  t.equal(post.json().entry.length, expected);
  const latin1 = await app.inject({
    method: 'POST', url: '/fhir/Observation/_search', headers: { 'content-type': 'application/x-www-form-urlencoded; charset=iso-8859-1' },
    payload: 'gene-identifier=HGNC%3A3236',
  });
  t.equal(latin1.statusCode, 415, 'a form body in another charset is refused, not misread as UTF-8');
  const utf8 = await app.inject({
    method: 'POST', url: '/fhir/Observation/_search', headers: { 'content-type': 'application/x-www-form-urlencoded; charset=UTF-8' },
    payload: 'gene-identifier=HGNC%3A3236',
  });
  t.equal(utf8.statusCode, 200);

  const region = await send(app, 'GET', '/fhir/MolecularSequence?genomic-region=NC_000007.14:55039999-55050001');
  t.same(region.json().entry.map((e: { resource: { id: string } }) => e.resource.id).sort(), ['ms0', 'ms1']);
  const unversioned = await send(app, 'GET', '/fhir/Observation?genomic-region=NC_000007:55019016-55211628');
  t.equal(unversioned.statusCode, 400, 'an accession without its version is refused, not answered with nothing');
  t.equal(unversioned.json().resourceType, 'OperationOutcome');
  t.same(unversioned.json().issue[0].expression, ['genomic-region']);
  t.match(unversioned.json().issue[0].diagnostics, /versioned RefSeq accession.*NC_000007\.14/);
  for (const url of ['/fhir/Patient?name=a%00b', '/fhir/Patient?name:contains=%00', '/fhir/Observation?code:text=x%00', '/fhir/Observation?subject.name=a%00']) {
    const nul = await send(app, 'GET', url);
    t.equal(nul.statusCode, 400, `${url}: U+0000 is refused (MongoDB refuses it in a regex)`);
    t.equal(nul.json().resourceType, 'OperationOutcome');
    t.match(nul.json().issue[0].diagnostics, /U\+0000/);
    t.same(nul.json().issue[0].expression, [new URL(url, 'http://x').searchParams.keys().next().value], 'naming the parameter');
  }

  const comp = await send(app, 'GET', '/fhir/Patient/px2/Observation?_count=100');
  t.equal(comp.statusCode, 200);
  t.ok(comp.json().entry.every((e: { resource: { subject: { reference: string } } }) => e.resource.subject.reference === 'Patient/px2'));

  const strict = await send(app, 'GET', '/fhir/Observation?bogus=1', undefined, { prefer: 'handling=strict' });
  t.equal(strict.statusCode, 400);
  t.equal(strict.json().resourceType, 'OperationOutcome');
  const lax = await send(app, 'GET', '/fhir/Observation?bogus=1&_count=1');
  t.equal(lax.statusCode, 200);
  t.ok(lax.json().entry.some((e: { search: { mode: string } }) => e.search.mode === 'outcome'));

  const bad = await send(app, 'GET', '/fhir/Observation?date=2020-02-30x');
  t.equal(bad.statusCode, 400);
  t.match(bad.json().issue[0].diagnostics, /date/);
  t.same(bad.json().issue[0].expression, ['date']);

  // follow next links through HTTP
  let url: string | undefined = '/fhir/Observation?code=69548-6&_count=7';
  const seen = new Set<string>();
  let pages = 0;
  while (url && pages++ < 100) {
    const page = await send(app, 'GET', url);
    t.equal(page.statusCode, 200);
    for (const e of page.json().entry ?? []) {
      t.notOk(seen.has(e.resource.id), `no duplicate ${e.resource.id}`);
      seen.add(e.resource.id);
    }
    const next = page.json().link.find((l: { relation: string }) => l.relation === 'next')?.url as string | undefined;
    url = next?.replace(/^https?:\/\/[^/]+/, '');
  }
  t.equal(seen.size, data.filter((r) => r.resourceType === 'Observation' && r.code?.coding?.[0]?.code === '69548-6').length);

  const sp = await send(app, 'GET', '/fhir/SearchParameter/genomic-region');
  t.equal(sp.statusCode, 200);
  t.equal(sp.json().code, 'genomic-region');
  const meta = await send(app, 'GET', '/fhir/metadata');
  const obs = meta.json().rest[0].resource.find((r: { type: string }) => r.type === 'Observation');
  t.ok(obs.searchParam.some((p: { name: string }) => p.name === 'genomic-region'));
  t.ok(obs.searchParam.some((p: { name: string }) => p.name === 'gene-identifier'));
});

t.test('_total=accurate is the whole search on every page; _revinclude=* finds every kind of reference', async (t) => {
  const app = await testApp(t, { defaultCount: 5 });
  const data = buildDataset().filter((r) => ['Patient', 'Observation', 'DiagnosticReport', 'MolecularSequence', 'Condition'].includes(r.resourceType));
  const loaded = await send(app, 'POST', '/fhir', { resourceType: 'Bundle', type: 'batch', entry: data.map((r) => ({ resource: r, request: { method: 'PUT', url: `${r.resourceType}/${r.id}` } })) });
  t.equal(loaded.statusCode, 200);
  for (const q of ['Observation?_count=4&_total=accurate', 'Observation?code=69548-6&_count=3&_total=accurate', 'Patient?_count=2&_total=accurate&_sort=-birthdate']) {
    let url: string | undefined = `/fhir/${q}`;
    const totals: number[] = [];
    let seen = 0;
    while (url) {
      const b = (await send(app, 'GET', url.replace(/^http:\/\/[^/]+/, ''))).json() as { total: number; entry?: Array<{ search?: { mode: string } }>; link: Array<{ relation: string; url: string }> };
      totals.push(b.total);
      seen += (b.entry ?? []).filter((e) => e.search?.mode === 'match').length;
      url = b.link.find((l) => l.relation === 'next')?.url;
    }
    t.ok(totals.length > 1, `${q}: several pages`);
    t.ok(totals.every((n) => n === seen), `${q}: total ${totals.join(', ')} on every page = ${seen} matches`);
  }
  const patient = data.find((r) => r.resourceType === 'Patient' && data.some((o) => o.resourceType === 'DiagnosticReport' && JSON.stringify(o).includes(`Patient/${r.id}"`)))!;
  const star = (await send(app, 'GET', `/fhir/Patient?_id=${patient.id}&_revinclude=*&_count=100`)).json();
  const got = (star.entry ?? []).filter((e: { search?: { mode: string } }) => e.search?.mode === 'include').map((e: { resource: { resourceType: string; id: string } }) => `${e.resource.resourceType}/${e.resource.id}`).sort();
  const want = data.filter((r) => r.id !== patient.id && JSON.stringify(r).includes(`"Patient/${patient.id}"`)).map((r) => `${r.resourceType}/${r.id}`).sort();
  t.ok(want.length > 1 && want.some((w) => w.startsWith('DiagnosticReport/')), `the patient is referenced by ${want.length} resources`);
  t.same(got, want, '_revinclude=* returns every resource that references it');
});

t.test('parameter names like __proto__ or constructor are unknown parameters like any other', async (t) => {
  const app = await testApp(t, {});
  for (const name of ['__proto__', 'constructor', 'hasOwnProperty']) {
    const lax = await send(app, 'GET', `/fhir/Patient?${name}=1`);
    t.equal(lax.statusCode, 200, name);
    const oo = lax.json().entry?.find((e: { search?: { mode: string } }) => e.search?.mode === 'outcome')?.resource;
    t.match(oo?.issue?.[0]?.diagnostics ?? '', new RegExp(`Unknown search parameter "${name}"`), `${name}: a warning`);
    const strict = await send(app, 'GET', `/fhir/Patient?${name}=1`, undefined, { prefer: 'handling=strict' });
    t.equal(strict.statusCode, 400, `${name}: 400 under strict handling`);
    const post = await app.inject({
      method: 'POST', url: '/fhir/Patient/_search', headers: { 'content-type': 'application/x-www-form-urlencoded', prefer: 'handling=strict' }, payload: `${name}=1`,
    });
    t.equal(post.statusCode, 400, `${name}: POST _search too`);
  }
});

t.test('the self link shows the _count used once; strict refusals do not say the parameter was ignored', async (t) => {
  const app = await testApp(t, {});
  const b = (await send(app, 'GET', '/fhir/Patient?_count=3&_count=5&_include=Patient:organization&_include=Patient:general-practitioner')).json();
  const self = new URL(b.link[0].url);
  t.same(self.searchParams.getAll('_count'), ['5'], 'the last _count, once');
  t.same(self.searchParams.getAll('_include'), ['Patient:organization', 'Patient:general-practitioner'], 'includes add up');
  for (const qs of ['bogus=1', '_text=x', '__proto__=1']) {
    const strict = await send(app, 'GET', `/fhir/Patient?${qs}`, undefined, { prefer: 'handling=strict' });
    t.equal(strict.statusCode, 400, qs);
    t.notMatch(strict.json().issue[0].diagnostics, /ignored/, `${qs}: refused, not ignored`);
    const lax = (await send(app, 'GET', `/fhir/Patient?${qs}`)).json();
    t.match(lax.entry.find((e: { search?: { mode: string } }) => e.search?.mode === 'outcome').resource.issue[0].diagnostics, /it was ignored$/, `${qs}: the warning says it was ignored`);
  }
});

t.test('an unsupported modifier answers 400 naming the parameter, even without strict handling (README)', async (t) => {
  const app = await testApp(t);
  for (const qs of ['gender:in=http://x', 'gender:below=male', 'gender:above=male', 'gender:not-in=http://x']) {
    const res = await send(app, 'GET', `/fhir/Patient?${qs}`);
    t.equal(res.statusCode, 400, qs);
    t.equal(res.json().resourceType, 'OperationOutcome');
    t.same(res.json().issue[0].expression, [qs.split('=')[0]], `${qs}: the parameter is named`);
  }
  const text = await send(app, 'GET', '/fhir/Patient?_text=x');
  t.equal(text.statusCode, 200, 'an unsupported parameter is only warned about');
});
