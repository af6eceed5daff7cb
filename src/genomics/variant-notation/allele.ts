/**
 * The canonical form both SPDI and HGVS are reduced to: a change on one reference sequence,
 * 0-based start (interbase, as SPDI), how many reference bases are deleted, and the inserted
 * sequence. Without the reference sequence we cannot left-shift in repeats (SPDI's VOCA
 * normalization needs it), so normalization is limited to trimming bases shared by the stated
 * ref and alt alleles. See https://www.ncbi.nlm.nih.gov/variation/notation/ (SPDI) and
 * https://varnomen.hgvs.org/.
 */
export interface Allele {
  accession: string;
  /** 0-based interbase position of the first deleted base (or the insertion point). */
  position: number;
  /** Deleted reference sequence when known. */
  ref?: string;
  /** Number of deleted reference bases (= ref.length when ref is known). */
  deletedLength: number;
  /** Inserted sequence ('' for a pure deletion). */
  alt: string;
}

const BASES = /^[ACGTNRYKMSWBDHV]*$/;

export function isSequence(s: string): boolean {
  return BASES.test(s);
}

/** Trims bases shared by ref and alt (suffix first, then prefix, as VCF-to-SPDI trimming does). */
export function normalizeAllele(a: Allele): Allele {
  if (a.ref === undefined) return a;
  let ref = a.ref.toUpperCase();
  let alt = a.alt.toUpperCase();
  let position = a.position;
  while (ref.length && alt.length && ref[ref.length - 1] === alt[alt.length - 1]) {
    ref = ref.slice(0, -1);
    alt = alt.slice(0, -1);
  }
  let i = 0;
  while (i < ref.length && i < alt.length && ref[i] === alt[i]) i++;
  ref = ref.slice(i);
  alt = alt.slice(i);
  position += i;
  return { accession: a.accession, position, ref, deletedLength: ref.length, alt };
}

/**
 * Index/match key. The deleted sequence is written as its length: on one versioned reference
 * sequence the bases at a position are fixed, so (position, length) identifies them, and an HGVS
 * `del` without bases matches the same deletion stated with bases.
 */
export function alleleKey(a: Allele): string {
  return normalizedKey(normalizeAllele(a));
}

/** alleleKey of an allele normalizeAllele already gave (normalizing twice is the same, and costs). */
export function normalizedKey(n: Allele): string {
  return `${n.accession}:${n.position}:${n.deletedLength}:${n.alt.toUpperCase()}`;
}

/** The 0-based half-open interval of reference bases the change touches (insertions: zero length). */
export function alleleInterval(a: Allele): { start: number; end: number } {
  const n = normalizeAllele(a);
  return { start: n.position, end: n.position + n.deletedLength };
}

/** SPDI text of an allele (deleted sequence when known, else its length, both allowed by SPDI). */
export function toSpdi(a: Allele): string {
  const n = normalizeAllele(a);
  return `${n.accession}:${n.position}:${n.ref ?? n.deletedLength}:${n.alt}`;
}
