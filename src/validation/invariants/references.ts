import { referenceType } from '../../search/normalize.js';
import { isResourceType } from '../resource-types.js';

/**
 * The contained resources a local reference (`#id`) may name: id → resource type ('' when the
 * contained resource names none). Those of the container being validated, for its own references
 * and for its contained resources' references to their siblings.
 */
export type ContainedIds = ReadonlyMap<string, string>;

/** id → resource type ('' when it names none) of each contained resource with an id (the first, for a repeated id: reported by checkContainedIds). */
export function containedIdsOf(contained: unknown): ContainedIds {
  const out = new Map<string, string>();
  if (!Array.isArray(contained)) return out;
  for (const c of contained) {
    if (c === null || typeof c !== 'object') continue;
    const { id, resourceType } = c as Record<string, unknown>;
    if (typeof id === 'string' && !out.has(id)) out.set(id, typeof resourceType === 'string' ? resourceType : '');
  }
  return out;
}

/**
 * Reference rules (https://hl7.org/fhir/R4/references.html#Reference):
 * - ref-1: a local reference (`#id`) must point at a contained resource of the container
 *   (`#` alone points at the container itself);
 * - a Reference says something: at least one of reference, identifier or display, unless an
 *   extension carries the meaning (R5 made this ref-2; applied here for data quality);
 * - it points at a type the element allows (wrongTarget).
 */
export function checkReference(
  ref: Record<string, unknown>,
  path: string,
  containedIds: ContainedIds,
  report: (diagnostics: string, expression: string) => void,
): void {
  if (brokenLocal(ref, containedIds)) {
    report(`${path}.reference '${String(ref.reference)}' does not match the id of a contained resource (ref-1)`, `${path}.reference`);
  }
  if (saysNothing(ref)) report(`${path} must have a reference, an identifier or a display (ref-2)`, path);
  const clash = typeDisagrees(ref);
  if (clash) report(`${path}.type says ${clash[1]} but its reference points at a ${clash[0]}`, `${path}.type`);
}

/** Whether checkReference would report anything (decided without building the location). */
export function referenceNeedsReport(ref: Record<string, unknown>, containedIds: ContainedIds): boolean {
  return brokenLocal(ref, containedIds) || saysNothing(ref) || typeDisagrees(ref) !== undefined;
}

/** ref-1 broken: a local `#id` that no contained resource has. */
function brokenLocal(ref: Record<string, unknown>, containedIds: ContainedIds): boolean {
  const target = ref.reference;
  return typeof target === 'string' && target.startsWith('#') && target !== '#' && !containedIds.has(target.slice(1));
}

/** ref-2 broken: none of reference, identifier, display (or an extension, or their primitive extensions). */
function saysNothing(ref: Record<string, unknown>): boolean {
  return !('reference' in ref || 'identifier' in ref || 'display' in ref || 'extension' in ref || '_reference' in ref || '_display' in ref);
}

/**
 * The resource type a Reference's `reference` names, when it names one: `Type/id` (relative,
 * absolute or version-specific). Local (`#id`), `urn:` and logical (identifier-only) references
 * name none here.
 */
function urlType(ref: Record<string, unknown>): string | undefined {
  const r = ref.reference;
  if (typeof r !== 'string' || r.startsWith('#') || r.startsWith('urn:')) return undefined;
  const type = referenceType(r);
  // an absolute URL need not be a FHIR REST address (`…/api/Variant/123`): only a real type counts
  return type !== undefined && isResourceType(type) ? type : undefined;
}

/** Reference.type: a type name, or its absolute form `http://hl7.org/fhir/StructureDefinition/Patient`. */
function declaredType(ref: Record<string, unknown>): string | undefined {
  if (typeof ref.type !== 'string') return undefined;
  const t = ref.type.startsWith(CORE_SD) ? ref.type.slice(CORE_SD.length) : ref.type;
  return isResourceType(t) ? t : undefined;
}
const CORE_SD = 'http://hl7.org/fhir/StructureDefinition/';

/** The type of the contained resource a local reference (`#id`) names; `#` alone (the container) names none here. */
function localType(ref: Record<string, unknown>, contained: ContainedIds | undefined): string | undefined {
  const r = ref.reference;
  if (contained === undefined || typeof r !== 'string' || r.length < 2 || r.charCodeAt(0) !== 35) return undefined;
  const type = contained.get(r.slice(1));
  return type !== undefined && isResourceType(type) ? type : undefined;
}

/**
 * The element's target types (`DiagnosticReport.result`: Reference(Observation)): a reference to
 * another type is refused, as the FHIR validator does, whether its URL, its `type` or the
 * contained resource it names (`contained`) says the type. Returns the wrong type, or undefined.
 */
export function wrongTarget(ref: Record<string, unknown>, targets: ReadonlySet<string>, contained?: ContainedIds): string | undefined {
  const fromUrl = urlType(ref);
  const declared = declaredType(ref);
  const local = localType(ref, contained);
  if (local !== undefined && !targets.has(local)) return local;
  if (fromUrl !== undefined && !targets.has(fromUrl)) return fromUrl;
  if (declared !== undefined && !targets.has(declared)) return declared;
  return undefined;
}

/** A Reference whose `type` names another type than its `reference` URL (`Observation/1` typed Patient). */
export function typeDisagrees(ref: Record<string, unknown>): [string, string] | undefined {
  // (every Reference of every write comes here: most have no type, and their URL is not parsed)
  const declared = declaredType(ref);
  if (declared === undefined) return undefined;
  const fromUrl = urlType(ref);
  return fromUrl !== undefined && fromUrl !== declared ? [fromUrl, declared] : undefined;
}

/** wrongTarget over one Reference or an array of them (the compiled clean check's form). */
export function targetsOk(v: unknown, targets: ReadonlySet<string>, contained: ContainedIds): boolean {
  if (Array.isArray(v)) return v.every((x) => targetsOk(x, targets, contained));
  return v === null || typeof v !== 'object' || wrongTarget(v as Record<string, unknown>, targets, contained) === undefined;
}
