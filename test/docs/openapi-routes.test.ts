import t from 'tap';
import { docsApp, openApi } from './helpers.js';

/** Routes the server serves are in the OpenAPI document, and described as they behave. */
t.test('POST /fhir/_search, HEAD and {compartmentType} (with *) are documented and answer as documented', async (t) => {
  const app = await docsApp({ seed: true });
  t.teardown(() => app.close());
  const doc = await openApi(app);

  const post = doc.paths['/fhir/_search']?.post;
  t.ok(post, 'POST /fhir/_search is documented');
  const form = post?.requestBody?.content['application/x-www-form-urlencoded'];
  t.ok(form, 'with a form body');
  const res = await app.inject({ method: 'POST', url: '/fhir/_search', headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: new URLSearchParams(form?.example as Record<string, string>).toString() });
  t.equal(res.statusCode, 200, res.body.slice(0, 200));
  t.ok(res.json().entry?.some((e: { resource: { id: string } }) => e.resource.id === 'demo-var-egfr-l858r'), 'its example finds the demo variant');

  for (const [path, url] of [['/fhir/metadata', '/fhir/metadata'], ['/fhir/Observation/{id}', '/fhir/Observation/demo-var-egfr-l858r'], ['/fhir/Observation/{id}/_history/{vid}', '/fhir/Observation/demo-var-egfr-l858r/_history/1']]) {
    const head = (doc.paths[path] as Record<string, { operationId?: string; requestBody?: unknown } | undefined>).head;
    t.ok(head?.operationId, `HEAD ${path} is documented`);
    const r = await app.inject({ method: 'HEAD', url });
    t.equal(r.statusCode, 200, `HEAD ${url}`);
    t.equal(r.body, '', 'headers only');
  }
  t.ok((await app.inject({ method: 'HEAD', url: '/fhir/Observation/demo-var-egfr-l858r' })).headers.etag, 'HEAD read carries the ETag');

  const compartment = doc.paths['/fhir/Patient/{id}/{compartmentType}']?.get;
  const param = compartment?.parameters?.find((p) => p.name === 'compartmentType') as { schema?: { enum?: string[] }; description?: string } | undefined;
  t.ok(param?.schema?.enum?.includes('*'), 'the * form is offered');
  t.ok(param?.schema?.enum?.includes('Observation') && !param?.schema?.enum?.includes('Organization'), 'member types of the Patient compartment only');
  t.match(param?.description, /Patient compartment/);
  const all = await app.inject('/fhir/Patient/demo-p1/*');
  t.equal(all.statusCode, 200);
  const types = new Set(all.json().entry.map((e: { resource: { resourceType: string } }) => e.resource.resourceType));
  t.ok(types.has('Observation') && types.has('DiagnosticReport'), '* searches every member type');
});
