import t from 'tap';
import type { FastifyInstance } from 'fastify';
import { testApp, send } from '../fhir/helpers.js';

/**
 * Search probed from outside, as a demanding client reads search.html (FHIR R4 4.0.1): each test
 * is a request whose answer the spec fixes, on a few resources written for it.
 */
async function load(app: FastifyInstance, resources: Array<Record<string, unknown>>): Promise<void> {
  for (const r of resources) {
    const res = await send(app, 'PUT', `/fhir/${r.resourceType as string}/${r.id as string}`, r);
    if (res.statusCode >= 300) throw new Error(`${r.id as string}: ${res.statusCode} ${res.body.slice(0, 300)}`);
  }
}

async function ids(app: FastifyInstance, url: string): Promise<string[]> {
  const res = await send(app, 'GET', url);
  if (res.statusCode !== 200) throw new Error(`${url}: ${res.statusCode} ${res.body.slice(0, 300)}`);
  return (res.json().entry ?? []).filter((e: { search?: { mode?: string } }) => e.search?.mode === 'match')
    .map((e: { resource: { id: string } }) => e.resource.id).sort();
}

t.test('_lastUpdated:missing: every resource has meta.lastUpdated (the server sets it)', async (t) => {
  const app = await testApp(t);
  await load(app, [{ resourceType: 'Patient', id: 'a' }, { resourceType: 'Patient', id: 'b' }]);
  t.same(await ids(app, '/fhir/Patient?_lastUpdated:missing=false'), ['a', 'b']);
  t.same(await ids(app, '/fhir/Patient?_lastUpdated:missing=true'), []);
});

t.test('the built-in SearchParameters and OperationDefinitions are searchable (search.html: a search finds what a read can)', async (t) => {
  const app = await testApp(t, { defaultCount: 5 });
  t.same(await ids(app, '/fhir/SearchParameter?code=genomic-region'), ['genomic-region']);
  t.same(await ids(app, '/fhir/SearchParameter?url=urn:fhir-genomics-server:SearchParameter/genomic-region'), ['genomic-region']);
  t.same(await ids(app, '/fhir/SearchParameter?url=http://hl7.org/fhir/SearchParameter/clinical-code'), ['clinical-code'], 'R4 shares code across 18 types under one url');
  const genomic = await ids(app, '/fhir/SearchParameter?base=MolecularSequence&type=special');
  t.same(genomic, ['genomic-region']);
  const onVariant = await send(app, 'GET', '/fhir/SearchParameter?base=Observation&_total=accurate&_count=100');
  const observationParams = onVariant.json();
  t.ok(observationParams.total > 30, `Observation has its R4 parameters and the genetics ones (${observationParams.total as number})`);
  t.ok(observationParams.entry.some((e: { resource: { code: string } }) => e.resource.code === 'gene-dnavariant'));
  t.ok(observationParams.entry.every((e: { resource: { base: string[] } }) => e.resource.base.includes('Observation')));
  t.same(await ids(app, '/fhir/SearchParameter?code=genomic-region&base=Patient'), [], 'every criterion applies');

  // a stored SearchParameter (under its own id) is found beside the built-ins, paged and sorted with them
  await load(app, [{ resourceType: 'SearchParameter', id: 'local-sp', url: 'http://example.org/sp/genomic-region', name: 'local', status: 'draft',
    description: 'a local copy', code: 'genomic-region', base: ['Observation'], type: 'special' }]);
  t.same(await ids(app, '/fhir/SearchParameter?code=genomic-region'), ['genomic-region', 'local-sp']);
  const counted = await send(app, 'GET', '/fhir/SearchParameter?code=genomic-region&_summary=count');
  t.equal(counted.json().total, 2);
  let url: string | undefined = '/fhir/SearchParameter?base=Observation&_sort=-code&_count=7';
  const seen: string[] = [];
  while (url) {
    const page = (await send(app, 'GET', url)).json() as { entry?: Array<{ resource: { code: string } }>; link: Array<{ relation: string; url: string }> };
    for (const e of page.entry ?? []) seen.push(e.resource.code);
    url = page.link.find((l: { relation: string }) => l.relation === 'next')?.url?.replace('http://localhost', '');
  }
  t.equal(seen.length, observationParams.total + 1, 'the pages cover every match once');
  t.same(seen, [...seen].sort().reverse(), 'in _sort order across pages');

  // the IG's definitions all carry code "match" (their ids name the operations)
  t.same(await ids(app, '/fhir/OperationDefinition?url=http://hl7.org/fhir/uv/genomics-reporting/OperationDefinition/find-subject-variants'), ['find-subject-variants']);
  t.same(await ids(app, '/fhir/OperationDefinition?name=FindSubjectVariants'), ['find-subject-variants']);
  t.same(await ids(app, '/fhir/OperationDefinition?code=everything'), ['Patient-everything']);
  t.same(await ids(app, '/fhir/OperationDefinition?url=urn:fhir-genomics-server:OperationDefinition/Patient-everything'), ['Patient-everything']);
});

