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
