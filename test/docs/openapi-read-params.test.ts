import t from 'tap';
import { docsApp, openApi, type OpenApiOperation } from './helpers.js';

/**
 * read and vread take `_summary` and `_elements` (read.ts applies them; the README's own example
 * reads `Observation/demo-var-egfr-l858r?_summary=true`): the OpenAPI document offered them on
 * searches only, so a generated client had no way to ask a read for a subset.
 */
const query = (op: OpenApiOperation | undefined) => (op?.parameters ?? []).filter((p) => p.in === 'query').map((p) => p.name).sort();

t.test('read and vread document _summary and _elements, and the server applies them', async (t) => {
  const app = await docsApp({ seed: true });
  t.teardown(() => app.close());
  const doc = await openApi(app);
  for (const path of ['/fhir/Observation/{id}', '/fhir/Observation/{id}/_history/{vid}', '/fhir/Patient/{id}']) {
    t.same(query(doc.paths[path].get), ['_elements', '_format', '_pretty', '_summary'], path);
  }
  const sub = (await app.inject({ url: '/fhir/Observation/demo-var-egfr-l858r/_history/1?_elements=status' })).json();
  t.same(Object.keys(sub).sort(), ['code', 'id', 'meta', 'resourceType', 'status'], 'vread applies _elements');
});
