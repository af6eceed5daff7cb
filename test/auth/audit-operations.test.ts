import t from 'tap';
import type { AuditEvent } from '@medplum/fhirtypes';
import { bearer, FHIR_JSON, makeApp, serverToken } from './helpers.js';
import { jak2Variant } from '../operations/helpers.js';

/**
 * The audit trail names the patients a genomics operation answered about: a subject operation's
 * subject however it was asked (query or Parameters body), a population operation's listed
 * patients (includePatientList), and none for counts alone.
 */
t.test('genomics operations name the patients they answered about', async (t) => {
  const app = await makeApp();
  t.teardown(() => app.close());
  const writer = await serverToken(app, ['system/*.cruds'], { clientId: 'lab' });
  const put = async (r: { resourceType: string; id?: string }) => {
    const res = await app.inject({ method: 'PUT', url: `/fhir/${r.resourceType}/${r.id}`, headers: { ...bearer(writer), ...FHIR_JSON }, payload: r });
    t.ok(res.statusCode < 300, res.body);
  };
  for (const p of ['pa', 'pb']) await put({ resourceType: 'Patient', id: p });
  await put(jak2Variant('va', 'pa'));
  await put(jak2Variant('vb', 'pb'));

  const asker = await serverToken(app, ['system/Observation.rs', 'system/Patient.rs'], { clientId: 'asker' });
  const post = async (op: string, parameter: unknown[]) => {
    const res = await app.inject({ method: 'POST', url: `/fhir/$${op}`, headers: { ...bearer(asker), ...FHIR_JSON }, payload: { resourceType: 'Parameters', parameter } });
    t.equal(res.statusCode, 200, res.body);
  };
  await post('find-subject-variants', [{ name: 'subject', valueString: 'Patient/pa' }, { name: 'ranges', valueString: 'NC_000009.12:5073000-5074000' }]);
  await post('find-population-specific-variants', [{ name: 'variants', valueString: 'NC_000009.12:5073769:G:T' }, { name: 'includePatientList', valueBoolean: true }]);
  await post('find-population-specific-variants', [{ name: 'variants', valueString: 'NC_000009.12:5073769:G:T' }]);
  const vcf = '##fileformat=VCFv4.2\n##contig=<ID=chr9,length=138394717>\n#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\tS1\nchr9\t5073770\t.\tG\tT\t50\tPASS\t.\tGT\t0/1\n';
  const imported = await app.inject({ method: 'POST', url: '/fhir/$import-vcf', headers: { ...bearer(writer), ...FHIR_JSON }, payload: { resourceType: 'Parameters', parameter: [{ name: 'vcf', valueString: vcf }, { name: 'patient', valueString: 'pb' }, { name: 'build', valueString: 'GRCh38' }] } });
  t.equal(imported.statusCode, 200, imported.body);
  await app.auditLog!.flush();

  const auditor = await serverToken(app, ['system/AuditEvent.rs'], { clientId: 'auditor' });
  const res = await app.inject({ url: '/fhir/AuditEvent?_count=100', headers: bearer(auditor) });
  const events = (res.json().entry ?? []).map((e: { resource: AuditEvent }) => e.resource) as AuditEvent[];
  const mine = events.filter((e) => e.agent[0].who?.identifier?.value === 'asker' && e.subtype?.[0].system === 'urn:fhir-genomics-server:operation');
  const patientsOf = (e: AuditEvent) => (e.entity ?? []).filter((en) => en.role?.code === '1').map((en) => en.what?.reference).sort();
  const subjectOp = mine.filter((e) => /find-subject-variants/.test(JSON.stringify(e)));
  t.equal(subjectOp.length, 1, JSON.stringify(mine.map((e) => e.entity)));
  t.same(patientsOf(subjectOp[0]), ['Patient/pa'], 'the subject given in the body');
  const population = mine.filter((e) => /find-population-specific-variants/.test(JSON.stringify(e)));
  t.equal(population.length, 2);
  const named = population.map(patientsOf).sort((a, b) => b.length - a.length);
  t.same(named[0], ['Patient/pa', 'Patient/pb'], 'the patients listed in the answer');
  t.same(named[1], [], 'counts alone name nobody');
  const imports = events.filter((e) => e.subtype?.[0].code === '$import-vcf');
  t.equal(imports.length, 1);
  t.same(patientsOf(imports[0]), ['Patient/pb'], 'an import names its patient given in the body');
});
