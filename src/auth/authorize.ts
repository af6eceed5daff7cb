import type { AuthContext } from '../fhir/context.js';
import { fhirError, FhirError } from '../fhir/errors.js';
import { inPatientCompartment, onlyInPatientCompartment } from './compartment.js';
import { operationRule } from './operation-rules.js';
import { parseScopes, type Permission, type Scope } from './scopes.js';

/**
 * Authorization decisions, one call per interaction (and per Bundle entry, per include target).
 * The FHIR core calls `authorize` before touching the store; it throws a 403 FhirError naming
 * the missing scope. With FHIR_AUTH=off there is no AuthContext and everything is allowed.
 *
 * Rules (SMART scopes v1 and v2, https://hl7.org/fhir/smart-app-launch/scopes-and-launch-context.html):
 * - read, vread → `r`; search → `s`; history → `r` or `s`; create → `c`; update, patch → `u`;
 *   delete → `d`; operations per src/auth/operation-rules.ts.
 * - `patient/` scopes count only for tokens that carry a `patient` claim, and such tokens are
 *   confined to that patient's compartment whatever their scopes say.
 * - AuditEvent is readable only with a scope naming AuditEvent itself (`system/AuditEvent.rs`):
 *   `*` wildcards never reach the audit trail, and nobody writes it through the API.
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

const PERMISSION: Record<Exclude<Interaction, 'operation' | 'capabilities'>, Permission> = {
  read: 'r',
  vread: 'r',
  // History returns whole resources (as read does) across ids (as search does): `r` is asked,
  // and every entry is then filtered by canSee.
  history: 'r',
  search: 's',
  create: 'c',
  update: 'u',
  patch: 'u',
  delete: 'd',
};

export const AUDIT_TYPE = 'AuditEvent';

/** Parsed scopes per AuthContext, computed once per token (contexts are built per request). */
const parsed = new WeakMap<AuthContext, { scopes: Scope[]; baseUrl?: string }>();

/** Called by the token verifier: caches the parsed scopes and the base URL for absolute references. */
export function attachGrants(auth: AuthContext, baseUrl?: string): AuthContext {
  parsed.set(auth, { scopes: usableScopes(auth, parseScopes(auth.scopes)), baseUrl });
  return auth;
}

function usableScopes(auth: AuthContext, scopes: Scope[]): Scope[] {
  return scopes.filter((s) => s.level !== 'patient' || auth.patient !== undefined);
}

function grants(auth: AuthContext): { scopes: Scope[]; baseUrl?: string } {
  let g = parsed.get(auth);
  if (!g) {
    g = { scopes: usableScopes(auth, parseScopes(auth.scopes)) };
    parsed.set(auth, g);
  }
  return g;
}

/** Whether the token holds permission `p` on `resourceType` (undefined = every type, needs `*`). */
export function hasPermission(auth: AuthContext, resourceType: string | undefined, p: Permission): boolean {
  for (const s of grants(auth).scopes) {
    if (!s.permissions.has(p)) continue;
    if (resourceType === undefined) {
      if (s.resourceType === '*') return true;
    } else if (s.resourceType === resourceType || (s.resourceType === '*' && resourceType !== AUDIT_TYPE)) {
      return true;
    }
  }
  return false;
}

function level(auth: AuthContext): string {
  return auth.patient !== undefined ? 'patient' : 'system';
}

function forbidden(auth: AuthContext, type: string | undefined, letters: string, what: string): FhirError {
  const t = type ?? '*';
  const v1 = letters === 'r' || letters === 's' || letters === 'rs' ? 'read' : 'write';
  const scope = `${level(auth)}/${t}.${letters}`;
  return new FhirError('FORBIDDEN', `Missing scope ${scope} (or ${level(auth)}/${t}.${v1}) to ${what}`, {
    // RFC 6750 §3.1: tell the client which scope would have been enough.
    headers: { 'www-authenticate': `Bearer realm="fhir", error="insufficient_scope", scope="${scope}"` },
  });
}

