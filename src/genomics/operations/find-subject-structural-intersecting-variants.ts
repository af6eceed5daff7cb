import { genomicsOperation } from './handler.js';
import { subjectRanges } from './subject-ranges.js';

/**
 * $find-subject-structural-intersecting-variants: variants that intersect the given ranges.
 * https://hl7.org/fhir/uv/genomics-reporting/STU3/OperationDefinition-find-subject-structural-intersecting-variants.html
 */
export const findSubjectStructuralIntersectingVariants = genomicsOperation('find-subject-structural-intersecting-variants', 'subject', (args) => subjectRanges(args, 'intersect', { phasing: false, variants: 'structural' }));
