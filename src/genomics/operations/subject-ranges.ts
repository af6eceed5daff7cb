import type { Observation, ParametersParameter } from '@medplum/fhirtypes';
import { assemblyWarnings } from './assembly-check.js';
import { provenanceClauses } from './context-filter.js';
import type { OperationResult, RunArgs } from './handler.js';
import { parseRange } from './inputs.js';
import { bool, group, res, str } from './output.js';
import { type Filter, find, kindFilter, type RangeMode, rangeFilter, refOf, type VariantClass } from './query.js';
import { GX } from './gx-fields.js';
import { STANDING } from './standing.js';
import { variantAnswer } from './zero-based.js';

/**
 * Shared body of $find-subject-variants and the two structural operations: for each range, is
 * there a Variant of the subject (a simple one, or a structural one) that intersects (or
 * subsumes) it, and which.
 */
export async function subjectRanges({ inputs, ctx, subject }: RunArgs, mode: RangeMode, opts: { phasing: boolean; variants: VariantClass }): Promise<OperationResult> {
  const ranges = inputs.strings('ranges').map((r) => parseRange(r));
  const clauses = await provenanceClauses(ctx, inputs, subject);
  const includePhasing = opts.phasing && inputs.boolean('includePhasing');
  const includeVariants = includePhasing || inputs.boolean('includeVariants');
  const out: ParametersParameter[] = [];
  for (const range of ranges) {
    const filter: Filter = { ...rangeFilter(range, mode, subject, opts.variants), ...(clauses.length ? { $and: clauses } : {}) };
    const hits = await find(ctx, 'Observation', filter, includeVariants ? undefined : 1);
    const part: ParametersParameter[] = [str('rangeItem', range.text), bool('presence', hits.length > 0)];
    if (includeVariants) for (const h of hits) part.push(variantAnswer('variant', h));
    if (includePhasing && hits.length > 1) {
      for (const p of await phaseRelationships(ctx, subject, hits.map((h) => refOf(h.doc)))) part.push(res('sequencePhaseRelationship', p));
    }
    out.push(group('variants', part));
  }
  return { parameter: out, issues: await assemblyWarnings(ctx, ranges, subject, 'ranges') };
}

/** Sequence-phase-relationship Observations between variants of the answer (both ends in it). */
async function phaseRelationships(ctx: RunArgs['ctx'], subject: string, variantRefs: string[]): Promise<Observation[]> {
  const set = new Set(variantRefs);
  const hits = await find(ctx, 'Observation', { ...kindFilter('phase', subject), [`x.${GX.derivedFrom}`]: { $in: variantRefs }, ...STANDING });
  return hits.filter((h) => ((h.doc.x[GX.derivedFrom] as string[]) ?? []).every((r) => set.has(r))).map((h) => h.resource);
}
