import { parseFhirJson } from '../../fhir/json-decimals.js';
import type { Observation, ParametersParameter } from '@medplum/fhirtypes';
import { normalizeRef } from './genomic-index.js';
import { observationKind } from './genomic-index.js';
import { assemblyWarnings } from './assembly-check.js';
import { provenanceClauses } from './context-filter.js';
import { evidenceExtension, reportsFor } from './evidence.js';
import type { OperationResult, RunArgs } from './handler.js';
import { type ImplicationQuery, implicationFilter, implicationQuery } from './implications.js';
import { raw } from './output.js';
import { subjectOwns } from './subject-owned.js';
import { hitsWithSourceClass } from './source-class.js';
import { standsPresent } from './standing.js';
import { find, refOf } from './query.js';

/**
 * Shared body of $find-subject-tx-implications, -dx-implications and -molecular-consequences:
 * the implications, then every finding they are derived from (the definitions require the
 * `derivedFrom` targets in the answer), each implication with its evidence chain.
 */
export async function subjectImplications(
  args: RunArgs,
  kind: ImplicationQuery['kind'],
  names: { implication: string; findings: Partial<Record<string, string>> },
): Promise<OperationResult> {
  const { inputs, ctx, req, subject } = args;
  // implications state no source class: theirs is their basis' (source-class.ts)
  const clauses = await provenanceClauses(args, false);
  const q = implicationQuery(inputs, kind, subject, clauses);
  const selection = await implicationFilter(ctx, q);
  const found = selection ? (await find(ctx, 'Observation', selection.filter)).filter((h) => selection.keep(h.doc)) : [];
  const hits = await hitsWithSourceClass(ctx, found, inputs.string('genomicSourceClass'));
  const findings = new Map<string, Observation>();
  const findingJson = new Map<string, string>();
  for (const h of hits) {
    for (const d of h.resource.derivedFrom ?? []) {
      const ref = normalizeRef(d.reference, ctx.config.baseUrl);
      if (!ref || findings.has(ref) || !ref.startsWith('Observation/')) continue;
      const rec = await ctx.store.read('Observation', ref.slice(12));
      if (!rec?.json || rec.deleted) continue;
      const f = parseFhirJson(rec.json) as Observation;
      // derivedFrom is whatever the implication's writer typed, and ids are guessable (VCF ids are
      // hashes of the call): a finding joins the answer only when it is about the subject itself
      // (being in its compartment as a performer is not enough) and the caller may see it.
      if (normalizeRef(f.subject?.reference, ctx.config.baseUrl) !== subject || !subjectOwns(ctx, req, subject, f)) continue;
      if (!standsPresent(f)) continue; // withdrawn findings and absent calls are no basis (standing.ts)
      findings.set(ref, f);
      findingJson.set(ref, rec.json);
    }
  }
  const evidence = kind === 'mc' ? undefined : await reportsFor(ctx, [...hits.map((h) => refOf(h.doc)), ...findings.keys()], subject, req.auth);
  const out: ParametersParameter[] = [];
  for (const h of hits) {
    const p = raw(names.implication, h);
    if (evidence) {
      const own = (h.resource.derivedFrom ?? []).map((d) => normalizeRef(d.reference, ctx.config.baseUrl)!).filter((r) => findings.has(r));
      const reports = [...new Map([refOf(h.doc), ...own].flatMap((r) => evidence.get(r) ?? []).map((r) => [r.id, r])).values()];
      p.extension = evidenceExtension(h.resource, reports, own.map((r) => findings.get(r)!));
    }
    out.push(p);
  }
  for (const [ref, f] of findings) {
    const name = names.findings[observationKind(f) ?? ''];
    if (name) out.push(raw(name, { json: findingJson.get(ref)! }));
  }
  const issues = await assemblyWarnings(ctx, [...q.variants, ...q.ranges.map((r) => ({ ...r, param: 'ranges' }))], subject, 'variants');
  return { parameter: out, issues };
}
