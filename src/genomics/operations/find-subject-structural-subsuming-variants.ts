import { genomicsOperation } from './handler.js';
import { subjectRanges } from './subject-ranges.js';

/**
 * $find-subject-structural-subsuming-variants: variants that wholly contain the given ranges (inner extent for structural variants with uncertain ends).
 * https://hl7.org/fhir/uv/genomics-reporting/STU3/OperationDefinition-find-subject-structural-subsuming-variants.html
 */
export const findSubjectStructuralSubsumingVariants = genomicsOperation('find-subject-structural-subsuming-variants', 'subject', (args) => subjectRanges(args, 'subsume', { phasing: false, variants: 'structural' }));
