import type { Issue } from '../../fhir/outcome.js';
import { compiledProfile } from './compile-profile.js';
import { checkResource } from './check-profile.js';
import { detectProfile } from './detect-profile.js';
import { igPackage, IG_CANONICAL, stripVersion } from './ig-package.js';
import { rebaseExpression } from '../expression.js';

/**
 * Layer 3 of validation (DESIGN.md): Genomics Reporting IG 3.0.0 profiles. Runs after the
 * structural layer. Profiles are compiled once, on first use, from the vendored snapshots
 * (compile-profile.ts); each request only walks the resource.
 */
export interface ProfileOptions {
  /** Extra profiles to check (the `profile` parameter of $validate). */
  profiles?: string[];
  /** IG-coded resources without meta.profile: errors instead of warnings. */
  strictProfiles?: boolean;
}

function claimedProfiles(resource: Record<string, unknown>): string[] {
  const meta = resource.meta as { profile?: unknown } | undefined;
  return Array.isArray(meta?.profile) ? meta.profile.filter((p): p is string => typeof p === 'string') : [];
}

export function validateProfiles(resource: Record<string, unknown>, opts: ProfileOptions = {}): Issue[] {
  const issues: Issue[] = [];
  const requested = new Set((opts.profiles ?? []).map(stripVersion));
  const urls = new Set([...claimedProfiles(resource).map(stripVersion), ...requested]);
  let checked = 0;
  for (const url of urls) {
    const profile = compiledProfile(url);
    if (profile) {
      checked++;
      issues.push(...checkResource(profile, resource, 'error'));
    } else if (requested.has(url)) {
      // Asked for explicitly ($validate?profile=) but not known: say so rather than pass silently.
      issues.push({
        severity: 'error',
        code: 'not-supported',
        diagnostics: `Profile ${url} is not known to this server (Genomics Reporting IG 3.0.0 profiles under ${IG_CANONICAL}/StructureDefinition/ are)`,
      });
    }
    // Other claimed profiles (base FHIR, other IGs) are not checked here: the structural layer covers base FHIR.
  }
  if (checked === 0) {
    const detected = detectProfile(resource);
    const profile = detected && compiledProfile(detected.profile);
    if (detected && profile) {
      const note = ` [not claimed in meta.profile; inferred from code ${detected.code}]`;
      const severity = opts.strictProfiles ? 'error' : 'warning';
      issues.push(...checkResource(profile, resource, severity, note));
    }
  }
  return issues;
}

/**
 * The call validate.ts makes for each resource it meets (the top one and nested ones such as
 * Bundle entries): issues are located under `root` (`Bundle.entry[2].resource…`). `profiles`
 * ($validate's profile parameter) applies to the top-level resource only.
 */
export function profileIssuesAt(resource: Record<string, unknown>, root: string, top: boolean, opts: ProfileOptions): Issue[] {
  const issues = validateProfiles(resource, { strictProfiles: opts.strictProfiles, profiles: top ? opts.profiles : undefined });
  const type = String(resource.resourceType);
  if (root === type) return issues;
  return issues.map((i) => ({ ...i, expression: i.expression?.map((e) => rebaseExpression(e, type, root)) }));
}

/** Canonical URLs of every vendored profile and extension (for the CapabilityStatement and docs). */
export function supportedProfiles(): string[] {
  return [...igPackage().structureDefinitions.values()].filter((sd) => sd.kind === 'resource' && !sd.abstract).map((sd) => sd.url);
}
