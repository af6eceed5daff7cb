import type { ParametersParameter } from '@medplum/fhirtypes';
import { tokenQueryValues } from './codes.js';
import { provenanceClauses } from './context-filter.js';
import { GX } from './gx-fields.js';
import { genomicsOperation } from './handler.js';
import { group, raw, str } from './output.js';
import { find, x } from './query.js';
import { hitsWithSourceClass } from './source-class.js';
import { STANDING } from './standing.js';

/**
 * $find-subject-haplotypes: the subject's Haplotype and Genotype Observations for each gene
 * (gene-studied component, token `system|code`, bare code, or gene symbol).
 * https://hl7.org/fhir/uv/genomics-reporting/STU3/OperationDefinition-find-subject-haplotypes.html
 */
export const findSubjectHaplotypes = genomicsOperation('find-subject-haplotypes', 'subject', async (args) => {
  const { inputs, ctx, subject } = args;
  const clauses = await provenanceClauses(args, false);
  const source = inputs.string('genomicSourceClass');
  const out: ParametersParameter[] = [];
  for (const gene of inputs.strings('genes')) {
    const hits = await hitsWithSourceClass(ctx, await find(ctx, 'Observation', {
      [x(GX.subjectKind)]: { $in: [`${subject}|haplotype`, `${subject}|genotype`] },
      [x(GX.gene)]: { $in: tokenQueryValues(gene) },
      ...STANDING,
      ...(clauses.length ? { $and: clauses } : {}),
    }), source);
    const part: ParametersParameter[] = [str('geneItem', gene)];
    for (const h of hits) part.push(raw((h.doc.x[GX.kind] as string[])[0] === 'genotype' ? 'genotype' : 'haplotype', h));
    out.push(group('haplotypes', part));
  }
  return { parameter: out };
});
