import t from 'tap';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { OperationDefinition, OperationOutcome, Parameters, ParametersParameter } from '@medplum/fhirtypes';
import { docsApp } from '../docs/helpers.js';
import { conformanceProblems, OPDEFS } from './helpers.js';

/**
 * The 17 OperationDefinitions, input by input, against what the server accepts and answers (on
 * the demo data): every defined input is accepted in its own type; each required one, left
 * out, answers 400 naming it; a 0..1 one given twice answers 400 naming it; a 0..* one takes
 * several values, and an operation answering one group per value of its list (rangeItem,
 * variantItem, geneItem, haplotypeItem) answers one per value, in order; each answer conforms to
 * the definition's outputs.
 */
const DEFS: OperationDefinition[] = readdirSync(OPDEFS).map((f) => JSON.parse(readFileSync(join(OPDEFS, f), 'utf8')) as OperationDefinition);

/** A value of each input on the demo data, as a Parameters part (the IG's type for it). */
const SUBJECT: Record<string, string> = {
  'find-subject-haplotypes': 'Patient/demo-p3', 'find-subject-specific-haplotypes': 'Patient/demo-p3', 'find-subject-tx-implications': 'Patient/demo-p3',
};
function value(op: string, name: string, i = 0): ParametersParameter {
  const structural = op.includes('structural');
  const list: Record<string, string[]> = {
    subject: [SUBJECT[op] ?? 'Patient/demo-p1'],
    ranges: structural ? ['NC_000007.14:55100000-55100100', 'NC_000017.11:1-2'] : ['NC_000007.14:55191800-55191900', 'NC_000017.11:43044294-43125483'],
    variants: ['NC_000007.14:55191821:T:G', 'NM_007294.4:c.5266dup'],
    genes: ['CYP2C19', 'EGFR'],
    haplotypes: ['CYP2C19*2/*2', 'CYP2D6*4'],
    treatments: ['http://www.nlm.nih.gov/research/umls/rxnorm|32968', 'http://www.nlm.nih.gov/research/umls/rxnorm|1721560'],
    conditions: ['http://snomed.info/sct|254637007', 'http://snomed.info/sct|718220008'],
    featureConsequences: ['http://www.sequenceontology.org|SO:0001583', 'SO:0001587'],
    testIdentifiers: ['ACC-demo-report-p1', 'ACC-demo-report-p3'],
    specimenIdentifiers: ['SPEC-demo-p1', 'SPEC-demo-p3'],
    genomicSourceClass: ['somatic'],
  };
  if (name === 'testDateRange') return { name, valuePeriod: { start: '2020-01-01', end: '2030-01-01' } };
  if (name === 'includeVariants' || name === 'includePhasing' || name === 'includePatientList') return { name, valueBoolean: true };
  const d = DEFS.find((x) => x.id === op)!.parameter!.find((p) => p.name === name)!;
  const v = list[name][i % list[name].length];
  return d.type === 'code' ? { name, valueCode: v } : { name, valueString: v };
}

const PER_ITEM: Record<string, string> = { ranges: 'rangeItem', variants: 'variantItem', genes: 'geneItem', haplotypes: 'haplotypeItem' };

t.test('each OperationDefinition input, as the definition states it', async (t) => {
  const app = await docsApp({ seed: true });
  t.teardown(() => app.close());
  t.equal(DEFS.length, 17);
  const post = (op: string, parameter: ParametersParameter[]) => app.inject({
    method: 'POST', url: `/fhir/$${op}`, headers: { 'content-type': 'application/fhir+json' }, payload: JSON.stringify({ resourceType: 'Parameters', parameter }),
  });
  for (const def of DEFS) {
    const op = def.id!;
    const ins = def.parameter!.filter((p) => p.use === 'in');
    const required = ins.filter((p) => (p.min ?? 0) > 0).map((p) => value(op, p.name!));

    // the required inputs alone, then every input at once (one value each): answered, conforming
    for (const [label, parameter] of [['required inputs', required], ['every input', ins.map((p) => value(op, p.name!))]] as const) {
      const res = await post(op, parameter);
      t.equal(res.statusCode, 200, `${op} with ${label}: ${res.body.slice(0, 300)}`);
      if (res.statusCode === 200) t.same(conformanceProblems(op, res.json() as Parameters), [], `${op} with ${label}: conforms`);
    }
    for (const p of ins) {
      if ((p.min ?? 0) > 0) {
        const res = await post(op, required.filter((r) => r.name !== p.name));
        t.equal(res.statusCode, 400, `${op} without ${p.name}: 400`);
        t.same((res.json() as OperationOutcome).issue?.[0]?.expression, [p.name], `${op} without ${p.name}: names it`);
      }
      if (p.max === '1') {
        const res = await post(op, [...required.filter((r) => r.name !== p.name), value(op, p.name!), value(op, p.name!)]);
        t.equal(res.statusCode, 400, `${op} with ${p.name} twice: 400`);
        t.same((res.json() as OperationOutcome).issue?.[0]?.expression, [p.name], `${op} with ${p.name} twice: names it`);
      } else if (p.max === '*') {
        const res = await post(op, [...required.filter((r) => r.name !== p.name), value(op, p.name!, 0), value(op, p.name!, 1)]);
        t.equal(res.statusCode, 200, `${op} with two ${p.name}: ${res.body.slice(0, 300)}`);
        const item = PER_ITEM[p.name!];
        const out = def.parameter!.find((o) => o.use === 'out' && o.part?.some((x) => x.name === item));
        if (res.statusCode === 200 && out && (p.min ?? 0) > 0) {
          const items = ((res.json() as Parameters).parameter ?? []).filter((x) => x.name === out.name).map((x) => x.part?.find((y) => y.name === item)?.valueString);
          t.same(items, [value(op, p.name!, 0).valueString, value(op, p.name!, 1).valueString], `${op}: one ${out.name} group per ${p.name} value, in order`);
        }
      }
    }
    const unknown = await post(op, [...required, { name: 'noSuchInput', valueString: 'x' }]);
    t.equal(unknown.statusCode, 400, `${op}: an unknown input is refused`);
  }
});
