import type { Resource } from '@medplum/fhirtypes';
import type { FhirContext } from '../context.js';
import { validationError, fhirError } from '../errors.js';
import { copyNumberText } from '../json-decimals.js';
import type { Issue } from '../outcome.js';
import { validateResource, validationErrorKey } from '../../validation/validate.js';
import { isConditionalReference, mayHoldConditionalReference, visitUrlSlots } from '../../validation/url-slots.js';

/**
 * Every resource that enters the store passes here first (create, update, patch result, each
 * Bundle entry). Structural problems answer 400, rule and profile failures 422
 * (https://hl7.org/fhir/R4/http.html#update: "422 Unprocessable Entity - the proposed resource
 * violated applicable FHIR profiles or server business rules").
 */
export function throwIfInvalid(issues: Issue[]): void {
  // The validation module owns the 400-vs-422 decision (malformed wins over rule failures).
  const key = validationErrorKey(issues);
  if (!key) return;
  throw validationError(issues.filter((i) => i.severity === 'error' || i.severity === 'fatal'), key);
}

export interface Expect {
  resourceType: string;
  /** The id from the URL (update): the body must carry the same id. */
  id?: string;
  /** Create: a client-supplied id is ignored (https://hl7.org/fhir/R4/http.html#create). */
  ignoreId?: boolean;
  /** A transaction entry: conditional references (`Patient?identifier=…`) are resolved before it is stored. */
  resolvesConditionalReferences?: boolean;
}

/** Checks the resource against the URL and validates it; returns the resource to store. */
export function prepareIncoming(ctx: FhirContext, resource: Resource, expect: Expect): Resource {
  if (typeof resource?.resourceType !== 'string') {
    throw fhirError('BAD_REQUEST', `The body has no resourceType: expected a ${expect.resourceType} resource`, `${expect.resourceType}.resourceType`);
  }
  if (resource.resourceType !== expect.resourceType) {
    throw fhirError('BAD_REQUEST', `resourceType ${String(resource.resourceType)} does not match the URL (${expect.resourceType})`, `${expect.resourceType}.resourceType`);
  }
  if (expect.id !== undefined) {
    if (resource.id === undefined) throw fhirError('BAD_REQUEST', `The resource must carry id "${expect.id}" to match the URL`, `${expect.resourceType}.id`);
    if (resource.id !== expect.id) throw fhirError('BAD_REQUEST', `Resource id "${resource.id}" does not match the URL id "${expect.id}"`, `${expect.resourceType}.id`);
  }
  let candidate = resource;
  if (expect.ignoreId && resource.id !== undefined) {
    const { id: _ignored, ...rest } = resource;
    copyNumberText(resource, rest); // decimals keep their text (json-decimals.ts)
    candidate = rest as Resource;
  }
  const issues = validateResource(candidate, { strictProfiles: ctx.config.strictProfiles });
  throwIfInvalid(issues);
  if (!expect.resolvesConditionalReferences) throwIfConditionalReference(candidate);
  if (issues.length) notes.set(candidate, issues);
  return candidate;
}

/**
 * A conditional reference (https://hl7.org/fhir/R4/http.html#trules) is resolved only inside a
 * transaction; stored as it is, `Patient?identifier=x` would be a reference to nothing (a search,
 * not a literal reference), so anywhere else it is refused with its location.
 */
function throwIfConditionalReference(resource: Resource): void {
  if (!mayHoldConditionalReference(resource)) return;
  let hit: { reference: string; path: string } | undefined;
  visitUrlSlots(resource, (s) => {
    if (hit === undefined && s.kind === 'reference' && isConditionalReference(s.value)) hit = { reference: s.value, path: s.path() };
  });
  if (hit) throw fhirError('BAD_REQUEST', `${hit.path}.reference ${hit.reference} is a conditional reference: these are resolved only inside a transaction Bundle`, `${hit.path}.reference`);
}

/** Warnings and information validation found on a resource `prepareIncoming` let through. */
const notes = new WeakMap<Resource, Issue[]>();
export function validationNotes(resource: Resource): Issue[] {
  return notes.get(resource) ?? [];
}
