import type { Resource } from '@medplum/fhirtypes';
import type { FhirContext } from '../context.js';
import { validationError, fhirError } from '../errors.js';
import type { Issue } from '../outcome.js';
import { validateResource } from '../../validation/validate.js';

/**
 * Every resource that enters the store passes here first (create, update, patch result, each
 * Bundle entry). Structural problems answer 400, rule and profile failures 422
 * (https://hl7.org/fhir/R4/http.html#update: "422 Unprocessable Entity - the proposed resource
 * violated applicable FHIR profiles or server business rules").
 */
const STRUCTURAL = new Set(['structure', 'required', 'value', 'invalid', 'too-long']);

export function throwIfInvalid(issues: Issue[]): void {
  const errors = issues.filter((i) => i.severity === 'error' || i.severity === 'fatal');
  if (!errors.length) return;
  const structural = errors.some((i) => STRUCTURAL.has(i.code));
  throw validationError(errors, structural ? 'INVALID_RESOURCE' : 'UNPROCESSABLE');
}

export interface Expect {
  resourceType: string;
  /** The id from the URL (update): the body must carry the same id. */
  id?: string;
  /** Create: a client-supplied id is ignored (https://hl7.org/fhir/R4/http.html#create). */
  ignoreId?: boolean;
}

/** Checks the resource against the URL and validates it; returns the resource to store. */
export function prepareIncoming(ctx: FhirContext, resource: Resource, expect: Expect): Resource {
  if (resource.resourceType !== expect.resourceType) {
    throw fhirError('BAD_REQUEST', `resourceType ${String(resource.resourceType)} does not match the URL (${expect.resourceType})`, 'resourceType');
  }
  if (expect.id !== undefined) {
    if (resource.id === undefined) throw fhirError('BAD_REQUEST', `The resource must carry id "${expect.id}" to match the URL`, `${expect.resourceType}.id`);
    if (resource.id !== expect.id) throw fhirError('BAD_REQUEST', `Resource id "${resource.id}" does not match the URL id "${expect.id}"`, `${expect.resourceType}.id`);
  }
  let candidate = resource;
  if (expect.ignoreId && resource.id !== undefined) {
    const { id: _ignored, ...rest } = resource;
    candidate = rest as Resource;
  }
  throwIfInvalid(validateResource(candidate, { strictProfiles: ctx.config.strictProfiles }));
  return candidate;
}
