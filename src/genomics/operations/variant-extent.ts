/**
 * Which of a Variant's location components give its extent. A precise variant states its exact
 * extent (exact-start-end, 81254-5); an imprecise structural variant states, instead or as well,
 * an outer (81301-4) and an inner (81302-2) start-end: its breakpoints lie somewhere between the
 * two, so the outer range holds every base it may affect and the inner range the bases it
 * certainly affects (Genomics Reporting IG 3.0.0 Variant profile,
 * https://hl7.org/fhir/uv/genomics-reporting/STU3/StructureDefinition-variant.html).
 *
 * - `outer`: what intersection questions read ($find-subject-variants, the structural
 *   intersecting operations, and the `genomic-region` search parameter), so that every place that
 *   asks "does this variant touch that region" gives the same answer;
 * - `inner`: what subsumption reads (the structural subsuming operations): the bases the variant
 *   certainly covers. An imprecise variant's outer range is a confidence interval, not a certain
 *   extent, so without an inner range it has none and subsumes no range (an `<INS>` with only
 *   CIPOS: IG "subsume" is the variant wholly containing the range, which nothing here says).
 *
 * Generic over what a range is, so the operations' genomic index (genomic-index.ts) and the search
 * indexer (search/genomics-params.ts) apply the one rule to ranges they read in their own form.
 */
export interface VariantExtent<T> {
  outer: T;
  inner: T | undefined;
}

export function variantExtent<T>(exact: T | undefined, outer: T | undefined, inner: T | undefined): VariantExtent<T> | undefined {
  const main = outer ?? exact ?? inner;
  if (main === undefined) return undefined;
  return { outer: main, inner: inner ?? (outer === undefined ? exact : undefined) };
}

/** The LOINC codes of the three location components (component-codes.ts files them). */
export const EXACT_START_END = '81254-5';
export const OUTER_START_END = '81301-4';
export const INNER_START_END = '81302-2';
