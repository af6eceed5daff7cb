import type { OperationDefinition } from '@medplum/fhirtypes';
import type { OperationHandler } from '../context.js';
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

/** The definition a handler's CapabilityStatement entry names (`OperationDefinition/{id}`, else its name as id). */
export function operationDefinitionOf(h: Pick<OperationHandler, 'name' | 'definition'>): OperationDefinition | undefined {
  const local = h.definition?.startsWith('OperationDefinition/') ? h.definition.slice('OperationDefinition/'.length) : undefined;
  return operationDefinitionById(local ?? h.name);
}

/** The ids of every definition operationDefinitionById serves (a search over them lists these). */
export function operationDefinitionIds(): string[] {
  return [...genomicsOperationDefinitions().keys(), ...Object.keys(CORE_OPERATION_DEFINITIONS)];
}
