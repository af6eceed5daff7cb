import { genomicsOperation } from './handler.js';
import { populationImplications } from './population-implications.js';

/**
 * $find-population-dx-implications: patients with a Diagnostic Implication matching the variants/haplotypes/conditions.
 * https://hl7.org/fhir/uv/genomics-reporting/STU3/OperationDefinition-find-population-dx-implications.html
 */
export const findPopulationDxImplications = genomicsOperation('find-population-dx-implications', 'population', (args) => populationImplications(args, 'dx', 'implications'));
