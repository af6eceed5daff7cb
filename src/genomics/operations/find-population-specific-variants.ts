import type { ParametersParameter } from '@medplum/fhirtypes';
import { assemblyWarnings } from './assembly-check.js';
import { tokenQueryValues } from './codes.js';
import { GX } from './gx-fields.js';
import { genomicsOperation } from './handler.js';
import { parseVariant } from './inputs.js';
import { group, str } from './output.js';
import { Counter } from './population.js';
import { findDocs, variantFilter, x } from './query.js';
import type { IndexedDoc } from '../../storage/types.js';

/**
 * $find-population-specific-variants: for each variant (SPDI or HGVS), how many patients have it.
 * https://hl7.org/fhir/uv/genomics-reporting/STU3/OperationDefinition-find-population-specific-variants.html
 */
export const findPopulationSpecificVariants = genomicsOperation('find-population-specific-variants', 'population', async ({ inputs, ctx }) => {
  const variants = inputs.strings('variants').map((v) => parseVariant(v));
  const source = inputs.string('genomicSourceClass');
  const extra = source ? { [x(GX.sourceClass)]: { $in: tokenQueryValues(source) } } : {};
  const counter = new Counter(ctx, inputs.boolean('includePatientList'));
  const out: ParametersParameter[] = [];
  for (const v of variants) {
    const docs: IndexedDoc[] = [];
    for (const f of variantFilter(v, undefined)) docs.push(...(await findDocs(ctx, 'Observation', { ...f, ...extra })));
    out.push(group('variants', [str('variantItem', v.text), ...(await counter.parts(docs))]));
  }
  return { parameter: out, issues: [...(await assemblyWarnings(ctx, variants, undefined, 'variants')), ...counter.issues] };
});
