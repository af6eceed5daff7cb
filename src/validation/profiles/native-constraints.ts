import { isObject } from './instance-values.js';

/**
 * Constraints that @medplum/core's FHIRPath engine cannot evaluate faithfully, implemented
 * directly (same meaning as the spec's expression). Everything else runs through FHIRPath.
 * - dom-3 uses descendants(), which the engine returns empty for.
 * Returns true when the constraint holds.
 */
export type NativeConstraint = (value: unknown, resource: unknown) => boolean;

function collectReferences(v: unknown, out: string[]): void {
  if (Array.isArray(v)) for (const x of v) collectReferences(x, out);
  else if (isObject(v)) {
    for (const [k, x] of Object.entries(v)) {
      if (k === 'reference' && typeof x === 'string') out.push(x);
      else if (typeof x === 'string' && x.startsWith('#')) out.push(x); // canonical/uri/url values
      else collectReferences(x, out);
    }
  }
}

/** https://hl7.org/fhir/R4/domainresource.html#invs dom-3: every contained resource is referenced (or refers back with '#'). */
const dom3: NativeConstraint = (value) => {
  if (!isObject(value) || !Array.isArray(value.contained) || value.contained.length === 0) return true;
  const refs: string[] = [];
  collectReferences(value, refs); // %resource.descendants(): contained resources included
  return value.contained.every((c) => {
    if (!isObject(c)) return true;
    if (refs.includes(`#${String(c.id)}`)) return true;
    const own: string[] = [];
    collectReferences(c, own);
    return own.includes('#'); // the contained resource refers back to its container
  });
};

export const NATIVE_CONSTRAINTS: Partial<Record<string, NativeConstraint>> = { 'dom-3': dom3 };
