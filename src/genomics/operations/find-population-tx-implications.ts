import { genomicsOperation } from './handler.js';
import { populationImplications } from './population-implications.js';

/**
 * $find-population-tx-implications: patients with a Therapeutic Implication matching the variants/haplotypes/treatments/conditions.
 * https://hl7.org/fhir/uv/genomics-reporting/STU3/OperationDefinition-find-population-tx-implications.html
 */
export const findPopulationTxImplications = genomicsOperation('find-population-tx-implications', 'population', (args) => populationImplications(args, 'tx', 'implications'));
