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
