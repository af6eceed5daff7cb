import type { Resource } from '@medplum/fhirtypes';
import { FhirError } from '../errors.js';
import { getSearchParameter, listSearchParameterIds } from '../../search/search-service.js';
import { operationDefinitionById, operationDefinitionIds } from '../operations/definitions.js';
import { allowHeader } from './request-utils.js';

/**
 * The server's own conformance resources: the SearchParameters it implements and the
 * OperationDefinitions of its operations, served from code rather than the store (the
 * CapabilityStatement points at them). They are read-only: a PUT that shadowed one would make
 * /metadata describe what the server does not do, and a DELETE could only answer 204 while the
 * definition stays readable, which http.html#delete rules out. Each has one version, 1.
 */
const cache = new Map<string, Resource>();

export function builtInResource(type: string, id: string): Resource | undefined {
  if (type !== 'SearchParameter' && type !== 'OperationDefinition') return undefined;
  const key = `${type}/${id}`;
  const hit = cache.get(key);
  if (hit) return hit;
  const def = type === 'SearchParameter' ? getSearchParameter(id) : operationDefinitionById(id);
  if (!def) return undefined; // misses are not kept: any id may be asked for
  const res = { ...def, meta: { ...def.meta, versionId: '1' } } as Resource;
  cache.set(key, res);
  return res;
}

/** The types whose built-in definitions a search finds too (built-in-search.ts). */
export const BUILT_IN_TYPES: readonly string[] = ['SearchParameter', 'OperationDefinition'];

/** Every built-in resource of `type` (none for other types). */
export function builtInResources(type: string): Resource[] {
  const ids = type === 'SearchParameter' ? listSearchParameterIds() : type === 'OperationDefinition' ? operationDefinitionIds() : [];
  return ids.map((id) => builtInResource(type, id)!).filter(Boolean);
}

/** 405 for a write aimed at a built-in definition (in a transaction as alone). */
export function refuseBuiltInWrite(type: string, id: string | undefined): void {
  if (id === undefined || !builtInResource(type, id)) return;
  throw new FhirError(
    'METHOD_NOT_ALLOWED',
    `${type}/${id} is one of the server's built-in definitions (served from its code, named by /metadata): it is read-only; store your own under another id`,
    { headers: { allow: allowHeader('GET') }, expression: `${type}.id` },
  );
}
