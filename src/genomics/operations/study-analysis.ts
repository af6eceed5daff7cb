import { parseFhirJson } from '../../fhir/json-decimals.js';
import type { DiagnosticReport, Procedure, Resource } from '@medplum/fhirtypes';
import type { FhirContext } from '../../fhir/context.js';
import { normalizeRef } from './genomic-index.js';

/**
 * A genomic report's study analysis (report → genomic-study-reference → GenomicStudy →
 * genomic-study-analysis-ext → GenomicStudyAnalysis), read through the caller's `owned` test
 * (subject-owned.ts): $find-study-metadata answers from it, and a report stating no date of its
 * own is dated by it (test-dates.ts).
 */
export const IG = 'http://hl7.org/fhir/uv/genomics-reporting/StructureDefinition';

export type Owned = (r: Resource) => boolean;

/** The resource a report points at, when it is the subject's and the caller's to see. */
export async function readOwned<T extends Resource>(ctx: FhirContext, ref: string | undefined, owned: Owned): Promise<T | undefined> {
  if (!ref) return undefined;
  const [type, id] = ref.split('/');
  const rec = await ctx.store.read(type, id);
  if (!rec?.json || rec.deleted) return undefined;
  const r = parseFhirJson(rec.json) as T;
  return owned(r) ? r : undefined;
}

export async function analysisOf(ctx: FhirContext, r: DiagnosticReport, owned: Owned): Promise<Procedure | undefined> {
  const studyRef = normalizeRef(r.extension?.find((e) => e.url === `${IG}/genomic-study-reference`)?.valueReference?.reference, ctx.config.baseUrl);
  const study = await readOwned<Procedure>(ctx, studyRef, owned);
  const analysisRef = normalizeRef(study?.extension?.find((e) => e.url === `${IG}/genomic-study-analysis-ext`)?.valueReference?.reference, ctx.config.baseUrl);
  return readOwned<Procedure>(ctx, analysisRef, owned);
}

/**
 * A test's date, as $find-study-metadata answers it (testDate is 1..1): the report's effective[x],
 * else `issued`, else its analysis' date, else when the server recorded the report (a VCF import
 * states no date; that is the latest the test can have been done).
 */
export function testDateOf(r: DiagnosticReport, analysis: Procedure | undefined): string | undefined {
  return r.effectiveDateTime ?? r.effectivePeriod?.start ?? r.issued ?? analysis?.performedDateTime ?? analysis?.performedPeriod?.start ?? r.meta?.lastUpdated;
}

/** Whether the report states a date of its own (effective[x] or issued), which the search index holds. */
export function reportDated(r: DiagnosticReport): boolean {
  return !!(r.effectiveDateTime ?? r.effectivePeriod?.start ?? r.issued);
}
