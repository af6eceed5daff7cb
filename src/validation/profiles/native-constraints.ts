import { dateRange } from '../../search/normalize.js';
import { isObject } from './instance-values.js';

/**
 * Base-FHIR constraints found in the IG snapshots, implemented directly with the same meaning
 * as the spec's expression. Two reasons: dom-3 uses descendants(), which @medplum/core's FHIRPath
 * engine returns empty for; and the others run on every matching element of every resource (a
 * VCF import validates millions), where a tree-walking interpreter costs ~10x a property check.
 * Any other constraint (an IG's own invariants) runs through FHIRPath, parsed once.
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

const hasChoice = (o: Record<string, unknown>, base: string) =>
  Object.keys(o).some((k) => k.length > base.length && k.startsWith(base) && /[A-Z]/.test(k[base.length]));

/**
 * ext-1: extension.exists() != value.exists() (https://hl7.org/fhir/R4/extensibility.html#invs).
 * Layer 4 checks it on every Extension (invariants/datatypes.ts), so profiles skip it.
 */
export const ext1: NativeConstraint = (v) => !isObject(v) || (Array.isArray(v.extension) && v.extension.length > 0) !== hasChoice(v, 'value');

/** dom-5: contained.meta.security.empty(). */
const dom5: NativeConstraint = (v) =>
  !isObject(v) || !Array.isArray(v.contained) || v.contained.every((c) => !isObject(c) || !isObject(c.meta) || !Array.isArray(c.meta.security) || c.meta.security.length === 0);

/** sqty-1: comparator.empty() (SimpleQuantity). */
const sqty1: NativeConstraint = (v) => !isObject(v) || v.comparator === undefined;

const SECONDS = /T\d\d:\d\d:\d\d/;

/**
 * Task inv-1: lastModified.exists().not() or authoredOn.exists().not() or lastModified >= authoredOn.
 * FHIRPath compares dateTimes of different precisions only as far as both go: '2020-05-01' >=
 * '2020-05-01T10:00:00Z' is empty, not false, and an empty constraint holds (check-profile.ts). So
 * each side is read as the range it stands for and only a lastModified wholly before authoredOn
 * fails, as per-1 does for a Period (invariants/datatypes.ts). Seconds and their fractions are one
 * precision to FHIRPath: instants compare as instants.
 */
const taskInv1: NativeConstraint = (v) => {
  if (!isObject(v) || typeof v.lastModified !== 'string' || typeof v.authoredOn !== 'string') return true;
  const modified = dateRange(v.lastModified);
  const authored = dateRange(v.authoredOn);
  if (!modified || !authored) return true; // a malformed dateTime is the structure layer's to report
  if (SECONDS.test(v.lastModified) && SECONDS.test(v.authoredOn)) return modified.s >= authored.s;
  return modified.e > authored.s; // (e is exclusive)
};

export const NATIVE_CONSTRAINTS: Partial<Record<string, NativeConstraint>> = {
  'dom-3': dom3,
  'dom-5': dom5,
  'ext-1': ext1,
  'sqty-1': sqty1,
  'inv-1': taskInv1,
};
