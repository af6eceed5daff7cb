import t from 'tap';
import type { OperationOutcome, Parameters } from '@medplum/fhirtypes';
import type { FastifyInstance } from 'fastify';
import { testApp } from '../fhir/helpers.js';
import { groups, opGet, partValue, put } from './helpers.js';

/** Which subjects an operation answers about: this server's, existing ones. */
const VARIANT = {
  resourceType: 'Observation' as const, id: 'v1', status: 'final' as const,
  code: { coding: [{ system: 'http://loinc.org', code: '69548-6' }] },
  subject: { reference: 'Patient/p1' },
  valueCodeableConcept: { coding: [{ system: 'http://loinc.org', code: 'LA9633-4' }] },
  component: [{ code: { coding: [{ system: 'http://loinc.org', code: '81290-9' }] }, valueCodeableConcept: { coding: [{ code: 'NC_000009.12:g.5073770G>T' }] } }],
};
const ask = (app: FastifyInstance, subject: string) =>
  opGet(app, 'find-subject-specific-variants', { subject, variants: 'NC_000009.12:5073769:G:T' });

t.test("a subject on another server is not this server's patient", async (t) => {
  const app = await testApp(t); // base http://localhost/fhir
  await put(app, { resourceType: 'Patient', id: 'p1' });
  await put(app, VARIANT);
  for (const subject of ['p1', 'Patient/p1', 'http://localhost/fhir/Patient/p1']) {
    const res = await ask(app, subject);
    t.equal(res.statusCode, 200, `${subject}: ${res.body.slice(0, 200)}`);
    t.equal(partValue(groups(res.json() as Parameters, 'variants')[0], 'presence'), true, subject);
  }
  for (const subject of ['http://evil.example/fhir/Patient/p1', 'https://localhost/fhir/Patient/p1', 'http://localhost/fhirx/Patient/p1', 'urn:uuid:Patient/p1', 'Observation/x/Patient/p1']) {
    const res = await ask(app, subject);
    t.equal(res.statusCode, 400, `${subject}: ${res.body.slice(0, 200)}`);
    t.same((res.json() as OperationOutcome).issue?.[0]?.expression, ['subject']);
  }
});

t.test('a deleted patient is an unknown subject', async (t) => {
  const app = await testApp(t);
  await put(app, { resourceType: 'Patient', id: 'p1' });
  await put(app, VARIANT);
  t.equal((await ask(app, 'Patient/p1')).statusCode, 200);
  t.equal((await app.inject({ method: 'DELETE', url: '/fhir/Patient/p1' })).statusCode, 204);
  for (const op of ['find-subject-specific-variants', 'find-subject-variants', 'find-study-metadata', 'find-subject-tx-implications']) {
    const res = await opGet(app, op, { subject: 'Patient/p1', ...(op === 'find-subject-specific-variants' ? { variants: 'NC_000009.12:5073769:G:T' } : op === 'find-subject-variants' ? { ranges: 'NC_000009.12:1-2' } : {}) });
    t.equal(res.statusCode, 404, `${op}: ${res.body.slice(0, 200)}`);
    t.same((res.json() as OperationOutcome).issue?.[0]?.expression, ['subject']);
  }
  // data stored without a Patient resource is still asked about by its subject
  await put(app, { ...VARIANT, id: 'v2', subject: { reference: 'Patient/no-resource' } });
  t.equal((await ask(app, 'Patient/no-resource')).statusCode, 200);
});