function demand(auth: AuthContext, type: string | undefined, letters: Permission[], what: string): void {
  for (const p of letters) if (!hasPermission(auth, type, p)) throw forbidden(auth, type, letters.join(''), what);
}

export function authorize(auth: AuthContext | undefined, req: AccessRequest): void {
  if (!auth || req.interaction === 'capabilities') return;
  const type = req.resourceType;
  if (req.interaction === 'operation') return authorizeOperation(auth, type, req.operation ?? '');
  const p = PERMISSION[req.interaction];
  if (type === AUDIT_TYPE && p !== 'r' && p !== 's') {
    throw fhirError('FORBIDDEN', 'The audit trail is written by the server only: AuditEvents cannot be created, changed or deleted');
  }
  if (req.interaction === 'history' && hasPermission(auth, type, 's')) return;
  demand(auth, type, [p], `${req.interaction} ${type ?? 'across all types'}`);
}

function authorizeOperation(auth: AuthContext, invokedOn: string | undefined, name: string): void {
  const rule = operationRule(name);
  if (!rule.patientTokens && auth.patient !== undefined) {
    throw fhirError('FORBIDDEN', `$${name} is not available to patient-level tokens: it reaches beyond one patient's compartment`);
  }
  const type = rule.type ?? invokedOn;
  if (!rule.permissions.length) {
    if (hasPermission(auth, type, 'c') || hasPermission(auth, type, 'u')) return;
    throw forbidden(auth, type, 'cu', `invoke $${name}`);
  }
  demand(auth, type, rule.permissions, `invoke $${name}`);
}

/** The patient compartment the caller is confined to, if any (patient-level tokens). */
export function patientRestriction(auth: AuthContext | undefined): string | undefined {
  return auth?.patient;
}

/**
 * Whether the caller may see this resource: it holds a read or search right on its type, and a
 * patient-level token only sees its own compartment. Search (includes, revincludes), history,
 * Bundles and operations use it to drop what is outside.
 */
export function canSee(auth: AuthContext | undefined, resource: { resourceType: string; id?: string }): boolean {
  return mayReadType(auth, resource.resourceType) && inOwnCompartment(auth, resource);
}

/** Whether the caller holds a read or search right on `resourceType` (any caller, without auth). */
export function mayReadType(auth: AuthContext | undefined, resourceType: string): boolean {
  return !auth || hasPermission(auth, resourceType, 'r') || hasPermission(auth, resourceType, 's');
}

/** Whether a resource is in the caller's patient compartment (always true for a token without a patient). */
export function inOwnCompartment(auth: AuthContext | undefined, resource: { resourceType: string; id?: string }): boolean {
  if (auth?.patient === undefined) return true;
  return inPatientCompartment(resource, auth.patient, grants(auth).baseUrl);
}

/**
 * Throws a 404 FhirError when the caller must not see this resource (outside its patient
 * compartment): FHIR answers "not found" rather than "forbidden" so existence does not leak.
 * The core calls it on every resource it returns from read, vread, history, includes and operations.
 */
export function assertCanSee(auth: AuthContext | undefined, resource: { resourceType: string; id?: string }): void {
  if (!canSee(auth, resource)) throw fhirError('NOT_FOUND', `${resource.resourceType}/${resource.id ?? ''} is not known`);
}

/**
 * For writes by a patient-level token: the incoming resource must land inside the token's
 * compartment (a patient app cannot file data into someone else's record).
 */
export function assertCanWrite(auth: AuthContext | undefined, resource: { resourceType: string; id?: string }): void {
  if (!auth || auth.patient === undefined) return;
  if (!onlyInPatientCompartment(resource, auth.patient, grants(auth).baseUrl)) {
    throw fhirError('FORBIDDEN', `A patient-level token can only write resources in the compartment of Patient/${auth.patient} (and of no other patient)`);
  }
}
