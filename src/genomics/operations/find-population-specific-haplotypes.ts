import type { ParametersParameter } from '@medplum/fhirtypes';
import { tokenQueryValues } from './codes.js';
import { GX } from './gx-fields.js';
import { genomicsOperation } from './handler.js';
import { group, str } from './output.js';
import { Counter } from './population.js';
import { findDocs, x } from './query.js';
import { withSourceClass } from './source-class.js';
import { STANDING } from './standing.js';

/**
 * $find-population-specific-haplotypes: per haplotype/genotype, how many patients have it.
 * https://hl7.org/fhir/uv/genomics-reporting/STU3/OperationDefinition-find-population-specific-haplotypes.html
 */
export const findPopulationSpecificHaplotypes = genomicsOperation('find-population-specific-haplotypes', 'population', async ({ inputs, ctx }) => {
  // haplotypes and genotypes state no source class: theirs is their variants' (source-class.ts)
  const source = inputs.string('genomicSourceClass');
  const counter = new Counter(ctx, inputs.boolean('includePatientList'));
  const out: ParametersParameter[] = [];
  for (const hap of inputs.strings('haplotypes')) {
    const docs = await withSourceClass(ctx, await findDocs(ctx, 'Observation', { [x(GX.haplotype)]: { $in: tokenQueryValues(hap) }, [x(GX.kind)]: { $in: ['haplotype', 'genotype'] }, ...STANDING }), source);
    out.push(group('haplotypes', [str('haplotypeItem', hap), ...(await counter.parts(docs))]));
  }
  return { parameter: out, issues: counter.issues };
});
