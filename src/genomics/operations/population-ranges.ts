import type { ParametersParameter } from '@medplum/fhirtypes';
import { assemblyWarnings } from './assembly-check.js';
import type { OperationResult, RunArgs } from './handler.js';
import { parseRange } from './inputs.js';
import { group, str } from './output.js';
import { Counter } from './population.js';
import { findDocs, type RangeMode, rangeFilter, sourceClassFilter } from './query.js';

/** Shared body of the two population structural operations: patients with a structural variant intersecting / subsuming each range. */
export async function populationRanges({ inputs, ctx }: RunArgs, mode: RangeMode): Promise<OperationResult> {
  const ranges = inputs.strings('ranges').map((r) => parseRange(r));
  const source = inputs.string('genomicSourceClass');
  const extra = sourceClassFilter(source);
  const counter = new Counter(ctx, inputs.boolean('includePatientList'));
  const out: ParametersParameter[] = [];
  for (const range of ranges) {
    const docs = await findDocs(ctx, 'Observation', { ...rangeFilter(range, mode, undefined, 'structural'), ...extra });
    out.push(group('variants', [str('rangeItem', range.text), ...(await counter.parts(docs))]));
  }
  return { parameter: out, issues: [...(await assemblyWarnings(ctx, ranges, undefined, 'ranges')), ...counter.issues] };
}
