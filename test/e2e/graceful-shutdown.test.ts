import t from 'tap';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer } from './server-process.js';

/**
 * SIGTERM while requests are in flight: the server stops accepting, finishes them (each answered
 * 2xx), flushes the store and exits 0; after a restart on the same data every answered write is there.
 */
t.test('SIGTERM lets in-flight requests complete, exits 0, and keeps their writes', async (t) => {
  const dataDir = mkdtempSync(join(tmpdir(), 'fgs-term-'));
  t.teardown(() => rmSync(dataDir, { recursive: true, force: true }));
  const server = await startServer({ DATA_DIR: dataDir, LOG_LEVEL: 'info' });
  const headers = { 'content-type': 'application/fhir+json' };
  // A big transaction keeps the server busy while the signal arrives; small creates ride along.
  const big = {
    resourceType: 'Bundle', type: 'transaction',
    entry: Array.from({ length: 3000 }, (_, i) => ({
      resource: { resourceType: 'Observation', status: 'final', code: { text: `obs ${i}` }, valueString: 'x'.repeat(200) },
      request: { method: 'POST', url: 'Observation' },
    })),
  };
  const N = 8;
  const inFlight = [
    fetch(`${server.baseUrl}`, { method: 'POST', headers, body: JSON.stringify(big) }),
    ...Array.from({ length: N }, (_, i) => fetch(`${server.baseUrl}/Patient/t${i}`, { method: 'PUT', headers, body: JSON.stringify({ resourceType: 'Patient', id: `t${i}` }) })),
  ];
  // Signal only once the server has received every request (Fastify logs "incoming request").
  const deadline = Date.now() + 30_000;
  while ((server.stdout().match(/incoming request/g) ?? []).length < N + 1 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
  server.proc.kill('SIGTERM');
  const responses = await Promise.all(inFlight);
  t.same(responses.map((r) => r.status), [200, ...Array(N).fill(201)], 'every in-flight request was answered');
  const bundle = (await responses[0].json()) as { entry: Array<{ response: { location: string } }> };
  t.equal(await server.exited, 0, 'exit code 0');
  t.match(server.stdout(), /shutting down/);

  const again = await startServer({ DATA_DIR: dataDir });
  t.teardown(() => again.stop());
  for (let i = 0; i < N; i++) t.equal((await fetch(`${again.baseUrl}/Patient/t${i}`)).status, 200, `Patient/t${i} survived`);
  const last = bundle.entry[bundle.entry.length - 1].response.location.split('/fhir')[1];
  t.equal((await fetch(`${again.baseUrl}${last}`)).status, 200, 'the transaction survived');
});
