import type { FhirContext } from '../../fhir/context.js';
import type { RunArgs } from './handler.js';
import { tokenQueryValues } from './codes.js';
import { GX } from './gx-fields.js';
import { type Filter, findDocs, sourceClassFilter, x } from './query.js';
import { STANDING } from './standing.js';
import { type TestDates, testDateFilter } from './test-dates.js';
import { analysisOf, reportDated, testDateOf } from './study-analysis.js';
import { subjectOwns } from './subject-owned.js';
import { parseFhirJson } from '../../fhir/json-decimals.js';
import type { DiagnosticReport, Resource } from '@medplum/fhirtypes';
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
export async function provenanceClauses(args: RunArgs, ownSourceClass = true): Promise<Filter[]> {
  const { ctx, inputs, req, subject } = args;
  const clauses: Filter[] = [];
  const source = inputs.string('genomicSourceClass');
  if (ownSourceClass && source !== undefined && inputs.def.parameter?.some((p) => p.name === 'genomicSourceClass')) {
    clauses.push(sourceClassFilter(source));
  }
  const testIds = inputs.def.parameter?.some((p) => p.name === 'testIdentifiers') ? inputs.strings('testIdentifiers') : [];
  const dates = testDateFilter(inputs.raw('testDateRange')[0]);
  if (testIds.length || dates) {
    const reports = await reportsOf(args, testIds, dates);
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

async function reportsOf({ ctx, req, subject }: RunArgs, testIds: string[], dates: TestDates | undefined): Promise<Array<Record<string, unknown>>> {
  const filter: Filter = { [x(GX.subject)]: subject, [x(GX.kind)]: 'report', ...STANDING };
  if (testIds.length) filter[x(GX.testId)] = { $in: testIds.flatMap(tokenQueryValues) };
  if (dates) filter.$and = [dates.filter];
  const docs = await findDocs(ctx, 'DiagnosticReport', filter, 10_000);
  if (!dates) return docs.map((d) => d.x);
  // a report stating no date of its own is dated as $find-study-metadata dates it (test-dates.ts)
  const owned = (r: Resource) => subjectOwns(ctx, req, subject, r);
  const out: Array<Record<string, unknown>> = [];
  for (const d of docs) {
    if (d.x['date'] === undefined && d.x['issued'] === undefined) {
      const rec = await ctx.store.read('DiagnosticReport', d.id);
      if (!rec?.json || rec.deleted) continue;
      const r = parseFhirJson(rec.json) as DiagnosticReport;
      if (!reportDated(r) && !dates.undated(testDateOf(r, await analysisOf(ctx, r, owned)))) continue;
    }
    out.push(d.x);
  }
  return out;
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
