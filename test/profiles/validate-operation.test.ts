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
    const v = structuredClone(variant);
    delete v.meta;
    const other = await send(app, 'POST', `/fhir/Observation/$validate?profile=${encodeURIComponent(SD + 'variant|2.0.0')}`, v);
    t.match(issuesOf(other), [{ severity: 'warning', code: 'not-supported', expression: ['profile'], diagnostics: /holds version 3\.0\.0 of it, and checked the resource against that/ }], 'another version: not "All OK"');
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

t.test('$validate inputs are 0..1; a Parameters body is the input; other formats are 415', async (t) => {
  const app = await testApp(t);
  const variant = example('Observation-VariantExample.json');
  const two = await send(app, 'POST', `/fhir/Observation/$validate?profile=${SD}variant&profile=${SD}haplotype`, variant);
  t.equal(two.statusCode, 400, 'two profile values: 400 (the second would go unchecked)');
  t.match(issuesOf(two)[0], { expression: ['profile'] });
  const twoInBody = await send(app, 'POST', '/fhir/Observation/$validate', {
    resourceType: 'Parameters', parameter: [{ name: 'resource', resource: variant }, { name: 'profile', valueUri: `${SD}variant` }, { name: 'profile', valueUri: `${SD}haplotype` }],
  });
  t.equal(twoInBody.statusCode, 400, 'two profile parameters: 400');
  const twoResources = await send(app, 'POST', '/fhir/Observation/$validate', { resourceType: 'Parameters', parameter: [{ name: 'resource', resource: variant }, { name: 'resource', resource: variant }] });
  t.equal(twoResources.statusCode, 400, 'two resources: 400');
  const empty = await send(app, 'POST', '/fhir/Observation/$validate', { resourceType: 'Parameters', parameter: [] });
  t.equal(empty.statusCode, 400, 'a Parameters body without a resource: 400, not "Parameters is not an Observation"');
  t.match(issuesOf(empty)[0].diagnostics, /No resource to validate/);
  const params = await send(app, 'POST', '/fhir/Parameters/$validate', { resourceType: 'Parameters', parameter: [{ name: 'x', valueString: 'y' }] });
  t.equal(params.statusCode, 200, 'validating a Parameters resource itself still works');
  t.match(issuesOf(params), [{ severity: 'information', diagnostics: 'All OK' }]);
  const xml = await send(app, 'POST', '/fhir/Observation/$validate', '<Observation xmlns="http://hl7.org/fhir"/>', { 'content-type': 'application/fhir+xml' });
  t.equal(xml.statusCode, 415, 'FHIR XML: 415, as create answers');
});

t.test('claims: unknown profiles and other versions are warned about; a specific profile is inferred under a general claim', async (t) => {
  const app = await testApp(t);
  const variant = example('Observation-VariantExample.json');
  const claims = async (profile: string[]) => issuesOf(await send(app, 'POST', '/fhir/Observation/$validate', { ...variant, meta: { profile } }));
  const unknown = await claims(['http://example.org/StructureDefinition/lab-variant']);
  t.match(unknown, [{ severity: 'warning', code: 'not-supported', expression: ['Observation.meta.profile[0]'] }]);
  t.match(unknown[0].diagnostics, /not known to this server: the resource was not checked against it/);
  const other = await claims([`${SD}variant|9.9.9`]);
  t.match(other, [{ severity: 'warning', diagnostics: /holds version 3\.0\.0 of it, and checked the resource against that/ }]);
  t.match(await claims([`${SD}variant|3.0.0`]), [{ severity: 'information', diagnostics: 'All OK' }], 'the vendored version: no remark');
  t.match(await claims(['http://hl7.org/fhir/StructureDefinition/Observation']), [{ severity: 'information', diagnostics: 'All OK' }], 'the base definition is what the structure layer checks');
  // genomic-base claimed, Variant code: the Variant rules run as for an unprofiled Variant (warnings)
  const broken = structuredClone(variant);
  broken.meta = { profile: [`${SD}genomic-base`] };
  broken.valueCodeableConcept = { coding: [{ system: 'http://loinc.org', code: 'LA6576-8' }] };
  const general = issuesOf(await send(app, 'POST', '/fhir/Observation/$validate', broken));
  t.ok(general.some((i) => i.severity === 'warning' && /Variant/.test(i.diagnostics) && /meta\.profile claims another profile/.test(i.diagnostics)), JSON.stringify(general.map((i) => i.diagnostics)));
});

