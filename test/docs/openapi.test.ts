import t from 'tap';
import { Validator } from '@seriousme/openapi-schema-validator';
import { docsApp, openApi, type OpenApiDoc } from './helpers.js';
import type { FastifyInstance } from 'fastify';
import { genomicsOperationDefinitions } from '../../src/genomics/operations/definitions.js';

// Two apps for the whole file (auth off, auth on), each document fetched once: building an app
// and its 9 MB document costs seconds, and the tests only read them.
const apps = new Map<string, Promise<FastifyInstance>>();
const docs = new Map<FastifyInstance, Promise<OpenApiDoc>>();
const shared = (auth: boolean): Promise<FastifyInstance> => {
  const key = String(auth);
  if (!apps.has(key)) apps.set(key, docsApp(auth ? { config: { auth: true } } : {}));
  return apps.get(key)!;
};
const documentOf = (app: FastifyInstance): Promise<OpenApiDoc> => {
  if (!docs.has(app)) docs.set(app, openApi(app));
  return docs.get(app)!;
};
t.teardown(async () => {
  for (const app of apps.values()) await (await app).close();
});

t.test('the OpenAPI document is valid OpenAPI 3.1 and describes the whole FHIR API', async (t) => {
  const app = await shared(false);
  const doc = await documentOf(app);
  t.equal(doc.openapi, '3.1.0');

  const result = await new Validator().validate(doc as unknown as Parameters<Validator["validate"]>[0]);
  t.ok(result.valid, `OpenAPI validator: ${JSON.stringify(result.errors)?.slice(0, 2000)}`);

  t.same(doc.tags.slice(0, 3).map((x) => x.name), ['MolecularSequence', 'Observation', 'DiagnosticReport'], 'genomics types come first');

  const cap = (await app.inject('/fhir/metadata')).json();
  const types: string[] = cap.rest[0].resource.map((r: { type: string }) => r.type);
  t.ok(types.length >= 145, 'every R4 resource type is supported');
  for (const type of types) {
    const search = doc.paths[`/fhir/${type}`]?.get;
    const read = doc.paths[`/fhir/${type}/{id}`]?.get;
    if (!search || !read || !doc.paths[`/fhir/${type}/{id}/_history/{vid}`]?.get || !doc.paths[`/fhir/${type}`]?.post) {
      t.fail(`interactions missing for ${type}`);
      continue;
    }
    const declared = cap.rest[0].resource.find((r: { type: string }) => r.type === type).searchParam.map((p: { name: string }) => p.name);
    const documented = new Set(search.parameters?.map((p) => p.name));
    const missing = declared.filter((n: string) => !documented.has(n));
    if (missing.length) t.fail(`${type}: search parameters not documented: ${missing.join(', ')}`);
  }
  t.pass('every type has read, vread, create and search with its CapabilityStatement parameters');

  // Bodies by reference to one copy of the R4 schema.
  t.ok(doc.components.schemas.Observation, 'R4 definitions are components');
  const create = doc.paths['/fhir/Observation'].post;
  t.same(create.requestBody?.content['application/fhir+json'].schema, { $ref: '#/components/schemas/Observation' });
  t.ok(doc.components.securitySchemes?.bearerAuth, 'bearer security scheme');

  // Every genomics operation with the input parameters of its OperationDefinition.
  const defs = genomicsOperationDefinitions();
  t.equal(defs.size, 17, 'the IG defines 17 operations');
  for (const [name, def] of defs) {
    const item = doc.paths[`/fhir/$${name}`];
    if (!item?.post) {
      t.fail(`$${name} is not documented`);
      continue;
    }
    const inputs = (def.parameter ?? []).filter((p) => p.use === 'in').map((p) => p.name);
    const documented = new Set((item.get?.parameters ?? []).map((p) => p.name));
    const missing = inputs.filter((n) => !documented.has(n!) && !['Period', 'Range'].includes(String(def.parameter?.find((p) => p.name === n)?.type)));
    t.same(missing, [], `$${name} documents its inputs`);
    t.equal(item.get?.tags?.[0], 'Genomics operations');
  }
  t.ok(doc.paths['/fhir/Observation/$validate']?.post, '$validate is documented');
  t.ok(doc.paths['/fhir/Patient/{id}/$everything'] || doc.paths['/fhir/Patient/$everything'], '$everything is documented');
  t.ok(doc.paths['/fhir/$import-vcf']?.post, 'VCF import is documented');
  t.ok(doc.paths['/fhir']?.post, 'batch/transaction endpoint');
  t.ok(doc.paths['/fhir/_history']?.get, 'system history');
});

