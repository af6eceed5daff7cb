import type { ParametersParameter } from '@medplum/fhirtypes';
import { assemblyWarnings } from './assembly-check.js';
import { provenanceClauses } from './context-filter.js';
import { genomicsOperation } from './handler.js';
import { parseVariant } from './inputs.js';
import { bool, group, str } from './output.js';
import { variantHits } from './query.js';
import { matchedAsSimple } from './simple-match.js';
import { variantAnswer } from './zero-based.js';

/**
 * $find-subject-specific-variants: is each given simple variant (SPDI or HGVS) present in the subject?
 * SPDI and genomic HGVS forms of the same change match each other (variant-notation/); other HGVS
 * (c./p. on transcripts) match the same HGVS text stored on the Variant.
 * https://hl7.org/fhir/uv/genomics-reporting/STU3/OperationDefinition-find-subject-specific-variants.html
 */
export const findSubjectSpecificVariants = genomicsOperation('find-subject-specific-variants', 'subject', async (args) => {
  const { inputs, ctx, subject } = args;
  const variants = inputs.strings('variants').map((v) => parseVariant(v));
  const clauses = await provenanceClauses(args);
  const out: ParametersParameter[] = [];
  for (const v of variants) {
    // simple variants only: a structural Variant with this HGVS is the structural operations' answer
    const hits = (await variantHits(ctx, v, subject, clauses.length ? { $and: clauses } : {})).filter((h) => matchedAsSimple(v, h.doc));
    out.push(group('variants', [str('variantItem', v.text), bool('presence', hits.length > 0), ...hits.map((h) => variantAnswer('variant', h))]));
  }
  return { parameter: out, issues: await assemblyWarnings(ctx, variants, subject, 'variants') };
});
