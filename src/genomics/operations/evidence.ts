import type { DiagnosticReport, Extension, Observation, Reference } from '@medplum/fhirtypes';
import { canSee } from '../../auth/authorize.js';
import type { AuthContext, FhirContext } from '../../fhir/context.js';
import { GX } from './gx-fields.js';
import { find, findDocs, x } from './query.js';

/**
 * Coverage evidence for reviewers (payers): each implication in a tx/dx answer carries, as an
 * extension on its Parameters entry, the genomic report(s) it comes from — report reference,
 * status, issued, performer (lab), specimen, method/test and test identifiers — so "which test,
 * when, by whom" is answered without a second request. Extensions on Parameters.parameter keep the
 * answer conformant to the OperationDefinition (no extra output parameters).
 */
export const EVIDENCE_URL = 'http://fhir-genomics-server/StructureDefinition/genomic-evidence';

/**
 * The subject's reports listing any of the given Observations in `result` (or via one of the
 * subject's grouping Observations), those the caller may read. Anyone may list anyone's
 * Observation in a report, so a report (and its accession, specimen, order) about another
 * patient is never evidence here. Every status counts: the evidence states it, so a reviewer
 * sees a retracted report rather than none.
 */
export async function reportsFor(ctx: FhirContext, refs: string[], subject: string, auth: AuthContext | undefined): Promise<Map<string, DiagnosticReport[]>> {
  const byRef = new Map<string, DiagnosticReport[]>();
  if (!refs.length) return byRef;
  // `x.subject` is the search index (grouping Observations are of no genomic kind: no gx-subject)
  const groupers = await findDocs(ctx, 'Observation', { [x(GX.member)]: { $in: refs }, 'x.subject': subject }, 10_000);
  const parentOf = new Map<string, string[]>();
  for (const g of groupers) for (const m of g.x[GX.member] as string[]) parentOf.set(m, [...(parentOf.get(m) ?? []), `Observation/${g.id}`]);
  const all = [...new Set([...refs, ...[...parentOf.values()].flat()])];
  // Withdrawn reports (entered-in-error, cancelled) are evidence too, with their status: left out,
  // a finding whose only report was retracted read as "no report lists it", under its own `final`
  const reports = (await find<DiagnosticReport>(ctx, 'DiagnosticReport', { [x(GX.result)]: { $in: all }, [x(GX.subject)]: subject }, 10_000))
    .filter((r) => canSee(auth, r.resource));
  for (const ref of refs) {
    const via = new Set([ref, ...(parentOf.get(ref) ?? [])]);
    const hits = reports.filter((r) => ((r.doc.x[GX.result] as string[]) ?? []).some((res) => via.has(res))).map((r) => r.resource);
    if (hits.length) byRef.set(ref, hits);
  }
  return byRef;
}

/** The evidence extension for one implication, from its reports and the findings it rests on. */
export function evidenceExtension(implication: Observation, reports: DiagnosticReport[], findings: Observation[]): Extension[] {
  const out: Extension[] = [];
  for (const r of reports) {
    const parts: Extension[] = [{ url: 'report', valueReference: { reference: `DiagnosticReport/${r.id}`, display: r.code?.text ?? r.code?.coding?.[0]?.display } }];
    parts.push({ url: 'status', valueCode: r.status });
    if (r.issued) parts.push({ url: 'issued', valueInstant: r.issued });
    const when = r.effectiveDateTime ?? r.effectivePeriod?.start;
    if (when) parts.push({ url: 'effective', valueDateTime: when });
    for (const p of refsOr(r.performer, implication.performer)) parts.push({ url: 'performer', valueReference: p });
    const obsSpecimens = [implication.specimen, ...findings.map((f) => f.specimen)].filter((v) => !!v) as Reference[];
    for (const s of refsOr(r.specimen, obsSpecimens)) {
      parts.push({ url: 'specimen', valueReference: s });
    }
    const method = findings.find((f) => f.method)?.method ?? implication.method ?? r.code;
    if (method) parts.push({ url: 'method', valueCodeableConcept: method });
    for (const id of r.identifier ?? []) parts.push({ url: 'testIdentifier', valueIdentifier: id });
    for (const b of r.basedOn ?? []) parts.push({ url: 'basedOn', valueReference: b });
    out.push({ url: EVIDENCE_URL, extension: parts });
  }
  if (!reports.length) {
    // No report lists it: still say who produced the implication and when.
    const parts: Extension[] = [{ url: 'status', valueCode: implication.status }];
    if (implication.issued) parts.push({ url: 'issued', valueInstant: implication.issued });
    for (const p of implication.performer ?? []) parts.push({ url: 'performer', valueReference: p });
    out.push({ url: EVIDENCE_URL, extension: parts });
  }
  return out;
}

function refsOr(primary: Reference[] | undefined, fallback: Reference[] | undefined): Reference[] {
  const seen = new Set<string>();
  return (primary?.length ? primary : fallback ?? []).filter((r) => {
    const k = r.reference ?? r.display ?? '';
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}
