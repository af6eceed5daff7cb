import t from 'tap';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { send, testApp, withoutMeta } from './helpers.js';

/**
 * The official FHIR R4 examples of MolecularSequence, genetics Observations and the genetics
 * DiagnosticReport (kept by the validation tests under test/validation/fixtures) are accepted by
 * PUT and by POST, and read back equal apart from `meta` (and the id on POST).
 */
const dir = fileURLToPath(new URL('../validation/fixtures/', import.meta.url));
const examples = readdirSync(dir).filter((f) => /^(molecularsequence|observation|diagnosticreport)-.*\.json$/.test(f))
  .map((f) => ({ file: f, resource: JSON.parse(readFileSync(dir + f, 'utf8')) as { resourceType: string; id: string } }));

t.test('official R4 genetics examples round-trip', async (t) => {
  t.ok(examples.length >= 3, `${examples.length} examples`);
  const app = await testApp(t);
  for (const { file, resource } of examples) {
    const put = await send(app, 'PUT', `/fhir/${resource.resourceType}/${resource.id}`, resource);
    t.equal(put.statusCode, 201, `${file}: ${put.statusCode === 201 ? 'PUT' : put.body.slice(0, 400)}`);
    t.same(withoutMeta((await send(app, 'GET', `/fhir/${resource.resourceType}/${resource.id}`)).json()), withoutMeta(resource), `${file} reads back equal`);
    const post = await send(app, 'POST', `/fhir/${resource.resourceType}`, resource);
    t.equal(post.statusCode, 201, `${file}: POST`);
    const { id: _a, ...posted } = withoutMeta(post.json());
    const { id: _b, ...original } = withoutMeta(resource as Record<string, unknown>);
    t.same(posted, original, `${file} POSTed reads back equal apart from id`);
  }
});
