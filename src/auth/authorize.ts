import type { AuthContext } from '../fhir/context.js';

/**
 * Authorization decisions, one call per interaction (and per Bundle entry, per include target).
 * The FHIR core calls `authorize` before touching the store; it throws a 403 FhirError naming
 * the missing scope. With FHIR_AUTH=off there is no AuthContext and everything is allowed.
 * (Initial version allows everything; the security work fills it in.)
 */
export type Interaction =
  | 'read' | 'vread' | 'search' | 'history' | 'create' | 'update' | 'patch' | 'delete' | 'operation' | 'capabilities';

export interface AccessRequest {
  interaction: Interaction;
  /** Absent for system-level interactions (system history, system search, system operations). */
  resourceType?: string;
  /** For operations: the operation name without `$`. */
  operation?: string;
}

export function authorize(_auth: AuthContext | undefined, _req: AccessRequest): void {}

/** The patient compartment the caller is confined to, if any (patient-level tokens). */
export function patientRestriction(auth: AuthContext | undefined): string | undefined {
  return auth?.patient;
}

/**
 * Throws a 404 FhirError when the caller must not see this resource (outside its patient
 * compartment): FHIR answers "not found" rather than "forbidden" so existence does not leak.
 * The core calls it on every resource it returns from read, vread, history, includes and operations.
 */
export function assertCanSee(_auth: AuthContext | undefined, _resource: { resourceType: string; id?: string }): void {}
