import type { Issue } from '../../fhir/outcome.js';
import { compiledProfile, type CompiledProfile, type ElementRule } from './compile-profile.js';
import { planOf } from './rule-plan.js';
import { TARGET_RULE } from './reference-targets.js';
import { checkResource } from './check-profile.js';
import { detectProfile } from './detect-profile.js';
import { igPackage, IG_CANONICAL, IG_VERSION, stripVersion } from './ig-package.js';
import { rebaseExpression } from '../expression.js';
import { baseDefinitionType, namesHeldVersion, otherVersionRemark, R4_VERSION } from './canonical-version.js';

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

/** meta.profile as sent (nulls paired with `_profile` keep their places: issues name the index). */
function listedProfiles(resource: Record<string, unknown>): unknown[] {
  const meta = resource.meta as { profile?: unknown } | undefined;
  return Array.isArray(meta?.profile) ? meta.profile : [];
}

export function validateProfiles(resource: Record<string, unknown>, opts: ProfileOptions = {}): Issue[] {
  const issues: Issue[] = [];
  const requested = new Set((opts.profiles ?? []).map(stripVersion));
  const listed = listedProfiles(resource);
  const claimed = listed.filter((p): p is string => typeof p === 'string');
  const urls = new Set([...claimed.map(stripVersion), ...requested]);
  const type = String(resource.resourceType);
  let checked = 0;
  for (const url of urls) {
    if (baseDefinitionType(url) !== undefined) continue; // base R4: layer 2's; the remarks about claims and requests are below
    const profile = compiledProfile(url);
    if (profile) checked++;
    if (profile && profile.type !== type) {
      // a claim that cannot hold: said where it is made (the claim, or $validate's profile), as a base definition of another type is (below)
      const claim = listed.findIndex((p) => typeof p === 'string' && stripVersion(p) === url);
      const at = claim >= 0 ? `${type}.meta.profile[${claim}]` : 'profile';
      issues.push({ severity: 'error', code: 'processing', diagnostics: `Profile ${profile.name} (${profile.url}) applies to ${profile.type} resources, not ${type}: the resource cannot conform to it`, expression: [at] });
    } else if (profile) {
      issues.push(...checkResource(profile, resource, 'error'));
    } else if (requested.has(url)) {
      // Asked for explicitly ($validate?profile=) but not known: say so rather than pass silently.
      issues.push({
        severity: 'error',
        code: 'not-supported',
        diagnostics: `Profile ${url} is not known to this server (Genomics Reporting IG 3.0.0 profiles under ${IG_CANONICAL}/StructureDefinition/ are)`,
        expression: ['profile'],
      });
    }
    // Other claimed profiles (base FHIR, other IGs) are not checked here: the structural layer
    // covers base FHIR; below, the client is told which of its claims were not checked.
  }
  // What each canonical asked for ($validate's profile) or claimed (meta.profile) names against
  // what this server holds; without a word, $validate would answer "All OK" about a version it
  // never looked at.
  for (const canonical of opts.profiles ?? []) {
    const issue = canonicalRemark(canonical, type, 'request');
    if (issue) issues.push({ ...issue, expression: ['profile'] });
  }
  listed.forEach((canonical, i) => {
    // (an empty canonical: the schema says so)
    if (typeof canonical !== 'string' || !stripVersion(canonical)) return;
    const issue = canonicalRemark(canonical, type, 'claim');
    if (issue) issues.push({ ...issue, expression: [`${type}.meta.profile[${i}]`] });
  });
  // A resource may claim a general profile (genomic-base) and carry a code of a specific one
  // (Variant): the specific one is inferred and checked as for an unprofiled resource.
  const detected = detectProfile(resource);
  if (detected && !urls.has(detected.profile)) {
    const profile = compiledProfile(detected.profile);
    if (profile) {
      const note = checked ? ` [inferred from code ${detected.code}; meta.profile claims another profile]` : ` [not claimed in meta.profile; inferred from code ${detected.code}]`;
      const severity = opts.strictProfiles ? 'error' : 'warning';
      issues.push(...checkResource(profile, resource, severity, note));
    }
  }
  return issues;
}

