import type { FhirContext, FhirRequest, FhirResponse, OperationHandler } from '../context.js';
import { fhirError } from '../errors.js';
import { authorize } from '../../auth/authorize.js';
import { operationHandlers } from '../operations/index.js';
import { checkId } from './request-utils.js';
import { throwIfMalformedParameters } from '../operations/parameters-shell.js';

/**
 * `$operation` dispatch at system, type and instance level
 * (https://hl7.org/fhir/R4/operations.html#executing): POST always, GET only for operations that
 * do not change state. The list in src/fhir/operations/index.ts drives both this and the
 * CapabilityStatement.
 */
export type Level = 'system' | 'type' | 'instance';

export function findOperation(name: string, level: Level, type?: string): OperationHandler | undefined {
  return operationHandlers.find(
    (h) => h.name === name && h.levels.includes(level) && (level === 'system' || !h.resourceTypes?.length || h.resourceTypes.includes(type!)),
  );
}

export async function invokeOperation(ctx: FhirContext, req: FhirRequest, name: string, type?: string, id?: string): Promise<FhirResponse> {
  const level: Level = id !== undefined ? 'instance' : type !== undefined ? 'type' : 'system';
  const handler = findOperation(name, level, type);
  if (!handler) {
    const where = level === 'system' ? 'system level' : `${level} level for ${type}`;
    throw fhirError('UNKNOWN_ROUTE', `Operation $${name} is not supported at ${where}`);
  }
  if (req.method !== 'POST' && req.method !== 'GET') throw fhirError('METHOD_NOT_ALLOWED', `$${name} is invoked with POST${handler.affectsState ? '' : ' or GET'}`);
  if (req.method === 'GET' && handler.affectsState) throw fhirError('METHOD_NOT_ALLOWED', `$${name} changes state: invoke it with POST`);
  if (id !== undefined) checkId(id);
  authorize(req.auth, { interaction: 'operation', resourceType: type, operation: name });
  if (req.method === 'POST') throwIfMalformedParameters(req.body);
  return handler.handle({ ...req, resourceType: type, id }, ctx);
}