t.test('the unknown-profile warning names the claim where it sits, nulls counted', async (t) => {
  const app = await testApp(t);
  const variant = example('Observation-VariantExample.json');
  const body = { ...variant, meta: { profile: [null, 'http://example.org/unknown'], _profile: [{ extension: [{ url: 'http://example.org/why', valueString: 'x' }] }, null] } };
  const issues = issuesOf(await send(app, 'POST', '/fhir/Observation/$validate', body));
  t.match(issues.find((i) => i.code === 'not-supported'), { expression: ['Observation.meta.profile[1]'] });
});

t.test('$validate with a Parameters body keeps the mode and profile of the query string (one value each)', async (t) => {
  const app = await testApp(t);
  const plain = { resourceType: 'Observation', status: 'final', code: { text: 'not a variant' } };
  const inBody = (extra: Json[] = []) => ({ resourceType: 'Parameters', parameter: [{ name: 'resource', resource: plain }, ...extra] });
  const profiled = await send(app, 'POST', `/fhir/Observation/$validate?profile=${encodeURIComponent(SD + 'variant')}`, inBody());
  t.equal(profiled.statusCode, 200);
  t.ok(issuesOf(profiled).some((i) => i.severity === 'error' && i.diagnostics.includes(`Variant (${SD}variant)`)), 'the query profile is checked, not dropped: ' + JSON.stringify(issuesOf(profiled)));
  const update = await send(app, 'POST', '/fhir/Observation/$validate?mode=update', inBody());
  t.ok(issuesOf(update).some((i) => i.severity === 'error' && /must carry an id/.test(i.diagnostics)), 'the query mode applies');
  const twice = await send(app, 'POST', `/fhir/Observation/$validate?profile=${encodeURIComponent(SD + 'variant')}`, inBody([{ name: 'profile', valueUri: `${SD}haplotype` }]));
  t.equal(twice.statusCode, 400, 'a profile in the query and another in the body: 400 (one would go unchecked)');
  t.match(issuesOf(twice)[0], { expression: ['profile'] });
});

t.test('$validate errors name the parameter at fault', async (t) => {
  const app = await testApp(t);
  const plain = { resourceType: 'Observation', status: 'final', code: { text: 'x' } };
  const mode = await send(app, 'POST', '/fhir/Observation/$validate?mode=sideways', plain);
  t.equal(mode.statusCode, 400);
  t.match(issuesOf(mode)[0], { expression: ['mode'] });
  const modeInBody = await send(app, 'POST', '/fhir/Observation/$validate', { resourceType: 'Parameters', parameter: [{ name: 'mode', valueCode: 'sideways' }, { name: 'resource', resource: plain }] });
  t.equal(modeInBody.statusCode, 400);
  t.match(issuesOf(modeInBody)[0], { expression: ['mode'] });
  const deleteAtType = await send(app, 'POST', '/fhir/Observation/$validate?mode=delete', plain);
  t.equal(deleteAtType.statusCode, 400);
  t.match(issuesOf(deleteAtType)[0], { expression: ['mode'] });
  const none = await send(app, 'POST', '/fhir/Observation/$validate', { resourceType: 'Parameters', parameter: [{ name: 'mode', valueCode: 'create' }] });
  t.equal(none.statusCode, 400);
  t.match(issuesOf(none)[0], { expression: ['resource'] });
  const unknown = await send(app, 'POST', '/fhir/Observation/$validate?profile=http://example.org/StructureDefinition/nope', plain);
  t.equal(unknown.statusCode, 200);
  t.match(issuesOf(unknown), [{ severity: 'error', code: 'not-supported', expression: ['profile'] }]);
});

t.test('$validate?profile= the base definition of the type is what structure validation checks; of another type, an error', async (t) => {
  const app = await testApp(t);
  const plain = { resourceType: 'Observation', status: 'final', code: { text: 'x' } };
  const base = await send(app, 'POST', `/fhir/Observation/$validate?profile=${encodeURIComponent('http://hl7.org/fhir/StructureDefinition/Observation')}`, plain);
  t.match(issuesOf(base), [{ severity: 'information', diagnostics: 'All OK' }], 'as a meta.profile claim of it: no remark');
  const broken = await send(app, 'POST', `/fhir/Observation/$validate?profile=${encodeURIComponent('http://hl7.org/fhir/StructureDefinition/Observation')}`, { ...plain, status: 'sideways' });
  t.ok(issuesOf(broken).some((i) => i.severity === 'error' && i.expression?.[0] === 'Observation.status'), 'and the base rules do run');
  const other = await send(app, 'POST', `/fhir/Observation/$validate?profile=${encodeURIComponent('http://hl7.org/fhir/StructureDefinition/Patient')}`, plain);
  t.match(issuesOf(other), [{ severity: 'error', code: 'not-supported', expression: ['profile'], diagnostics: /base definition of Patient, not of Observation/ }]);
});

