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
 * A precise change covers its changed bases only: an exact range written over VCF-style REF/ALT
 * (`CGTGGATGCGGGGAC>C` at [2827693, 2827708)) loses the bases REF and ALT share, the padding
 * base before the event (or after it, at position 1: VCF 4.3 section 1.6.1), so the deletion
 * covers [2827694, 2827708). The stored range stays as VCF import wrote it (it spans the stated
 * REF); only the extent used for overlap is trimmed.
 *
 * An insertion covers no reference base: it lies between bases p-1 and p (SPDI position p,
 * zero-length [p, p)). It is in a half-open range when its point is, start <= p < end, the rule
 * that puts an SNV at SPDI position p in the same ranges and every insertion in exactly one range
 * of a tiling; to make that one overlap test (s < end && e > start) for every extent, a
 * zero-length outer extent is filed as [p, p + 1). It certainly covers no base, so it subsumes
 * nothing.
 *
 * Spans are 0-based half-open, read by the caller from its own form of the components; the
 * operations' genomic index (genomic-index.ts) and the search indexer (search/genomics-params.ts)
 * both come here.
 */
export interface Span {
  s: number;
  e: number;
}

export interface VariantExtent<T extends Span> {
  outer: T[];
  /** Empty when the variant certainly covers no base. */
  inner: T[];
  /** Answered by the structural operations rather than the simple ones (see isStructural). */
  structural: boolean;
}

/** The stated alleles of a precise Variant (69547-8 ref, 69551-0 alt) and its 48019-4 change types. */
export interface StatedAlleles {
  ref?: string;
  alt?: string;
  changeTypes?: string[];
}

/**
 * The change types of the IG's structural variant table (CNV, DUP, DEL, INV, INS), and copy
 * number gain / loss (https://hl7.org/fhir/uv/genomics-reporting/STU3/sequencing.html#representing-structural-variants).
 */
const STRUCTURAL_TYPES = new Set(['SO:0001019', 'SO:0001742', 'SO:0001743', 'SO:1000035', 'SO:0000159', 'SO:1000036', 'SO:0000667']);

const PLAIN = /^[ACGTN]*$/i;

export function variantExtent<T extends Span>(
  exact: T[] | undefined, outer: T[] | undefined, inner: T[] | undefined, alleles: StatedAlleles = {},
): VariantExtent<T> | undefined {
  const changed = exact?.map((x) => changedBases(x, alleles));
  const main = outer ?? changed ?? inner;
  if (!main?.length) return undefined;
  const certain = inner ?? (outer === undefined ? changed : undefined) ?? [];
  return { outer: main.map(filed), inner: certain.filter((x) => x.e > x.s), structural: isStructural(exact, outer, inner, alleles) };
}

/**
 * Simple or structural, as the IG's operations tell them apart ("Simple vs. Structural variant
 * operations", https://hl7.org/fhir/uv/genomics-reporting/STU3/operations.html#simple-structural):
 * by endpoint precision and representation. Simple variants have precise endpoints and are
 * VCF-like (exact-start-end with their alleles); structural ones are stated with outer and/or
 * inner start-end, as every variant with imprecise endpoints is. A precise variant of a
 * structural type (CNV, DUP, DEL, INV, INS, copy number gain/loss) that states neither its
 * inserted bases nor every deleted one (a VCF `<DEL>` with END: REF is only the padding base) is
 * structural too: it is not VCF-like, and the IG's structural table describes it.
 */
function isStructural(exact: Span[] | undefined, outer: Span[] | undefined, inner: Span[] | undefined, { ref, alt, changeTypes }: StatedAlleles): boolean {
  if (outer !== undefined || inner !== undefined) return true;
  if (!exact?.length || !changeTypes?.some((c) => STRUCTURAL_TYPES.has(c))) return false;
  const statesAlt = alt !== undefined && alt !== '' && PLAIN.test(alt);
  const statesDeleted = ref !== undefined && PLAIN.test(ref) && ref.length === exact[0].e - exact[0].s && exact[0].e > exact[0].s;
  return !statesAlt && !statesDeleted;
}

/**
 * A start-end Range read in its 92822-6 coordinate system into a 0-based half-open span:
 * LA30102-0 1-based character counting and LA30101-2 0-based character counting are inclusive,
 * LA30100-4 0-based interval counting (and anything else) is half-open. A Range without `high`
 * spans the stated REF (else one base), so `{low: 96484540}` over REF `GT` (1-based) is the two
 * bases REF names, whose padding G changedBases then drops.
 */
export function startEnd(low: number, high: number | undefined, system: string | undefined, ref?: string): Span {
  const length = Math.max(ref?.length ?? 1, 1);
  const inclusive = system === 'LA30102-0' || system === 'LA30101-2';
  const s = system === 'LA30102-0' ? low - 1 : low;
  const e = high === undefined ? s + length : inclusive ? (system === 'LA30102-0' ? high : high + 1) : high;
  return { s, e: Math.max(e, s) };
}

/** An exact span less the leading, then trailing, bases REF and ALT share, when the span is REF's. */
export function changedBases<T extends Span>(span: T, { ref, alt }: StatedAlleles): T {
  if (ref === undefined || alt === undefined || span.e - span.s !== ref.length || !PLAIN.test(ref) || !PLAIN.test(alt)) return span;
  const r = ref.toUpperCase();
  const a = alt.toUpperCase();
  if (r === a) return span;
  let head = 0;
  while (head < r.length && head < a.length && r[head] === a[head]) head++;
  let tail = 0;
  while (tail < r.length - head && tail < a.length - head && r[r.length - 1 - tail] === a[a.length - 1 - tail]) tail++;
  if (head === 0 && tail === 0) return span;
  return { ...span, s: span.s + head, e: span.e - tail };
}

/** A zero-length extent (an insertion at p) as the overlap test reads it: [p, p + 1). */
function filed<T extends Span>(x: T): T {
  return x.e > x.s ? x : { ...x, e: x.s + 1 };
}

/** The LOINC codes of the location components (component-codes.ts files them) and of the stated alleles. */
export const EXACT_START_END = '81254-5';
export const OUTER_START_END = '81301-4';
export const INNER_START_END = '81302-2';
export const REF_ALLELE = '69547-8';
export const ALT_ALLELE = '69551-0';
