import type { FhirContext, FhirRequest, FhirResponse, OperationHandler } from '../context.js';
import { fhirError, FhirError } from '../errors.js';
import { authorize } from '../../auth/authorize.js';
import { operationHandlers } from '../operations/index.js';
import { allowHeader, checkId } from './request-utils.js';
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
  // RFC 9110 §15.5.6: a 405 names the methods the target does allow. HEAD is GET without the
  // content (§9.3.2), so it goes wherever GET goes.
  const allow = { headers: { allow: allowHeader(handler.affectsState ? 'POST' : 'GET, POST') } };
  const method = req.method === 'HEAD' ? 'GET' : req.method;
  if (method !== 'POST' && method !== 'GET') throw new FhirError('METHOD_NOT_ALLOWED', `$${name} is invoked with POST${handler.affectsState ? '' : ' or GET'}`, allow);
  if (method === 'GET' && handler.affectsState) throw new FhirError('METHOD_NOT_ALLOWED', `$${name} changes state: invoke it with POST`, allow);
  if (id !== undefined) checkId(id);
  authorize(req.auth, { interaction: 'operation', resourceType: type, operation: name });
  if (method === 'POST') throwIfMalformedParameters(req.body);
  return handler.handle({ ...req, method, resourceType: type, id }, ctx);
}
