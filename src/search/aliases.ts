/**
 * Parameters whose R4 expression is exactly the union of two other parameters of the same type
 * (e.g. Observation `combo-code` = `Observation.code | Observation.component.code` = `code` ∪
 * `component-code`). They are not indexed a second time: the compiler turns a clause on them into
 * an `$or` over the two parts. This roughly halves the index of a Genomics Reporting Variant
 * (a dozen coded components), which matters at a million variants.
 */
export const UNION_ALIASES: Record<string, Record<string, [string, string]>> = {
  Observation: {
    'combo-code': ['code', 'component-code'],
    'combo-data-absent-reason': ['data-absent-reason', 'component-data-absent-reason'],
    'combo-value-concept': ['value-concept', 'component-value-concept'],
    'combo-value-quantity': ['value-quantity', 'component-value-quantity'],
    'combo-code-value-concept': ['code-value-concept', 'component-code-value-concept'],
    'combo-code-value-quantity': ['code-value-quantity', 'component-code-value-quantity'],
  },
};

/** The index fields that hold a parameter's values (one, or two for a union alias). */
export function indexFields(resourceType: string | undefined, code: string): string[] {
  const alias = resourceType ? UNION_ALIASES[resourceType]?.[code] : undefined;
  return alias ? [...alias] : [code];
}
