import t from 'tap';
import type { Parameters, ParametersParameter } from '@medplum/fhirtypes';
import { demoTransactionBundle } from '../../src/demo/demo-data.js';
import { send, testApp } from '../fhir/helpers.js';
import { conformanceProblems, opGet, opPost } from './helpers.js';

/**
 * The seven population operations' answers, part by part, against their OperationDefinitions:
 * each group is `[item] numerator (1..1 Quantity) denominator (0..1 Quantity) subject (0..*
 * string, "Patient ID. Include if includePatientList=true")`. `subject` is a valueString (the
 * definitions' type, not a Reference), written as the IG's example outputs write it
 * (Parameters-FindPopulation*Output.json: `"patient/12345"`) in FHIR's own spelling,
 * `Patient/{id}`: one per counted patient, each a Patient this server has.
 */
const CASES: Array<[op: string, group: string, item: string | undefined, query: Record<string, string>]> = [
  ['find-population-specific-variants', 'variants', 'variantItem', { variants: 'NM_005228.5:c.2573T>G' }],
  ['find-population-structural-intersecting-variants', 'variants', 'rangeItem', { ranges: 'NC_000007.14:55019016-55211628' }],
  ['find-population-structural-subsuming-variants', 'variants', 'rangeItem', { ranges: 'NC_000007.14:55100000-55100001' }],
  ['find-population-specific-haplotypes', 'haplotypes', 'haplotypeItem', { haplotypes: 'CYP2C19*2/*2' }],
  ['find-population-tx-implications', 'implications', undefined, { haplotypes: 'CYP2C19*2/*2' }],
  ['find-population-dx-implications', 'implications', undefined, {}],
  ['find-population-molecular-consequences', 'consequences', undefined, {}],
];

t.test('population answers: numerator, denominator and the patient list as the definitions say', async (t) => {
  const app = await testApp(t, { minCellSize: 1 });
  const tx = await send(app, 'POST', '/fhir', demoTransactionBundle());
  t.equal(tx.statusCode, 200, tx.body.slice(0, 300));
  // the demo has no molecular consequence: one on demo-p2's own BRCA1 Variant
  const mc = await send(app, 'PUT', '/fhir/Observation/mc-brca1', {
    resourceType: 'Observation', id: 'mc-brca1', status: 'final',
    code: { coding: [{ system: 'http://hl7.org/fhir/uv/genomics-reporting/CodeSystem/tbd-codes-cs', code: 'molecular-consequence' }] },
    subject: { reference: 'Patient/demo-p2' }, derivedFrom: [{ reference: 'Observation/demo-var-brca1' }],
  });
  t.equal(mc.statusCode, 201, mc.body.slice(0, 300));
  const patients = (await app.inject('/fhir/Patient?_count=0&_total=accurate')).json().total as number;

  for (const [op, groupName, item, query] of CASES) {
    t.test(op, async (t) => {
      const listed = await opGet(app, op, { ...query, includePatientList: 'true' });
      t.equal(listed.statusCode, 200, listed.body.slice(0, 300));
      const body = listed.json() as Parameters;
      t.same(conformanceProblems(op, body), []);
      const top = (body.parameter ?? []).filter((p) => p.name !== 'outcome');
      t.same(top.map((p) => p.name), [groupName], 'one group per item (implications and consequences: one)');
      const parts = top[0].part ?? [];
      const names = parts.map((p) => p.name);
      const subjects = parts.filter((p) => p.name === 'subject');
      t.same(names, [...(item ? [item] : []), 'numerator', 'denominator', ...subjects.map(() => 'subject')], 'parts in the definition\'s order');
      const numerator = parts.find((p) => p.name === 'numerator')!;
      t.same(Object.keys(numerator), ['name', 'valueQuantity']);
      t.equal(typeof numerator.valueQuantity?.value, 'number');
      t.same(parts.find((p) => p.name === 'denominator'), { name: 'denominator', valueQuantity: { value: patients } }, 'the Patients on the server');
      t.ok(numerator.valueQuantity!.value! > 0, 'a case with patients to list');
      t.equal(subjects.length, numerator.valueQuantity!.value, 'one subject per counted patient');
      for (const s of subjects as ParametersParameter[]) {
        t.same(Object.keys(s), ['name', 'valueString'], 'a string, as the definition types it (no valueReference)');
        t.match(s.valueString, /^Patient\/[A-Za-z0-9.-]{1,64}$/);
        t.equal((await app.inject(`/fhir/${s.valueString}`)).statusCode, 200, `${s.valueString} is a Patient here`);
      }
      t.same(subjects.map((s) => s.valueString), [...new Set(subjects.map((s) => s.valueString))].sort(), 'distinct, sorted');

      // POST with the definition's boolean type answers the same
      const posted = await opPost(app, op, [...Object.entries(query).map(([name, v]) => ({ name, valueString: v })), { name: 'includePatientList', valueBoolean: true }]);
      t.same(posted.json(), body);

      // without includePatientList (absent or false): the same counts, no list
      for (const without of [query, { ...query, includePatientList: 'false' }]) {
        const unlisted = (await opGet(app, op, without)).json() as Parameters;
        const g = (unlisted.parameter ?? []).find((p) => p.name === groupName)!.part ?? [];
        t.same(g, parts.filter((p) => p.name !== 'subject'));
      }
    });
  }
});
