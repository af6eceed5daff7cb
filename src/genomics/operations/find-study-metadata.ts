import type { CodeableConcept, DiagnosticReport, DocumentReference, Extension, ParametersParameter, Procedure, Resource, Specimen } from '@medplum/fhirtypes';
import { canSee, mayReadType } from '../../auth/authorize.js';
import { resourcePatients } from '../../auth/compartment.js';
import type { FhirContext } from '../../fhir/context.js';
import type { Build } from '../assemblies.js';
import { ASSEMBLY_LOINC } from '../variant-notation/accession.js';
import { tokenQueryValues } from './codes.js';
import { normalizeRef } from './genomic-index.js';
import { GX } from './gx-fields.js';
import { genomicsOperation } from './handler.js';
import { parseRange } from './inputs.js';
import { testDateFilter } from './test-dates.js';
import { specimenRefs } from './specimen-inputs.js';
import { group, str } from './output.js';
import { type Filter, find, findDocs, x } from './query.js';
import { regionsWithin } from './study-regions.js';
import { assemblyWarnings } from './assembly-check.js';
import { subjectOwns } from './subject-owned.js';
import { STANDING } from './standing.js';
import { analysisOf, IG, type Owned, readOwned, reportDated, testDateOf } from './study-analysis.js';

/**
 * $find-study-metadata: the subject's genomic tests (genomic reports), filtered by identifier,
 * date and specimen; per test its id, date, specimen, genome build and DNA change types (from
 * the linked genomic study analysis, else from the assemblies of its Variants), and — when ranges
 * are given — the studied and uncallable regions within them.
 * https://hl7.org/fhir/uv/genomics-reporting/STU3/OperationDefinition-find-study-metadata.html
 */
export const findStudyMetadata = genomicsOperation('find-study-metadata', 'subject', async ({ inputs, ctx, req, subject }) => {
  const owned = (r: Resource) => subjectOwns(ctx, req, subject, r);
  // A region file (BED) is often about no patient (a panel's regions, as the IG's examples are):
  // it is read when the caller holds a read right on DocumentReference and it is about no
  // patient but the subject, since the analysis' reference is whatever its writer typed.
  const subjectId = subject.startsWith('Patient/') ? subject.slice('Patient/'.length) : undefined;
  const regionFileReadable = (d: DocumentReference) =>
    mayReadType(req.auth, 'DocumentReference') && resourcePatients(d, ctx.config.baseUrl).every((p) => p === subjectId);
  const ranges = inputs.strings('ranges').map((r) => parseRange(r));
  const filter: Filter = { [x(GX.subject)]: subject, [x(GX.kind)]: 'report', ...STANDING };
  const testIds = inputs.strings('testIdentifiers');
  if (testIds.length) filter[x(GX.testId)] = { $in: testIds.flatMap(tokenQueryValues) };
  const dates = testDateFilter(inputs.raw('testDateRange')[0]);
  if (dates) filter.$and = [dates.filter];
  const specimenIds = inputs.strings('specimenIdentifiers');
  if (specimenIds.length) {
    filter[x(GX.specimen)] = { $in: await specimenRefs(ctx, req.auth, specimenIds) };
  }
  const out: ParametersParameter[] = [];
  for (const { resource: r } of await find<DiagnosticReport>(ctx, 'DiagnosticReport', filter, 1000)) {
    // A test is a report's content (identifier, dates): a caller granted Observation rights only
    // (what the operation's rule checks) may not read it, as the implications' evidence drops it.
    if (!canSee(req.auth, r)) continue;
    const analysis = await analysisOf(ctx, r, owned);
    // testDate is 1..1: a report with no date of its own is dated by its analysis, else by when it
    // was recorded (study-analysis.ts), and testDateRange compares that same date
    const date = testDateOf(r, analysis);
    if (dates && !reportDated(r) && !dates.undated(date)) continue;
    const part: ParametersParameter[] = [str('testId', r.identifier?.[0]?.value ?? `DiagnosticReport/${r.id}`)];
    if (date) part.push({ name: 'testDate', valueDateTime: date });
    const specimenRef = normalizeRef(r.specimen?.[0]?.reference, ctx.config.baseUrl);
    if (specimenRef) part.push(str('specimenId', await specimenId(ctx, specimenRef, owned)));
    const build = ext(analysis, `${IG}/genomic-study-analysis-genome-build`)[0]?.valueCodeableConcept ?? (await buildFromResults(ctx, r));
    if (build) part.push({ name: 'genomicBuild', valueCodeableConcept: build });
    const changes = ext(analysis, `${IG}/genomic-study-analysis-change-type`).flatMap((e) => e.valueCodeableConcept?.coding ?? []);
    if (changes.length) part.push({ name: 'dnaChangeType', valueCodeableConcept: { coding: changes } });
    if (ranges.length) {
      const regions = ext(analysis, `${IG}/genomic-study-analysis-regions`)[0]?.extension ?? [];
      const ref = (url: string) => normalizeRef(regions.find((e) => e.url === url)?.valueReference?.reference, ctx.config.baseUrl);
      const b = build?.coding?.map((c) => ASSEMBLY_LOINC[c.code ?? '']).find(Boolean) as Build | undefined;
      part.push(str('regionStudied', await regionsWithin(ctx, ref('studied'), b, ranges, regionFileReadable)));
      part.push(str('uncallableRegions', await regionsWithin(ctx, ref('uncalled'), b, ranges, regionFileReadable)));
    }
    out.push(group('tests', part));
  }
  // regions asked on one build of data studied on the other are flagged, as the variant operations do
  return { parameter: out, issues: ranges.length ? await assemblyWarnings(ctx, ranges, subject, 'ranges') : [] };
});

function ext(p: Procedure | undefined, url: string): Extension[] {
  return (p?.extension ?? []).filter((e) => e.url === url);
}

async function specimenId(ctx: FhirContext, ref: string, owned: Owned): Promise<string> {
  const s = await readOwned<Specimen>(ctx, ref, owned);
  return s?.identifier?.[0]?.value ?? s?.accessionIdentifier?.value ?? ref;
}

async function buildFromResults(ctx: FhirContext, r: DiagnosticReport): Promise<CodeableConcept | undefined> {
  const ids = (r.result ?? []).map((ref) => normalizeRef(ref.reference, ctx.config.baseUrl)).filter((v): v is string => !!v?.startsWith('Observation/')).map((v) => v.slice(12));
  if (!ids.length) return undefined;
  const docs = await findDocs(ctx, 'Observation', { id: { $in: ids }, [x(GX.assembly)]: { $exists: true, $ne: [] } }, 1);
  const asm = (docs[0]?.x[GX.assembly] as string[] | undefined)?.[0]?.split('|')[0];
  if (!asm) return undefined;
  const code = Object.entries(ASSEMBLY_LOINC).find(([, a]) => a === asm)![0];
  return { coding: [{ system: 'http://loinc.org', code, display: asm }] };
}