t.test('a parameter takes one modifier: a second one is refused, not dropped', async (t) => {
  const app = await testApp(t);
  await load(app, [
    { resourceType: 'Observation', id: 'by-id', status: 'final', code: { text: 'x' }, subject: { identifier: { system: 'urn:mrn', value: 'M1' } } },
    { resourceType: 'Observation', id: 'other', status: 'final', code: { text: 'x' }, subject: { identifier: { system: 'urn:mrn', value: 'M2' } } },
  ]);
  t.same(await ids(app, '/fhir/Observation?subject:identifier=urn:mrn|M1'), ['by-id']);
  // `subject:identifier:not=…` read as `subject:identifier=…` answered the opposite of the question
  for (const url of ['/fhir/Observation?subject:identifier:not=urn:mrn|M1', '/fhir/Observation?subject:identifier:missing=true', '/fhir/Observation?status:not:missing=true']) {
    const res = await send(app, 'GET', url);
    t.equal(res.statusCode, 400, url);
    const key = decodeURIComponent(url.slice(url.indexOf('?') + 1, url.indexOf('=')));
    t.same(res.json().issue[0].expression, [key], 'naming the parameter');
    t.match(res.json().issue[0].diagnostics, /one modifier/);
  }
  t.same(await ids(app, '/fhir/Observation?subject:Patient.identifier:missing=true'), [], 'a chain takes a modifier on its last link');
});

t.test('an empty _id value is a bad value, as an empty value of every other parameter is', async (t) => {
  const app = await testApp(t);
  await load(app, [{ resourceType: 'Patient', id: 'a' }]);
  for (const url of ['/fhir/Patient?_id=', '/fhir/Patient?_id=a,', '/fhir/Patient?_id:not=', '/fhir/Patient?name=']) {
    const res = await send(app, 'GET', url);
    t.equal(res.statusCode, 400, url);
    t.same(res.json().issue[0].expression, [url.slice(url.indexOf('?') + 1, url.indexOf('='))], `${url}: naming the parameter`);
  }
});

t.test('a chain goes through canonical references (questionnaire.…, by url and url|version)', async (t) => {
  const app = await testApp(t);
  const Q = 'http://example.org/Questionnaire/intake';
  await load(app, [
    { resourceType: 'Questionnaire', id: 'v1', status: 'active', url: Q, version: '1', title: 'Intake' },
    { resourceType: 'Questionnaire', id: 'v2', status: 'retired', url: Q, version: '2', title: 'Intake' },
    { resourceType: 'Questionnaire', id: 'plain', status: 'active', url: 'http://example.org/Questionnaire/plain', title: 'Plain' },
    { resourceType: 'QuestionnaireResponse', id: 'to-v1', status: 'completed', questionnaire: `${Q}|1` },
    { resourceType: 'QuestionnaireResponse', id: 'to-v2', status: 'completed', questionnaire: `${Q}|2` },
    { resourceType: 'QuestionnaireResponse', id: 'to-any', status: 'completed', questionnaire: Q },
    { resourceType: 'QuestionnaireResponse', id: 'to-plain', status: 'completed', questionnaire: 'http://example.org/Questionnaire/plain' },
    { resourceType: 'QuestionnaireResponse', id: 'to-id', status: 'completed', questionnaire: 'Questionnaire/v1' },
  ]);
  t.same(await ids(app, '/fhir/QuestionnaireResponse?questionnaire.title=Plain'), ['to-plain']);
  // version 1 is active: the responses to version 1, and to the canonical without a version
  t.same(await ids(app, '/fhir/QuestionnaireResponse?questionnaire.status=active'), ['to-any', 'to-id', 'to-plain', 'to-v1']);
  t.same(await ids(app, '/fhir/QuestionnaireResponse?questionnaire.status=retired'), ['to-any', 'to-v2']);
  t.same(await ids(app, '/fhir/QuestionnaireResponse?questionnaire.title=Intake'), ['to-any', 'to-id', 'to-v1', 'to-v2']);
});

