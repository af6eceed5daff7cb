import type { FhirContext } from '../../fhir/context.js';
import type { RunArgs } from './handler.js';
import { tokenQueryValues } from './codes.js';
import { GX } from './gx-fields.js';
import { type Filter, findDocs, sourceClassFilter, x } from './query.js';
import { STANDING } from './standing.js';
import { testDateFilter } from './test-dates.js';
import { specimenRefs } from './specimen-inputs.js';

/**
 * The provenance filters every subject operation shares: `testIdentifiers`, `testDateRange`,
 * `specimenIdentifiers` and `genomicSourceClass`. A "test" is a genomic report (DiagnosticReport):
 * its identifiers, its date (effective, else issued) and its specimens; a result belongs to a
 * test when the report lists it in `result` (directly or through a grouping Observation's
 * `hasMember`). A specimen also matches through the result's own `Observation.specimen`.
 * The result is a list of filter clauses to AND onto the finding query. `genomicSourceClass` is
 * one of them only for Variants (`ownSourceClass`), which state their class; the haplotype and
 * implication operations filter their findings by it afterwards (source-class.ts).
 */
export async function provenanceClauses({ ctx, inputs, req, subject }: RunArgs, ownSourceClass = true): Promise<Filter[]> {
  const clauses: Filter[] = [];
  const source = inputs.string('genomicSourceClass');
  if (ownSourceClass && source !== undefined && inputs.def.parameter?.some((p) => p.name === 'genomicSourceClass')) {
    clauses.push(sourceClassFilter(source));
  }
  const testIds = inputs.def.parameter?.some((p) => p.name === 'testIdentifiers') ? inputs.strings('testIdentifiers') : [];
  const dates = testDateFilter(inputs.raw('testDateRange')[0]);
  if (testIds.length || dates) {
    const reports = await reportsOf(ctx, subject, testIds, dates);
    clauses.push({ id: { $in: await resultIds(ctx, reports) } });
  }
  const specimenIds = inputs.strings('specimenIdentifiers');
  if (specimenIds.length) {
    const specimens = await specimenRefs(ctx, req.auth, specimenIds);
    const reports = await findDocs(ctx, 'DiagnosticReport', { [x(GX.subject)]: subject, [x(GX.specimen)]: { $in: specimens }, ...STANDING }, 10_000);
    clauses.push({ $or: [{ id: { $in: await resultIds(ctx, reports.map((r) => r.x)) } }, { [x(GX.specimen)]: { $in: specimens } }] });
  }
  return clauses;
}

async function reportsOf(ctx: FhirContext, subject: string, testIds: string[], dates: Filter | undefined): Promise<Array<Record<string, unknown>>> {
  const filter: Filter = { [x(GX.subject)]: subject, [x(GX.kind)]: 'report', ...STANDING };
  if (testIds.length) filter[x(GX.testId)] = { $in: testIds.flatMap(tokenQueryValues) };
  if (dates) filter.$and = [dates];
  return (await findDocs(ctx, 'DiagnosticReport', filter, 10_000)).map((d) => d.x);
}

/** Observation ids a set of reports vouches for, one level of grouping expanded. */
async function resultIds(ctx: FhirContext, reports: Array<Record<string, unknown>>): Promise<string[]> {
  const ids = new Set<string>();
  for (const r of reports) for (const ref of (r[GX.result] as string[] | undefined) ?? []) if (ref.startsWith('Observation/')) ids.add(ref.slice(12));
  if (ids.size) {
    const groupers = await findDocs(ctx, 'Observation', { id: { $in: [...ids] }, [x(GX.member)]: { $exists: true } }, 10_000);
    for (const g of groupers) for (const m of g.x[GX.member] as string[]) if (m.startsWith('Observation/')) ids.add(m.slice(12));
  }
  return [...ids];
}
