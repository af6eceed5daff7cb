import type { ParametersParameter } from '@medplum/fhirtypes';
import { assemblyWarnings } from './assembly-check.js';
import { genomicsOperation } from './handler.js';
import { parseVariant } from './inputs.js';
import { group, str } from './output.js';
import { Counter } from './population.js';
import { sourceClassFilter, variantDocs } from './query.js';
import { matchedAsSimple } from './simple-match.js';

/**
 * $find-population-specific-variants: for each simple variant (SPDI or HGVS), how many patients have it.
 * https://hl7.org/fhir/uv/genomics-reporting/STU3/OperationDefinition-find-population-specific-variants.html
 */
export const findPopulationSpecificVariants = genomicsOperation('find-population-specific-variants', 'population', async ({ inputs, ctx }) => {
  const variants = inputs.strings('variants').map((v) => parseVariant(v));
  const source = inputs.string('genomicSourceClass');
  const extra = sourceClassFilter(source);
  const counter = new Counter(ctx, inputs.boolean('includePatientList'));
  const out: ParametersParameter[] = [];
  for (const v of variants) {
    // the subject operation's question, counted: simple variants only (simple-match.ts)
    const docs = (await variantDocs(ctx, v, undefined, extra)).filter((d) => matchedAsSimple(v, d));
    out.push(group('variants', [str('variantItem', v.text), ...(await counter.parts(docs))]));
  }
  return { parameter: out, issues: [...(await assemblyWarnings(ctx, variants, undefined, 'variants')), ...counter.issues] };
});
