import { genomicsOperation } from './handler.js';
import { populationImplications } from './population-implications.js';

/**
 * $find-population-molecular-consequences: patients with a Molecular Consequence matching the variants/feature consequences.
 * https://hl7.org/fhir/uv/genomics-reporting/STU3/OperationDefinition-find-population-molecular-consequences.html
 */
export const findPopulationMolecularConsequences = genomicsOperation('find-population-molecular-consequences', 'population', (args) => populationImplications(args, 'mc', 'consequences'));
