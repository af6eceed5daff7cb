import t from 'tap';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';
import { send, testApp, withoutMeta } from './helpers.js';

/**
 * Every example of the HL7 Genomics Reporting IG 3.0.0 (vendored under schemas/genomics/examples
 * from the npm package hl7.fhir.uv.genomics-reporting@3.0.0): transaction Bundles are POSTed to
 * /fhir, every other example is PUT by id, and all of it reads back equal apart from `meta`
 * (and, for transaction entries, the server-assigned ids their references were rewritten to).
 */
const repo = fileURLToPath(new URL('../../', import.meta.url));
const dir = process.env.IG_EXAMPLES_DIR ?? join(repo, 'schemas/genomics/examples');
const skip = existsSync(dir) ? false : `IG examples not vendored yet (${dir} missing)`;

type R = Record<string, unknown> & { resourceType: string; id?: string };
const load = (): R[] => (existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.json')).sort().map((f) => JSON.parse(readFileSync(join(dir, f), 'utf8')) as R) : []);

/** Independent of the server's code: replace every `reference` found in `map`. */
function mapReferences(node: unknown, map: Map<string, string>): unknown {
  if (Array.isArray(node)) return node.map((n) => mapReferences(n, map));
  if (node && typeof node === 'object') {
    return Object.fromEntries(Object.entries(node).map(([k, v]) => [k, k === 'reference' && typeof v === 'string' && map.has(v) ? map.get(v) : mapReferences(v, map)]));
  }
  return node;
}

async function historyTotal(app: FastifyInstance): Promise<number> {
  return (await send(app, 'GET', '/fhir/_history?_count=1')).json().total;
}

t.test('IG transaction Bundles are accepted and read back equal apart from meta and assigned ids', { skip }, async (t) => {
  const app = await testApp(t);
  const bundles = load().filter((r) => r.resourceType === 'Bundle' && r.type === 'transaction');
  t.ok(bundles.length >= 5, `${bundles.length} transaction bundles`);
  for (const bundle of bundles) {
    const entries = bundle.entry as Array<{ fullUrl?: string; resource: R }>;
    const res = await send(app, 'POST', '/fhir', bundle);
    t.equal(res.statusCode, 200, `${bundle.id}: ${res.statusCode === 200 ? 'ok' : res.body.slice(0, 600)}`);
    if (res.statusCode !== 200) continue;
    const out = res.json().entry as Array<{ response: { status: string; location: string } }>;
    const map = new Map<string, string>();
    entries.forEach((e, i) => {
      const assigned = out[i].response.location.split('/fhir/')[1].replace(/\/_history\/\d+$/, '');
      if (e.fullUrl) {
        map.set(e.fullUrl, assigned);
        const rel = /\/([A-Z][A-Za-z]+\/[^/]+)$/.exec(e.fullUrl);
        if (rel && !e.fullUrl.startsWith('urn:')) map.set(rel[1], assigned);
      }
    });
    let same = 0;
    for (const [i, e] of entries.entries()) {
      const url = out[i].response.location.split('/fhir')[1].replace(/\/_history\/\d+$/, '');
      const back = (await send(app, 'GET', `/fhir${url}`)).json() as R;
      const { id: _id, ...expected } = withoutMeta(mapReferences(e.resource, map) as R);
      const { id: _id2, ...actual } = withoutMeta(back);
      if (JSON.stringify(actual) === JSON.stringify(expected)) same++;
      else t.same(actual, expected, `${bundle.id} entry ${i} reads back equal`);
    }
    t.equal(same, entries.length, `${bundle.id}: all ${entries.length} entries read back equal`);
  }
});

t.test('every other IG example is accepted by PUT and reads back equal apart from meta', { skip }, async (t) => {
  const app = await testApp(t);
  const examples = load().filter((r) => !(r.resourceType === 'Bundle' && r.type === 'transaction'));
  t.ok(examples.length > 100, `${examples.length} examples`);
  const failures: string[] = [];
  for (const ex of examples) {
    const res = await send(app, 'PUT', `/fhir/${ex.resourceType}/${ex.id}`, ex);
    if (res.statusCode !== 201 && res.statusCode !== 200) {
      failures.push(`${ex.resourceType}/${ex.id}: ${res.statusCode} ${res.body.slice(0, 300)}`);
      continue;
    }
    const back = (await send(app, 'GET', `/fhir/${ex.resourceType}/${ex.id}`)).json() as R;
    t.same(withoutMeta(back), withoutMeta(ex), `${ex.resourceType}/${ex.id} reads back equal`);
    const profiles = (ex.meta as { profile?: string[] } | undefined)?.profile;
    if (profiles) t.same((back.meta as { profile?: string[] }).profile, profiles, 'meta.profile is kept');
  }
  t.same(failures, [], 'every example accepted');
});

t.test('invalid variants of IG examples are refused precisely and the store is unchanged', { skip }, async (t) => {
  const app = await testApp(t);
  const all = load();
  const variant = all.find((r) => r.resourceType === 'Observation' && JSON.stringify(r.meta ?? {}).includes('/variant'))!;
  t.ok(variant, 'a Variant Observation example');
  t.equal((await send(app, 'PUT', `/fhir/Observation/${variant.id}`, variant)).statusCode, 201);
  const before = await historyTotal(app);
  const url = `/fhir/Observation/${variant.id}`;
  const cases: Array<[string, R, number]> = [
    ['bad code in a required binding', { ...variant, status: 'not-a-status' }, 400],
    ['unknown element', { ...variant, colour: 'blue' }, 400],
    ['wrong type', { ...variant, issued: 42 }, 400],
    ['malformed date', { ...variant, issued: '2024-13-45' }, 400],
    ['id differs from URL', { ...variant, id: 'other' }, 400],
    ['resourceType differs from URL', { ...variant, resourceType: 'DiagnosticReport' }, 400],
  ];
  for (const [name, body, status] of cases) {
    const res = await send(app, 'PUT', url, body);
    t.equal(res.statusCode, status, name);
    const oo = res.json();
    t.equal(oo.resourceType, 'OperationOutcome', name);
    t.ok(oo.issue.every((i: { expression?: string[] }) => i.expression?.length), `${name}: every issue points at an element`);
  }
  const tx = all.find((r) => r.resourceType === 'Bundle' && r.type === 'transaction' && (r.entry as unknown[]).length > 3)!;
  const broken = structuredClone(tx) as unknown as { entry: Array<{ resource: R }> };
  broken.entry[2].resource.bogus = true;
  const res = await send(app, 'POST', '/fhir', broken);
  t.equal(res.statusCode, 400, 'a transaction with one bad entry');
  t.match(res.json().issue[0].expression[0], /^Bundle\.entry\[2\]/);
  t.equal(await historyTotal(app), before, 'nothing was stored');
  t.same(withoutMeta((await send(app, 'GET', url)).json()), withoutMeta(variant), 'the stored example is unchanged');
});
