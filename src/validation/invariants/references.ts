/**
 * Reference rules (https://hl7.org/fhir/R4/references.html#Reference):
 * - ref-1: a local reference (`#id`) must point at a contained resource of the container
 *   (`#` alone points at the container itself);
 * - a Reference says something: at least one of reference, identifier or display, unless an
 *   extension carries the meaning (R5 made this ref-2; applied here for data quality).
 */
export function checkReference(
  ref: Record<string, unknown>,
  path: string,
  containedIds: ReadonlySet<string>,
  report: (diagnostics: string, expression: string) => void,
): void {
  if (brokenLocal(ref, containedIds)) {
    report(`${path}.reference '${String(ref.reference)}' does not match the id of a contained resource (ref-1)`, `${path}.reference`);
  }
  if (saysNothing(ref)) report(`${path} must have a reference, an identifier or a display (ref-2)`, path);
}

/** Whether checkReference would report anything (decided without building the location). */
export function referenceNeedsReport(ref: Record<string, unknown>, containedIds: ReadonlySet<string>): boolean {
  return brokenLocal(ref, containedIds) || saysNothing(ref);
}

/** ref-1 broken: a local `#id` that no contained resource has. */
function brokenLocal(ref: Record<string, unknown>, containedIds: ReadonlySet<string>): boolean {
  const target = ref.reference;
  return typeof target === 'string' && target.startsWith('#') && target !== '#' && !containedIds.has(target.slice(1));
}

/** ref-2 broken: none of reference, identifier, display (or an extension, or their primitive extensions). */
function saysNothing(ref: Record<string, unknown>): boolean {
  return !('reference' in ref || 'identifier' in ref || 'display' in ref || 'extension' in ref || '_reference' in ref || '_display' in ref);
}
