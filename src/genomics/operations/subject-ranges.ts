import type { Observation, ParametersParameter } from '@medplum/fhirtypes';
import { assemblyWarnings } from './assembly-check.js';
import { provenanceClauses } from './context-filter.js';
import type { OperationResult, RunArgs } from './handler.js';
import { parseRange } from './inputs.js';
import { bool, group, res, str } from './output.js';
import { type Filter, find, type Hit, kindFilter, type RangeMode, rangeFilter, refOf, type VariantClass } from './query.js';
import { GX } from './gx-fields.js';
import { STANDING } from './standing.js';
import { variantAnswer } from './zero-based.js';

/**
 * Shared body of $find-subject-variants and the two structural operations: for each range, is
 * there a Variant of the subject (a simple one, or a structural one) that intersects (or
 * subsumes) it, and which.
 */
export async function subjectRanges(args: RunArgs, mode: RangeMode, opts: { phasing: boolean; variants: VariantClass }): Promise<OperationResult> {
  const { inputs, ctx, subject } = args;
  const ranges = inputs.strings('ranges').map((r) => parseRange(r));
  const clauses = await provenanceClauses(args);
  const includePhasing = opts.phasing && inputs.boolean('includePhasing');
  const includeVariants = includePhasing || inputs.boolean('includeVariants');
  const answered: Array<{ range: (typeof ranges)[number]; hits: Hit[] }> = [];
  for (const range of ranges) {
    const filter: Filter = { ...rangeFilter(range, mode, subject, opts.variants), ...(clauses.length ? { $and: clauses } : {}) };
    answered.push({ range, hits: await find(ctx, 'Observation', filter, includeVariants ? undefined : 1) });
  }
  // The definition puts sequencePhaseRelationship inside each range's group, "between returned
  // variants": the variants the whole answer returns, so a relationship whose ends fall in two
  // ranges is answered in each group holding one of its ends (not dropped from both).
  const phases = includePhasing ? await phaseRelationships(ctx, subject, answered.flatMap(({ hits }) => hits.map((h) => refOf(h.doc)))) : [];
  const out: ParametersParameter[] = [];
  for (const { range, hits } of answered) {
    const part: ParametersParameter[] = [str('rangeItem', range.text), bool('presence', hits.length > 0)];
    if (includeVariants) for (const h of hits) part.push(variantAnswer('variant', h));
    const here = new Set(hits.map((h) => refOf(h.doc)));
    for (const p of phases) if (p.ends.some((r) => here.has(r))) part.push(res('sequencePhaseRelationship', p.resource));
    out.push(group('variants', part));
  }
  return { parameter: out, issues: await assemblyWarnings(ctx, ranges, subject, 'ranges') };
}

/** Sequence-phase-relationship Observations between variants of the answer (every end in it). */
async function phaseRelationships(ctx: RunArgs['ctx'], subject: string, variantRefs: string[]): Promise<Array<{ resource: Observation; ends: string[] }>> {
  const set = new Set(variantRefs);
  if (set.size < 2) return [];
  const hits = await find<Observation>(ctx, 'Observation', { ...kindFilter('phase', subject), [`x.${GX.derivedFrom}`]: { $in: [...set] }, ...STANDING });
  return hits.map((h) => ({ resource: h.resource, ends: (h.doc.x[GX.derivedFrom] as string[] | undefined) ?? [] }))
    .filter((p) => p.ends.every((r) => set.has(r)));
}