t.test('$validate refuses what it cannot read, as the genomics operations do: an unknown input, or parts where a value or resource is expected (400 naming it)', async (t) => {
  const app = await testApp(t);
  const plain = { resourceType: 'Observation', status: 'final', code: { text: 'x' } };
  const resource = { name: 'resource', resource: plain };
  const refused = async (label: string, res: Awaited<ReturnType<typeof send>>, name: string) => {
    t.equal(res.statusCode, 400, `${label}: ${res.body.slice(0, 200)}`);
    t.match(issuesOf(res)[0], { expression: [name] }, `${label}: names ${name}`);
    t.match(issuesOf(res)[0].diagnostics, name, `${label}: says ${name}`);
  };
  const params = (...parameter: Json[]) => ({ resourceType: 'Parameters', parameter });
  await refused('unknown body input', await send(app, 'POST', '/fhir/Observation/$validate', params(resource, { name: 'bogus', valueString: 'x' })), 'bogus');
  await refused('unknown query input', await send(app, 'POST', '/fhir/Observation/$validate?bogus=1', plain), 'bogus');
  await refused('a resource in the URL', await send(app, 'POST', '/fhir/Observation/$validate?resource=x', plain), 'resource');
  await refused('unknown query input with a Parameters body', await send(app, 'POST', '/fhir/Observation/$validate?strict=true', params(resource)), 'strict');
  await refused('mode as parts', await send(app, 'POST', '/fhir/Observation/$validate', params(resource, { name: 'mode', part: [{ name: 'x', valueCode: 'update' }] })), 'mode');
  await refused('mode with a value and parts', await send(app, 'POST', '/fhir/Observation/$validate', params(resource, { name: 'mode', valueCode: 'create', part: [{ name: 'x', valueCode: 'update' }] })), 'mode');
  await refused('profile as parts', await send(app, 'POST', '/fhir/Observation/$validate', params(resource, { name: 'profile', part: [{ name: 'url', valueUri: `${SD}variant` }] })), 'profile');
  await refused('resource as a value', await send(app, 'POST', '/fhir/Observation/$validate', params({ name: 'resource', valueString: JSON.stringify(plain) })), 'resource');
  await refused('resource with parts too', await send(app, 'POST', '/fhir/Observation/$validate', params({ ...resource, part: [{ name: 'x', valueString: 'y' }] })), 'resource');
  // what stays accepted: the result parameters every request may carry, and the forms already read
  t.equal((await send(app, 'POST', '/fhir/Observation/$validate?_pretty=true&_format=json', plain)).statusCode, 200, '_-parameters are not inputs');
  t.equal((await send(app, 'POST', '/fhir/Observation/$validate', params(resource, { name: 'mode', valueCode: 'create' }))).statusCode, 200);
  t.equal((await send(app, 'POST', '/fhir/Parameters/$validate', params({ name: 'x', valueString: 'y' }))).statusCode, 200, 'a Parameters resource to validate is not read as inputs');
});

t.test('$validate?profile= the base definition in another FHIR version: checked against R4 4.0.1, with a warning naming profile', async (t) => {
  const app = await testApp(t);
  const variant = example('Observation-VariantExample.json');
  const BASE = 'http://hl7.org/fhir/StructureDefinition/Observation';
  const other = issuesOf(await send(app, 'POST', `/fhir/Observation/$validate?profile=${encodeURIComponent(`${BASE}|5.0.0`)}`, variant));
  t.match(other, [{ severity: 'warning', code: 'not-supported', expression: ['profile'], diagnostics: /Observation\|5\.0\.0.*version 4\.0\.1 .*checked the resource against that/ }], JSON.stringify(other));
  t.equal(other.length, 1);
  const same = issuesOf(await send(app, 'POST', `/fhir/Observation/$validate?profile=${encodeURIComponent(`${BASE}|4.0.1`)}`, variant));
  t.match(same, [{ severity: 'information', diagnostics: 'All OK' }], 'R4 itself: All OK');
  const claimed = issuesOf(await send(app, 'POST', '/fhir/Observation/$validate', { ...variant, meta: { profile: [`${SD}variant`, `${BASE}|5.0.0`] } }));
  t.match(claimed, [{ severity: 'warning', code: 'not-supported', expression: ['Observation.meta.profile[1]'], diagnostics: /version 4\.0\.1/ }], 'claimed: the same remark, at the claim');
});
