import type { ParametersParameter } from '@medplum/fhirtypes';
import { tokenQueryValues } from './codes.js';
import { provenanceClauses } from './context-filter.js';
import { GX } from './gx-fields.js';
import { genomicsOperation } from './handler.js';
import { bool, group, raw, str } from './output.js';
import { find, x } from './query.js';
import { hitsWithSourceClass } from './source-class.js';
import { STANDING } from './standing.js';

/**
 * $find-subject-specific-haplotypes: is each haplotype/genotype (token `system|code`, bare code,
 * or its name such as `CYP2C19*2/*2`) among the subject's Haplotype/Genotype Observations?
 * https://hl7.org/fhir/uv/genomics-reporting/STU3/OperationDefinition-find-subject-specific-haplotypes.html
 */
export const findSubjectSpecificHaplotypes = genomicsOperation('find-subject-specific-haplotypes', 'subject', async (args) => {
  const { inputs, ctx, subject } = args;
  const clauses = await provenanceClauses(args, false);
  const source = inputs.string('genomicSourceClass');
  const out: ParametersParameter[] = [];
  for (const hap of inputs.strings('haplotypes')) {
    const hits = await hitsWithSourceClass(ctx, await find(ctx, 'Observation', {
      [x(GX.subjectKind)]: { $in: [`${subject}|haplotype`, `${subject}|genotype`] },
      [x(GX.haplotype)]: { $in: tokenQueryValues(hap) },
      ...STANDING,
      ...(clauses.length ? { $and: clauses } : {}),
    }), source);
    const part: ParametersParameter[] = [str('haplotypeItem', hap), bool('presence', hits.length > 0)];
    for (const h of hits) part.push(raw((h.doc.x[GX.kind] as string[])[0] === 'genotype' ? 'genotype' : 'haplotype', h));
    out.push(group('haplotypes', part));
  }
  return { parameter: out };
});
