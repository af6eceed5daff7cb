import t from 'tap';
import { send, testApp } from './helpers.js';

/**
 * The system-level search parameters the CapabilityStatement lists are the ones a system search
 * takes (https://hl7.org/fhir/R4/capabilitystatement-definitions.html#CapabilityStatement.rest.searchParam):
 * found by black-box testing, `_tag`, `_profile`, `_security` and `_source` worked on `GET /fhir`
 * (and `_tag` found a Patient there) but `rest.searchParam` named only `_id` and `_lastUpdated`.
 */
t.test('system search: every parameter listed works, and every common one that works is listed', async (t) => {
  const app = await testApp(t);
  t.equal((await send(app, 'PUT', '/fhir/Patient/p1', { resourceType: 'Patient', id: 'p1', meta: { tag: [{ system: 'urn:s', code: 't' }] } })).statusCode, 201);
  const rest = (await send(app, 'GET', '/fhir/metadata')).json().rest[0];
  const listed = new Map<string, { type: string; definition?: string }>(rest.searchParam.map((p: { name: string; type: string; definition?: string }) => [p.name, p]));
  const patient = rest.resource.find((r: { type: string }) => r.type === 'Patient');
  for (const p of patient.searchParam.filter((p: { name: string }) => p.name.startsWith('_'))) {
    const res = await send(app, 'GET', `/fhir?${p.name}=x`, undefined, { prefer: 'handling=strict' });
    if (res.statusCode !== 200) continue; // a type-only parameter is not a system one
    t.ok(listed.has(p.name), `${p.name} works at system level and is listed there`);
    t.equal(listed.get(p.name)?.definition, p.definition, `${p.name}: the same definition as on the types`);
  }
  for (const name of listed.keys()) {
    const res = await send(app, 'GET', `/fhir?${name}=${name === '_lastUpdated' ? 'gt2000' : name === '_count' ? '5' : 'x'}`, undefined, { prefer: 'handling=strict' });
    t.equal(res.statusCode, 200, `${name}: listed, and a system search takes it`);
  }
  const tagged = (await send(app, 'GET', '/fhir?_tag=urn:s|t')).json();
  t.equal(tagged.total, 1, '_tag finds the tagged Patient at system level');
});
