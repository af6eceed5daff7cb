import t from 'tap';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startServer } from './server-process.js';

/**
 * `npm start` runs dist/src/server.js, which scripts/build.mjs writes as one bundle (the rest of
 * the suite runs src/ under tsx). What a bundle can break is what finds files or modules at run
 * time: data files located through import.meta.url, the prepare workers' file, the dependencies
 * kept outside the bundle (pino, Swagger UI's static assets, @fastify/swagger), CommonJS
 * dependencies calling require(). This builds as `npm start` does and goes through each of them.
 */
const repo = fileURLToPath(new URL('../../', import.meta.url));
const fixtures = join(repo, '..', 'shared', 'fixtures', 'vcf');

t.test('the compiled bundle npm start runs serves validation, search, VCF import, docs and tokens', async (t) => {
  execFileSync(process.execPath, ['scripts/build.mjs', '--quiet'], { cwd: repo, stdio: 'inherit' });
  const bundle = readFileSync(join(repo, 'dist/src/server.js'), 'utf8');
  t.notMatch(bundle, /from "\.\/search\/registry\.js"/, 'server.js is a bundle, not the per-module entry');

  const dataDir = mkdtempSync(join(tmpdir(), 'fgs-compiled-'));
  t.teardown(() => rmSync(dataDir, { recursive: true, force: true }));
  const server = await startServer({ DATA_DIR: dataDir, FHIR_AUTH: 'on', FHIR_FSYNC: 'off' }, 60_000, ['--enable-source-maps', 'dist/src/server.js']);
  t.teardown(() => server.stop());

  // The development token (jose, bundled) is written once the server listens.
  const tokenFile = join(dataDir, '.dev-token');
  for (const end = Date.now() + 30_000; !existsSync(tokenFile) && Date.now() < end; ) await new Promise((r) => setTimeout(r, 50));
  const token = readFileSync(tokenFile, 'utf8').trim();
  const auth = { authorization: `Bearer ${token}` };
  const json = { ...auth, 'content-type': 'application/fhir+json' };

  const anonymous = await fetch(`${server.baseUrl}/Observation`);
  t.equal(anonymous.status, 401, 'tokens are required');

  const meta = await fetch(`${server.baseUrl}/metadata`, { headers: auth });
  t.equal(meta.status, 200);
  const cs = (await meta.json()) as { rest: Array<{ resource: Array<{ type: string; searchParam?: Array<{ name: string }> }> }> };
  const obs = cs.rest[0].resource.find((r) => r.type === 'Observation');
  t.ok(obs?.searchParam?.some((p) => p.name === 'genomic-region'), 'the search definitions (a data file) were found');

  const variant = readFileSync(join(repo, 'schemas/genomics/examples/Observation-VariantExample.json'), 'utf8');
  const created = await fetch(`${server.baseUrl}/Observation`, { method: 'POST', headers: json, body: variant });
  t.equal(created.status, 201, 'an IG Variant example passes the profile checks (the IG package, a data directory)');
  const id = ((await created.json()) as { id: string }).id;

  const bad = JSON.parse(variant) as Record<string, unknown>;
  bad.status = 'not-a-status';
  const refused = await fetch(`${server.baseUrl}/Observation`, { method: 'POST', headers: json, body: JSON.stringify(bad) });
  t.equal(refused.status, 400, 'an invalid resource is refused (ajv, bundled, reports why)');
  const outcome = (await refused.json()) as { resourceType: string; issue: Array<{ expression?: string[] }> };
  t.equal(outcome.resourceType, 'OperationOutcome');
  t.ok(outcome.issue.some((i) => i.expression?.some((e) => e.includes('status'))), 'the issue names Observation.status');

  const found = await fetch(`${server.baseUrl}/Observation?_id=${id}&_summary=count`, { headers: auth });
  t.equal(((await found.json()) as { total: number }).total, 1, 'search finds it');

  // Thousands of calls: the batches go to the prepare workers, which load the per-module tree.
  const vcf = readFileSync(join(fixtures, 'HG00404_b37.vcf'));
  const imported = await fetch(`${server.baseUrl}/$import-vcf?patient=p-compiled`, { method: 'POST', headers: { ...auth, 'content-type': 'text/x-vcf' }, body: vcf });
  const out = (await imported.json()) as { parameter?: Array<{ name: string; valueInteger?: number }> };
  t.equal(imported.status, 200, JSON.stringify(out).slice(0, 300));
  const variants = out.parameter?.find((p) => p.name === 'variants')?.valueInteger ?? 0;
  t.ok(variants > 1000, `the import mapped and stored its variants on the workers (${variants})`);
  const region = await fetch(`${server.baseUrl}/Observation?subject=Patient/p-compiled&_summary=count`, { headers: auth });
  t.equal(((await region.json()) as { total: number }).total >= variants, true, 'the imported variants are searchable');

  const docs = await fetch(`${server.origin}/docs/`);
  t.equal(docs.status, 200);
  t.match(await docs.text(), /swagger/i, 'Swagger UI (kept outside the bundle) serves its page');
  const css = await fetch(`${server.origin}/docs/static/swagger-ui.css`);
  t.equal(css.status, 200, 'and its static assets');
  const openapi = await fetch(`${server.origin}/docs/json`);
  t.equal(openapi.status, 200);
  t.equal(((await openapi.json()) as { openapi: string }).openapi.startsWith('3.'), true, 'the OpenAPI document is served');

  t.equal(await server.stop(), 0, 'SIGTERM: a clean exit');
});
