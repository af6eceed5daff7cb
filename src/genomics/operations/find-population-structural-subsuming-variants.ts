import { genomicsOperation } from './handler.js';
import { populationRanges } from './population-ranges.js';

/**
 * $find-population-structural-subsuming-variants: per range, patients with a variant wholly containing it.
 * https://hl7.org/fhir/uv/genomics-reporting/STU3/OperationDefinition-find-population-structural-subsuming-variants.html
 */
export const findPopulationStructuralSubsumingVariants = genomicsOperation('find-population-structural-subsuming-variants', 'population', (args) => populationRanges(args, 'subsume'));
