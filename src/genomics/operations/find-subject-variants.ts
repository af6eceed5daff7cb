import { genomicsOperation } from './handler.js';
import { subjectRanges } from './subject-ranges.js';

/**
 * $find-subject-variants: simple variants in the given ranges (with phasing); structural ones are the structural operations' (variant-extent.ts).
 * https://hl7.org/fhir/uv/genomics-reporting/STU3/OperationDefinition-find-subject-variants.html
 */
export const findSubjectVariants = genomicsOperation('find-subject-variants', 'subject', (args) => subjectRanges(args, 'intersect', { phasing: true, variants: 'simple' }));
