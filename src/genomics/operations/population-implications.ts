import { assemblyWarnings } from './assembly-check.js';
import { GX } from './gx-fields.js';
import type { OperationResult, RunArgs } from './handler.js';
import { type ImplicationQuery, implicationFilter, implicationQuery } from './implications.js';
import { group } from './output.js';
import { Counter } from './population.js';
import { findDocs, sourceClassFilter } from './query.js';

/** Shared body of the population implication/consequence operations: patients with a matching implication. */
export async function populationImplications({ inputs, ctx }: RunArgs, kind: ImplicationQuery['kind'], groupName: string): Promise<OperationResult> {
  const source = inputs.string('genomicSourceClass');
  // The source class is a property of the variants, so it restricts the basis findings, not the implication.
  const q = implicationQuery(inputs, kind, undefined, []);
  const filter = await implicationFilter(ctx, q);
  let docs = filter ? await findDocs(ctx, 'Observation', filter) : [];
  if (source && docs.length) {
    const basis = new Set(docs.flatMap((d) => (d.x[GX.derivedFrom] as string[] | undefined) ?? []));
    const germ = await findDocs(ctx, 'Observation', { id: { $in: [...basis].map((r) => r.split('/')[1]) }, ...sourceClassFilter(source) });
    const ok = new Set(germ.map((d) => `Observation/${d.id}`));
    docs = docs.filter((d) => ((d.x[GX.derivedFrom] as string[] | undefined) ?? []).some((r) => ok.has(r)));
  }
  const counter = new Counter(ctx, inputs.boolean('includePatientList'));
  const parts = await counter.parts(docs);
  return { parameter: [group(groupName, parts)], issues: [...(await assemblyWarnings(ctx, q.variants, undefined, 'variants')), ...counter.issues] };
}
