import type { Issue } from '../fhir/outcome.js';

/**
 * The one decision of which HTTP status a validation result deserves
 * (https://hl7.org/fhir/R4/http.html#update): 400 when the content is malformed or fails basic
 * FHIR structure (unknown or missing elements, wrong types, bad values and codes), 422 when it is
 * well-formed but breaks a rule (invariants, profiles, business rules). Malformed wins.
 */
const MALFORMED: ReadonlySet<string> = new Set(['structure', 'required', 'value', 'invalid', 'too-long', 'not-supported', 'security']);

const isError = (i: Issue): boolean => i.severity === 'error' || i.severity === 'fatal';

export function hasErrors(issues: readonly Issue[]): boolean {
  return issues.some(isError);
}

/** 200 when nothing stops the resource (warnings only), else 400 or 422. */
export function validationStatus(issues: readonly Issue[]): 200 | 400 | 422 {
  const errors = issues.filter(isError);
  if (!errors.length) return 200;
  return errors.some((i) => MALFORMED.has(String(i.code))) ? 400 : 422;
}

/** The error-catalog key matching validationStatus (src/fhir/errors.ts). */
export function validationErrorKey(issues: readonly Issue[]): 'INVALID_RESOURCE' | 'UNPROCESSABLE' | undefined {
  const status = validationStatus(issues);
  return status === 400 ? 'INVALID_RESOURCE' : status === 422 ? 'UNPROCESSABLE' : undefined;
}