t.test('_has goes back through canonical references (Questionnaire?_has:QuestionnaireResponse:questionnaire:…)', async (t) => {
  const app = await testApp(t);
  const Q = 'http://example.org/Questionnaire/intake';
  await load(app, [
    { resourceType: 'Questionnaire', id: 'v1', status: 'active', url: Q, version: '1' },
    { resourceType: 'Questionnaire', id: 'v2', status: 'active', url: Q, version: '2' },
    { resourceType: 'Questionnaire', id: 'plain', status: 'active', url: 'http://example.org/Questionnaire/plain' },
    { resourceType: 'Questionnaire', id: 'by-id', status: 'active', url: 'http://example.org/Questionnaire/by-id' },
    { resourceType: 'QuestionnaireResponse', id: 'to-v1', status: 'completed', questionnaire: `${Q}|1` },
    { resourceType: 'QuestionnaireResponse', id: 'to-plain', status: 'in-progress', questionnaire: 'http://example.org/Questionnaire/plain' },
    { resourceType: 'QuestionnaireResponse', id: 'to-id', status: 'in-progress', questionnaire: 'Questionnaire/by-id' },
  ]);
  t.same(await ids(app, '/fhir/Questionnaire?_has:QuestionnaireResponse:questionnaire:status=completed'), ['v1'], 'url|version names one version');
  t.same(await ids(app, '/fhir/Questionnaire?_has:QuestionnaireResponse:questionnaire:status=in-progress'), ['by-id', 'plain']);
  await load(app, [{ resourceType: 'QuestionnaireResponse', id: 'to-any', status: 'stopped', questionnaire: Q }]);
  t.same(await ids(app, '/fhir/Questionnaire?_has:QuestionnaireResponse:questionnaire:status=stopped'), ['v1', 'v2'], 'a bare url names every version');
});

t.test('an unknown parameter at the end of a chain or _has is an unknown parameter: a warning, or 400 under strict handling', async (t) => {
  const app = await testApp(t);
  await load(app, [
    { resourceType: 'Patient', id: 'a', name: [{ family: 'A' }] },
    { resourceType: 'Observation', id: 'o', status: 'final', code: { text: 'x' }, subject: { reference: 'Patient/a' } },
  ]);
  for (const url of ['/fhir/Observation?subject.bogus=1', '/fhir/Observation?subject:Patient.organization.bogus=1', '/fhir/Patient?_has:Observation:subject:bogus=1', '/fhir/Patient?_has:Observation:subject:subject.bogus=1']) {
    const key = url.slice(url.indexOf('?') + 1, url.lastIndexOf('='));
    const lax = await send(app, 'GET', url);
    t.equal(lax.statusCode, 200, `${url}: ignored, as an unknown parameter is`);
    const outcome = lax.json().entry?.find((e: { search: { mode: string } }) => e.search.mode === 'outcome');
    t.same(outcome?.resource.issue[0].expression, [key], `${url}: with a warning naming it`);
    t.same(lax.json().link[0].url.includes('bogus'), false, 'the self link leaves it out');
    const strict = await send(app, 'GET', url, undefined, { prefer: 'handling=strict' });
    t.equal(strict.statusCode, 400, `${url}: strict handling refuses it`);
    t.same(strict.json().issue[0].expression, [key]);
  }
  t.equal((await send(app, 'GET', '/fhir/Observation?subject.name=A')).json().entry.length, 1, 'a known chain still works');
  t.equal((await send(app, 'GET', '/fhir/Observation?subject.birthdate=x')).statusCode, 400, 'a bad value at the end of a chain is still a bad value');
});