t.test('the SMART discovery and token endpoints are documented when auth is on', async (t) => {
  const app = await shared(true);
  const doc = await documentOf(app);
  t.ok(doc.paths['/.well-known/smart-configuration']?.get, 'SMART configuration');
  t.ok(doc.paths['/.well-known/jwks.json']?.get, 'JWKS');
  t.ok(doc.paths['/auth/token']?.post, 'token endpoint');
  t.ok(doc.paths['/health/ready']?.get, 'health');
});

t.test('the document is also served as YAML', async (t) => {
  const app = await shared(false);
  const res = await app.inject('/docs/yaml');
  t.equal(res.statusCode, 200);
  t.match(res.body, /openapi: 3\.1\.0/);
});

/** Every `$ref` in the document that does not resolve inside it (JSON Pointer, RFC 6901). */
function danglingRefs(doc: unknown): string[] {
  const refs = new Set<string>();
  const walk = (n: unknown): void => {
    if (Array.isArray(n)) n.forEach(walk);
    else if (n && typeof n === 'object') for (const [k, v] of Object.entries(n)) k === '$ref' && typeof v === 'string' ? refs.add(v) : walk(v);
  };
  walk(doc);
  return [...refs].filter((r) => {
    if (!r.startsWith('#/')) return true;
    let node: unknown = doc;
    for (const part of r.slice(2).split('/').map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))) {
      node = node && typeof node === 'object' ? (node as Record<string, unknown>)[part] : undefined;
    }
    return node === undefined;
  });
}

t.test('both documents reference only schemas they hold, and every operation has a unique operationId', async (t) => {
  const app = await shared(true);
  const views: Record<string, OpenApiDoc> = { '/docs/json': await documentOf(app), '/docs/genomics.json': (await app.inject('/docs/genomics.json')).json() as OpenApiDoc };
  for (const [url, doc] of Object.entries(views)) {
    t.same(danglingRefs(doc), [], `${url}: every $ref resolves`);
    const ids = new Map<string, string[]>();
    const missing: string[] = [];
    for (const [p, item] of Object.entries(doc.paths)) {
      for (const [m, op] of Object.entries(item)) {
        const id = (op as { operationId?: string }).operationId;
        if (!id) missing.push(`${m} ${p}`);
        else ids.set(id, [...(ids.get(id) ?? []), `${m} ${p}`]);
      }
    }
    t.same(missing, [], `${url}: every operation has an operationId`);
    t.same([...ids].filter(([, v]) => v.length > 1), [], `${url}: operationIds are unique`);
    t.equal((doc.paths['/fhir/metadata'].get as { operationId?: string }).operationId, 'capabilities');
    t.equal((doc.paths['/fhir'].post as { operationId?: string }).operationId, 'batch_or_transaction');
    t.ok(doc.paths['/auth/token']?.post && doc.paths['/health/live']?.get && doc.paths['/fhir/_history']?.get, `${url}: token, health and history routes are there`);
  }
});

t.test('the public endpoints declare security: [] and the FHIR API keeps the bearer requirement', async (t) => {
  const app = await shared(true);
  const doc = (await documentOf(app)) as OpenApiDoc & { security?: unknown };
  t.same(doc.security, [{ bearerAuth: [] }], 'bearer token required globally');
  const ops = (p: string) => doc.paths[p] as Record<string, { security?: unknown }> | undefined;
  for (const [path, method] of [['/fhir/metadata', 'get'], ['/fhir/.well-known/smart-configuration', 'get'], ['/.well-known/smart-configuration', 'get'],
    ['/.well-known/jwks.json', 'get'], ['/health/live', 'get'], ['/health/ready', 'get'], ['/auth/token', 'post']]) {
    t.same(ops(path)?.[method]?.security, [], `${method.toUpperCase()} ${path} is public`);
    // and it is: no token needed
    const res = await app.inject({ method: method.toUpperCase() as 'GET', url: path });
    t.not(res.statusCode, 401, `${path} answers without a token`);
  }
  t.equal(ops('/fhir/Observation')?.get?.security, undefined, 'search keeps the global requirement');
  t.equal((await app.inject('/fhir/Observation')).statusCode, 401);
});
