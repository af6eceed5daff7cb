import { genomicsOperation } from './handler.js';
import { populationRanges } from './population-ranges.js';

/**
 * $find-population-structural-intersecting-variants: per range, patients with a variant intersecting it.
 * https://hl7.org/fhir/uv/genomics-reporting/STU3/OperationDefinition-find-population-structural-intersecting-variants.html
 */
export const findPopulationStructuralIntersectingVariants = genomicsOperation('find-population-structural-intersecting-variants', 'population', (args) => populationRanges(args, 'intersect'));
