import t from 'tap';
import { send, testApp } from '../fhir/helpers.js';
import { example, SD, type Json } from './helpers.js';

/**
 * `$validate` over HTTP (app.inject): type and instance level, body or Parameters, `profile` and
 * `mode`; always 200 with an OperationOutcome, and nothing is ever stored.
 */
const issuesOf = (res: { json(): Json }) => res.json().issue as Json[];

t.test('$validate', async (t) => {
  const app = await testApp(t);
  const variant = example('Observation-VariantExample.json');

  t.test('a valid IG example: 200, information "All OK"', async (t) => {
    const res = await send(app, 'POST', '/fhir/Observation/$validate', variant);
    t.equal(res.statusCode, 200);
    t.equal(res.json().resourceType, 'OperationOutcome');
    t.match(issuesOf(res), [{ severity: 'information', diagnostics: 'All OK' }]);
  });

  t.test('a broken copy: 200 with error issues naming profile, element and rule; nothing stored', async (t) => {
    const broken = structuredClone(variant);
    broken.code.coding[0].code = '11111-1';
    const res = await send(app, 'POST', '/fhir/Observation/$validate', broken);
    t.equal(res.statusCode, 200);
    const errs = issuesOf(res).filter((i) => i.severity === 'error');
    t.ok(errs.some((i) => i.diagnostics.includes(`Variant (${SD}variant)`) && i.diagnostics.includes('patternCodeableConcept') && i.expression?.[0] === 'Observation.code'), JSON.stringify(errs));
    const search = await send(app, 'GET', '/fhir/Observation');
    t.equal(search.json().total ?? search.json().entry?.length ?? 0, 0, '$validate stored nothing');
  });

  t.test('Parameters form with profile: an unprofiled resource checked against the named profile (errors)', async (t) => {
    const g = example('Observation-GenotypeExample1.json');
    delete g.meta;
    const body = { resourceType: 'Parameters', parameter: [{ name: 'resource', resource: g }, { name: 'profile', valueUri: `${SD}variant` }, { name: 'mode', valueCode: 'create' }] };
    const res = await send(app, 'POST', '/fhir/Observation/$validate', body);
    t.equal(res.statusCode, 200);
    t.ok(issuesOf(res).some((i) => i.severity === 'error' && i.diagnostics.includes('69548-6')));
  });

  t.test('profile in the query string, and the strict setting for unprofiled IG-coded resources', async (t) => {
    const v = structuredClone(variant);
    delete v.meta;
    v.category = v.category.slice(0, 1);
    const lax = await send(app, 'POST', '/fhir/Observation/$validate', v);
    t.ok(issuesOf(lax).every((i) => i.severity === 'warning'), 'unprofiled: warnings');
    const named = await send(app, 'POST', `/fhir/Observation/$validate?profile=${encodeURIComponent(SD + 'variant')}`, v);
    t.ok(issuesOf(named).some((i) => i.severity === 'error'), 'profile named: errors');
    const strictApp = await testApp(t, { strictProfiles: true });
    const strict = await send(strictApp, 'POST', '/fhir/Observation/$validate', v);
    t.ok(issuesOf(strict).some((i) => i.severity === 'error'), 'strictProfiles: errors');
    const create = await send(strictApp, 'POST', '/fhir/Observation', v);
    t.equal(create.statusCode, 422, 'and a create is refused with 422');
  });

  t.test('instance level: validates the stored version, or the sent one; mode update checks the id; delete checks no content', async (t) => {
    const created = await send(app, 'POST', '/fhir/Observation', variant);
    t.equal(created.statusCode, 201);
    const id = created.json().id as string;
    const stored = await send(app, 'POST', `/fhir/Observation/${id}/$validate`);
    t.match(issuesOf(stored), [{ severity: 'information', diagnostics: 'All OK' }]);
    const viaGet = await send(app, 'GET', `/fhir/Observation/${id}/$validate`);
    t.equal(viaGet.statusCode, 200);

    const wrongId = { ...structuredClone(variant), id: 'someone-else' };
    const upd = await send(app, 'POST', `/fhir/Observation/${id}/$validate?mode=update`, wrongId);
    t.ok(issuesOf(upd).some((i) => i.severity === 'error' && /does not match the URL id/.test(i.diagnostics)));
    const plain = await send(app, 'POST', `/fhir/Observation/${id}/$validate`, wrongId);
    t.ok(issuesOf(plain).some((i) => i.severity === 'error' && /does not match the URL id/.test(i.diagnostics)), 'in any mode at instance level');

    const broken = { resourceType: 'Observation', id, status: 'not-a-status' };
    const del = await send(app, 'POST', `/fhir/Observation/${id}/$validate?mode=delete`, broken);
    t.match(issuesOf(del), [{ severity: 'information', diagnostics: 'All OK' }], 'delete mode ignores content');
    const missing = await send(app, 'POST', '/fhir/Observation/nope/$validate?mode=delete');
    t.equal(missing.statusCode, 404);

    const after = await send(app, 'GET', `/fhir/Observation/${id}`);
    t.equal(after.json().meta.versionId, '1', 'still one version: $validate wrote nothing');
  });

  t.test('bad requests', async (t) => {
    const none = await send(app, 'POST', '/fhir/Observation/$validate', { resourceType: 'Parameters', parameter: [{ name: 'mode', valueCode: 'create' }] });
    t.equal(none.statusCode, 400, 'no resource');
    const mode = await send(app, 'POST', '/fhir/Observation/$validate?mode=sideways', variant);
    t.equal(mode.statusCode, 400, 'unknown mode');
    const type = await send(app, 'POST', '/fhir/Patient/$validate', variant);
    t.equal(type.statusCode, 200);
    t.ok(issuesOf(type).some((i) => i.severity === 'error' && /does not match the URL/.test(i.diagnostics)), 'wrong type is an error issue');
  });
});
