/**
 * FHIRPath-style locations for issues (https://hl7.org/fhir/R4/operationoutcome-definitions.html#OperationOutcome.issue.expression):
 * `Observation.component[3].valueString`.
 */

/** JSON pointer segments (`/component/3/valueString`), unescaped per RFC 6901. */
export function pointerSegments(pointer: string): string[] {
  if (!pointer) return [];
  return pointer.slice(1).split('/').map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}

/** Segments → `Root.a[0].b`; numeric segments become indexes on the previous element. */
export function toExpression(root: string, segments: readonly (string | number)[]): string {
  let out = root;
  for (const s of segments) {
    out += typeof s === 'number' || /^\d+$/.test(s) ? `[${s}]` : `.${s}`;
  }
  return out;
}

export function pointerToExpression(root: string, pointer: string): string {
  return toExpression(root, pointerSegments(pointer));
}

/**
 * Re-roots an expression computed for a nested resource (`Observation.status`) under the place
 * where that resource sits (`Bundle.entry[2].resource` → `Bundle.entry[2].resource.status`).
 */
export function rebaseExpression(expression: string, resourceType: string, prefix: string): string {
  if (expression === resourceType) return prefix;
  if (expression.startsWith(resourceType + '.') || expression.startsWith(resourceType + '[')) {
    return prefix + expression.slice(resourceType.length);
  }
  return `${prefix}.${expression}`;
}
