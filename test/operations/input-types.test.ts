import t from 'tap';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { OperationDefinition, OperationOutcome, ParametersParameter } from '@medplum/fhirtypes';
import { docsApp } from '../docs/helpers.js';
import { OPDEFS } from './helpers.js';

/**
 * The type of each input, as its OperationDefinition declares it. In a Parameters body an input
 * is its declared type or a valueString (the GET form: what a query string would say), as for
 * `$import-vcf`; `subject` (search type reference) may also be a valueReference. Any other
 * value[x] answers 400 naming the input: a valueDateTime `haplotypes` read as a haplotype
 * name, or a valueDateTime `testDateRange` read as one day, answer a question the client did
 * not ask. Over GET, the general parameters `_format` and `_pretty` are taken; another `_`
 * parameter (`_count`: these answers are not paged) is refused like any unknown input.
 */
const DEFS: OperationDefinition[] = readdirSync(OPDEFS).map((f) => JSON.parse(readFileSync(join(OPDEFS, f), 'utf8')) as OperationDefinition);
const def = (op: string) => DEFS.find((d) => d.id === op)!;

/** Valid values (on the demo data) of each required input, as valueString. */
const REQUIRED: Record<string, string> = {
  subject: 'Patient/demo-p1', ranges: 'NC_000007.14:55191800-55191900', variants: 'NC_000007.14:55191821:T:G', genes: 'EGFR', haplotypes: 'CYP2C19*2/*2',
};
const required = (op: string, except?: string): ParametersParameter[] =>
  def(op).parameter!.filter((p) => p.use === 'in' && (p.min ?? 0) > 0 && p.name !== except).map((p) => ({ name: p.name!, valueString: REQUIRED[p.name!] }));

/** A value of a type the input does not have, for each declared type. */
function wrongType(p: { name?: string; type?: string }): ParametersParameter {
  switch (p.type) {
    case 'Period': return { name: p.name!, valueDateTime: '2020-01-01' };
    case 'boolean': return { name: p.name!, valueCode: 'true' };
    default: return { name: p.name!, valueUri: REQUIRED[p.name!] ?? 'x' };
  }
}

t.test('each input in its declared type (or a valueString); any other value[x] answers 400 naming it', async (t) => {
  const app = await docsApp({ seed: true });
  t.teardown(() => app.close());
  const post = (op: string, parameter: ParametersParameter[]) => app.inject({
    method: 'POST', url: `/fhir/$${op}`, headers: { 'content-type': 'application/fhir+json' }, payload: JSON.stringify({ resourceType: 'Parameters', parameter }),
  });
  const refused = async (op: string, parameter: ParametersParameter[], name: string, label: string) => {
    const res = await post(op, parameter);
    t.equal(res.statusCode, 400, `${op} ${label}: ${res.body.slice(0, 300)}`);
    const issue = (res.json() as OperationOutcome).issue?.[0];
    t.same(issue?.expression, [name], `${op} ${label}: names ${name}`);
    return issue?.diagnostics ?? '';
  };

  t.test('the cases that were read as something else', async (t) => {
    for (const v of [{ valueDateTime: '2020-01-01' }, { valueUri: 'CYP2C19*2/*2' }, { valueReference: { reference: 'Patient/demo-p3' } }]) {
      const msg = await refused('find-subject-specific-haplotypes', [{ name: 'subject', valueString: 'Patient/demo-p3' }, { name: 'haplotypes', ...v }], 'haplotypes', Object.keys(v)[0]);
      t.match(msg, /'haplotypes'.*string.*valueString/);
    }
    const day = await refused('find-subject-variants', [...required('find-subject-variants'), { name: 'testDateRange', valueDateTime: '2025-03-14' }], 'testDateRange', 'valueDateTime');
    t.match(day, /Period.*valuePeriod/);
    const period = await refused('find-subject-variants', [...required('find-subject-variants'), { name: 'includeVariants', valuePeriod: { start: '2020' } }], 'includeVariants', 'valuePeriod');
    t.notMatch(period, /object Object/);
    await refused('find-subject-variants', [...required('find-subject-variants'), { name: 'testDateRange', valuePeriod: {} }], 'testDateRange', 'an empty Period');
  });

  t.test('every input of every definition', async (t) => {
    for (const d of DEFS) {
      for (const p of d.parameter!.filter((x) => x.use === 'in')) {
        const wrong = wrongType(p);
        await refused(d.id!, [...required(d.id!, p.name), wrong], p.name!, `${p.name} as ${Object.keys(wrong)[1]}`);
      }
    }
  });

  t.test('what stays accepted', async (t) => {
    const ok = async (op: string, parameter: ParametersParameter[], label: string) => {
      const res = await post(op, parameter);
      t.equal(res.statusCode, 200, `${op} ${label}: ${res.body.slice(0, 300)}`);
    };
    await ok('find-subject-haplotypes', [{ name: 'subject', valueReference: { reference: 'Patient/demo-p3' } }, { name: 'genes', valueString: 'CYP2C19' }], 'subject as valueReference');
    await ok('find-subject-variants', [...required('find-subject-variants'), { name: 'genomicSourceClass', valueCode: 'somatic' }], 'genomicSourceClass as valueCode (declared code)');
    await ok('find-subject-variants', [...required('find-subject-variants'), { name: 'genomicSourceClass', valueString: 'somatic' }], 'a code as valueString');
    await ok('find-subject-variants', [...required('find-subject-variants'), { name: 'includeVariants', valueString: 'true' }], 'a boolean as valueString');
    await ok('find-subject-variants', [...required('find-subject-variants'), { name: 'testDateRange', valueString: 'ge2020-01-01' }], 'a Period as prefixed dates');
    await ok('find-subject-variants', [...required('find-subject-variants'), { name: 'testDateRange', valuePeriod: { start: '2020-01-01' } }], 'a Period with a start only');
    const sub = await post('find-subject-haplotypes', [{ name: 'subject', valueReference: { display: 'demo-p3' } }, { name: 'genes', valueString: 'CYP2C19' }]);
    t.equal(sub.statusCode, 400, 'a valueReference without a reference');
    t.same((sub.json() as OperationOutcome).issue?.[0]?.expression, ['subject']);
  });

  t.test('GET: _format and _pretty are taken, other _ parameters refused', async (t) => {
    const base = '/fhir/$find-subject-variants?subject=demo-p1&ranges=NC_000007.14:55191800-55191900';
    t.equal((await app.inject(`${base}&_pretty=true`)).statusCode, 200);
    t.equal((await app.inject(`${base}&_format=json`)).statusCode, 200);
    for (const extra of ['_count=1', '_foo=1', '_summary=count']) {
      const res = await app.inject(`${base}&${extra}`);
      t.equal(res.statusCode, 400, `${extra}: ${res.body.slice(0, 200)}`);
      t.same((res.json() as OperationOutcome).issue?.[0]?.expression, [extra.split('=')[0]]);
    }
  });
});
