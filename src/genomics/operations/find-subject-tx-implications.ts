import { genomicsOperation } from './handler.js';
import { subjectImplications } from './subject-implications.js';

/**
 * $find-subject-tx-implications: the subject's Therapeutic Implications (optionally only those
 * resting on given variants, ranges or haplotypes, about given treatments or conditions), with
 * the Variants/Haplotypes/Genotypes they derive from and each one's evidence (report, lab, date).
 * https://hl7.org/fhir/uv/genomics-reporting/STU3/OperationDefinition-find-subject-tx-implications.html
 */
export const findSubjectTxImplications = genomicsOperation('find-subject-tx-implications', 'subject', (args) =>
  subjectImplications(args, 'tx', { implication: 'implication', findings: { variant: 'variant', haplotype: 'haplotype', genotype: 'genotype' } }));
