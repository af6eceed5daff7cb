import { isResourceType } from '../resource-types.js';

/**
 * What a versioned canonical (`…/variant|2.0.0`, `…/StructureDefinition/Observation|5.0.0`) names
 * against what this server holds (https://hl7.org/fhir/R4/references.html#canonical): the IG
 * profiles in 3.0.0, the base resource definitions in FHIR R4 4.0.1. A claim or request of another
 * version is checked against the held one, and the answer says so, for either kind alike.
 */
export const R4_BASE = 'http://hl7.org/fhir/StructureDefinition/';
export const R4_VERSION = '4.0.1';

/** The resource type whose base R4 definition `url` (without version) is, else undefined. */
export function baseDefinitionType(url: string): string | undefined {
  if (!url.startsWith(R4_BASE)) return undefined;
  const type = url.slice(R4_BASE.length);
  return isResourceType(type) ? type : undefined;
}

/**
 * Whether the version a canonical gives (`''`: none) names the held one: the same, or its
 * major.minor (`4.0` for 4.0.1), which a semver canonical may give for any patch release
 * (https://hl7.org/fhir/R5/references.html#canonical-matching).
 */
export function namesHeldVersion(given: string, held: string): boolean {
  if (given === '' || given === held) return true;
  const [major, minor] = held.split('.');
  return given === `${major}.${minor}`;
}

/** The remark for a canonical naming another version than the held one, which the resource was checked against. */
export function otherVersionRemark(canonical: string, held: string): string {
  const what = held === R4_VERSION && baseDefinitionType(canonical.split('|')[0]!) ? `version ${held} (FHIR R4)` : `version ${held}`;
  return `Profile ${canonical}: this server holds ${what} of it, and checked the resource against that`;
}
