import { assemblyWarnings } from './assembly-check.js';
import type { OperationResult, RunArgs } from './handler.js';
import { type ImplicationQuery, implicationFilter, implicationQuery } from './implications.js';
import { group } from './output.js';
import { Counter } from './population.js';
import { findDocs } from './query.js';
import { withSourceClass } from './source-class.js';

/** Shared body of the population implication/consequence operations: patients with a matching implication. */
export async function populationImplications({ inputs, ctx }: RunArgs, kind: ImplicationQuery['kind'], groupName: string): Promise<OperationResult> {
  // The source class is a property of the variants, so it restricts the basis findings, not the implication.
  const q = implicationQuery(inputs, kind, undefined, []);
  const selection = await implicationFilter(ctx, q);
  const found = selection ? (await findDocs(ctx, 'Observation', selection.filter)).filter(selection.keep) : [];
  const docs = await withSourceClass(ctx, found, inputs.string('genomicSourceClass'));
  const counter = new Counter(ctx, inputs.boolean('includePatientList'));
  const parts = await counter.parts(docs);
  return { parameter: [group(groupName, parts)], issues: [...(await assemblyWarnings(ctx, q.variants, undefined, 'variants')), ...counter.issues] };
}