t.test('built-ins have no lastUpdated: _sort=_lastUpdated pages them first, -_lastUpdated last, both ways (sort-order.ts: missing first)', async (t) => {
  const app = await testApp(t);
  await load(app, [{ resourceType: 'SearchParameter', id: 'local-sp', url: 'http://example.org/sp/genomic-region', name: 'local', status: 'draft',
    description: 'a local copy', code: 'genomic-region', base: ['Observation'], type: 'special' }]);
  for (const [sort, order] of [['_lastUpdated', ['genomic-region', 'local-sp']], ['-_lastUpdated', ['local-sp', 'genomic-region']]] as const) {
    const walk = async (first: string, rel: 'next' | 'previous'): Promise<string[][]> => {
      const pages: string[][] = [];
      let url: string | undefined = first;
      while (url && pages.length < 5) {
        const res = await send(app, 'GET', url);
        t.equal(res.statusCode, 200, `${sort}: ${rel} page ${pages.length} answers (${res.body.slice(0, 160)})`);
        if (res.statusCode !== 200) break;
        const b = res.json() as { entry?: Array<{ resource: { id: string } }>; link: Array<{ relation: string; url: string }> };
        pages.push((b.entry ?? []).map((e) => e.resource.id));
        url = b.link.find((l) => l.relation === rel)?.url?.replace('http://localhost', '');
      }
      return pages;
    };
    const forward = await walk(`/fhir/SearchParameter?code=genomic-region&_sort=${sort}&_count=1`, 'next');
    t.same(forward, order.map((id) => [id]), `${sort}: one page each, in order`);
    // back from the last page: its previous link
    const last = await send(app, 'GET', `/fhir/SearchParameter?code=genomic-region&_sort=${sort}&_count=1`);
    const nextUrl = (last.json().link as Array<{ relation: string; url: string }>).find((l) => l.relation === 'next')?.url?.replace('http://localhost', '');
    if (!nextUrl) continue;
    const back = await walk(nextUrl, 'previous');
    t.same(back, [...order].reverse().map((id) => [id]), `${sort}: previous pages back to the first`);
  }
});

t.test('only canonical resources are referenced by url: Device.url is a network address, not a canonical', async (t) => {
  const app = await testApp(t);
  const address = 'http://devices.example.org/pump-7';
  await load(app, [
    { resourceType: 'Device', id: 'pump', url: address },
    { resourceType: 'Observation', id: 'o1', status: 'final', code: { text: 'x' }, device: { reference: address } },
  ]);
  // the Observation's device reference is a literal URL that is not this Device (search.html#reference)
  t.same(await ids(app, '/fhir/Device?_has:Observation:device:status=final'), [], '_has does not read a reference equal to Device.url as one to it');
  t.same(await ids(app, `/fhir/Observation?device.url=${encodeURIComponent(address)}`), [], 'nor does a chain through device');
  // and a canonical resource still is (the url-and-version rule)
  await load(app, [
    { resourceType: 'Questionnaire', id: 'q', url: 'http://example.org/Questionnaire/q', status: 'active' },
    { resourceType: 'QuestionnaireResponse', id: 'r', status: 'completed', questionnaire: 'http://example.org/Questionnaire/q' },
  ]);
  t.same(await ids(app, '/fhir/Questionnaire?_has:QuestionnaireResponse:questionnaire:status=completed'), ['q']);
  t.same(await ids(app, `/fhir/QuestionnaireResponse?questionnaire.url=${encodeURIComponent('http://example.org/Questionnaire/q')}`), ['r']);
});
