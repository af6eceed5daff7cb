import t from 'tap';
import { docsApp, openApi } from './helpers.js';

/**
 * Found by black-box testing of the OpenAPI document: the conditional update, patch and delete
 * (`PUT/PATCH/DELETE /fhir/{type}?criteria`) offered no query parameter, so Swagger UI could
 * only send them without criteria, which the server refuses (400), and the PATCH example body
 * was never accepted there; and the Observation and DiagnosticReport PATCH example (test status
 * final, then replace it with amended) worked once only: a second "Try it out" answered 422,
 * and the first had amended demo data that the search examples (`status=final`) look for.
 */
t.test('conditional writes offer the criteria; the PATCH examples work again and again', async (t) => {
  const app = await docsApp({ seed: true });
  t.teardown(() => app.close());
  const doc = await openApi(app);
  for (const m of ['put', 'patch', 'delete'] as const) {
    const names = (doc.paths['/fhir/Observation'][m]?.parameters ?? []).filter((p) => p.in === 'query').map((p) => p.name);
    for (const n of ['_id', 'identifier', 'subject', 'code']) t.ok(names.includes(n), `${m.toUpperCase()} /fhir/Observation offers the criterion ${n}`);
    t.notOk(names.includes('_count') || names.includes('_sort'), `${m}: no result parameters (they select nothing)`);
    const exampled = (doc.paths['/fhir/Observation'][m]?.parameters ?? []).filter((p) => p.in === 'query' && p.example !== undefined);
    t.same(exampled.map((p) => p.name), [], `${m}: no criteria pre-filled (Try it out would change demo data unasked)`);
  }
  for (const type of ['Observation', 'DiagnosticReport', 'Patient', 'MolecularSequence']) {
    const op = doc.paths[`/fhir/${type}/{id}`].patch!;
    const id = String(op.parameters!.find((p) => p.in === 'path' && p.name === 'id')!.example);
    const body = JSON.stringify(op.requestBody!.content['application/json-patch+json'].example);
    const before = (await app.inject(`/fhir/${type}/${id}`)).json();
    for (const round of [1, 2]) {
      const res = await app.inject({ method: 'PATCH', url: `/fhir/${type}/${id}`, headers: { 'content-type': 'application/json-patch+json' }, payload: body });
      t.equal(res.statusCode, 200, `PATCH /fhir/${type}/${id} example, try ${round}: ${res.statusCode} ${res.body.slice(0, 160)}`);
    }
    const after = (await app.inject(`/fhir/${type}/${id}`)).json();
    t.equal(after.status, before.status, `${type}: the example leaves the status the search examples look for`);
    const conditional = await app.inject({ method: 'PATCH', url: `/fhir/${type}?_id=${id}`, headers: { 'content-type': 'application/json-patch+json' }, payload: body });
    t.equal(conditional.statusCode, 200, `PATCH /fhir/${type}?_id=${id}: the type-level example body is accepted with criteria`);
  }
});