/**
 * After a transaction has resolved a resource's references (`urn:uuid:…` → `Type/id`): the errors
 * of the reference targets its profiles narrow (reference-targets.ts), which the validation of
 * the entry could not judge while the references named no type. Base R4's targets are checked
 * there (fhir/bundle/references.ts). Only profiles with narrowed targets a value can reach run
 * again: none of the Variants, Genotypes… that make up a VCF import has any (their narrowed
 * targets sit in slices told apart by resolve(), which are never matched).
 */
export function profileTargetErrors(resource: Record<string, unknown>, opts: Pick<ProfileOptions, 'strictProfiles'> = {}): Issue[] {
  const urls = listedProfiles(resource).filter((p): p is string => typeof p === 'string');
  const detected = detectProfile(resource)?.profile;
  if (detected) urls.push(detected);
  if (!urls.some((u) => { const p = compiledProfile(u); return p !== undefined && reachesTargets(p); })) return [];
  return validateProfiles(resource, opts).filter((i) => i.rule === TARGET_RULE && (i.severity === 'error' || i.severity === 'fatal'));
}

const reaches = new WeakMap<CompiledProfile, boolean>();

/** Whether a value can meet a rule with narrowed targets in this profile (or the extension profiles its elements use). */
function reachesTargets(profile: CompiledProfile, seen = new Set<string>()): boolean {
  const known = reaches.get(profile);
  if (known !== undefined) return known;
  seen.add(profile.url);
  const visit = (rule: ElementRule): boolean =>
    rule.targets !== undefined ||
    rule.children.some(visit) ||
    (!planOf(rule).undecidable && rule.slices.some(visit)) ||
    rule.typeProfiles.some((p) => {
      const nested = compiledProfile(p);
      return nested !== undefined && !seen.has(nested.url) && reachesTargets(nested, seen);
    });
  const out = visit(profile.root);
  reaches.set(profile, out);
  return out;
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

/**
 * The remark on one canonical, asked for (`request`) or claimed (`claim`), located by the caller:
 * - the base R4 definition of the type is what layer 2 checks, in 4.0.1: another version warns;
 * - that of another type cannot hold: an error (not-supported for a request, which cannot be
 *   checked; processing for a claim, which fails, as an IG profile of another type does);
 * - an IG profile is checked in the vendored version: another version warns;
 * - a claim of an unknown profile warns, as the FHIR validator does (the resource may be stored,
 *   but nobody should think it was checked; an unknown request is an error, validateProfiles).
 */
function canonicalRemark(canonical: string, type: string, kind: 'request' | 'claim'): Omit<Issue, 'expression'> | undefined {
  const url = stripVersion(canonical);
  const version = canonical.slice(url.length + 1);
  const base = baseDefinitionType(url);
  if (base === type) return namesHeldVersion(version, R4_VERSION) ? undefined : { severity: 'warning', code: 'not-supported', diagnostics: otherVersionRemark(canonical, R4_VERSION) };
  if (base !== undefined) {
    return kind === 'request'
      ? { severity: 'error', code: 'not-supported', diagnostics: `Profile ${canonical} is the base definition of ${base}, not of ${type}` }
      : { severity: 'error', code: 'processing', diagnostics: `Profile ${canonical} is the base definition of ${base}, not of ${type}: the resource cannot conform to it` };
  }
  if (!compiledProfile(url)) {
    return kind === 'claim' ? { severity: 'warning', code: 'not-supported', diagnostics: `Profile ${canonical} is not known to this server: the resource was not checked against it` } : undefined;
  }
  return namesHeldVersion(version, IG_VERSION) ? undefined : { severity: 'warning', code: 'not-supported', diagnostics: otherVersionRemark(canonical, IG_VERSION) };
}
