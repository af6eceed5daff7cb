import t from 'tap';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildApp } from '../../src/http/app.js';
import { testConfig } from '../../src/config.js';

t.test('Swagger UI and the OpenAPI document are served', async (t) => {
  const app = await buildApp(testConfig({ dataDir: mkdtempSync(join(tmpdir(), 'fgs-docs-')) }));
  t.teardown(() => app.close());
  const ui = await app.inject({ method: 'GET', url: '/docs/' });
  t.equal(ui.statusCode, 200);
  t.match(ui.body, /swagger-ui/i);
  const doc = await app.inject({ method: 'GET', url: '/docs/json' });
  t.equal(doc.statusCode, 200);
  const api = doc.json();
  t.equal(api.openapi, '3.1.0');
  t.ok(api.paths['/health/ready'], 'routes registered after the docs plugin are documented');
});

t.test('health endpoints answer and unknown routes get an OperationOutcome', async (t) => {
  const app = await buildApp(testConfig({ dataDir: mkdtempSync(join(tmpdir(), 'fgs-health-')) }));
  t.teardown(() => app.close());
  t.equal((await app.inject('/health/live')).statusCode, 200);
  const ready = await app.inject('/health/ready');
  t.same(ready.json(), { status: 'ready', store: 'embedded' });
  const nf = await app.inject('/nope');
  t.equal(nf.statusCode, 404);
  t.equal(nf.json().resourceType, 'OperationOutcome');
  t.match(nf.headers['content-type'], /application\/fhir\+json/);
});
