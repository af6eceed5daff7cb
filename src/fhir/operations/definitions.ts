import type { OperationDefinition } from '@medplum/fhirtypes';
import { genomicsOperationDefinitions } from '../../genomics/operations/definitions.js';
import { CORE_OPERATION_DEFINITIONS } from './core-definitions.js';

/**
 * The OperationDefinition of every operation the server implements, by id: the Genomics
 * Reporting IG's vendored definitions and the server's own ($validate, $everything, $import-vcf).
 * Served at /fhir/OperationDefinition/{id} and used for the OpenAPI parameters.
 */
export function operationDefinitionById(id: string): OperationDefinition | undefined {
  return genomicsOperationDefinitions().get(id) ?? (Object.hasOwn(CORE_OPERATION_DEFINITIONS, id) ? CORE_OPERATION_DEFINITIONS[id] : undefined);
}
