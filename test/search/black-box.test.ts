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
