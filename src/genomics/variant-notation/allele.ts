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
  /**
   * The reference bases the notation states, before trimming (VCF REF, SPDI deleted bases, the
   * duplicated bases of an HGVS dup): what the matching may rely on without a reference sequence.
   */
  context?: StatedBases;
}

/** Reference bases stated from `position` on (0-based). */
export interface StatedBases {
  position: number;
  bases: string;
}

const BASES = /^[ACGTNRYKMSWBDHV]*$/;

export function isSequence(s: string): boolean {
  return BASES.test(s);
}

/** Trims bases shared by ref and alt (suffix first, then prefix, as VCF-to-SPDI trimming does). */
export function normalizeAllele(a: Allele): Allele {
  if (a.ref === undefined) return a;
  const context = a.context ?? (a.ref ? { position: a.position, bases: a.ref.toUpperCase() } : undefined);
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
  return context ? { accession: a.accession, position, ref, deletedLength: ref.length, alt, context } : { accession: a.accession, position, ref, deletedLength: ref.length, alt };
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

/**
 * The keys of every placement of an insertion or deletion that the bases it states allow. In a
 * run an indel has many equal placements (VOCA, https://www.ncbi.nlm.nih.gov/variation/notation/);
 * without the reference sequence only the stated bases show the run: a G>GG at 43057062 states
 * that base 43057062 is G, so inserting G before it (SPDI `43057062::G`) is inserting G after it
 * (`43057063::G`, HGVS `g.43057063dupG` and `g.43057063_43057064insG`). Two alleles match when they
 * share a key (and their stated bases agree: statedBasesAgree); a dup is stated as its bases and
 * their copy, so its key set includes the insertion before the run as well as after it.
 */
export function alleleKeys(a: Allele): string[] {
  const n = normalizeAllele(a);
  const keys = [normalizedKey(n)];
  const c = n.context;
  if (!c || (n.deletedLength > 0 && n.alt.length > 0) || n.deletedLength + n.alt.length === 0) return keys;
  const base = (i: number): string | undefined => (i >= c.position && i < c.position + c.bases.length ? c.bases[i - c.position] : undefined);
  const key = (p: number, alt: string) => `${n.accession}:${p}:${n.deletedLength}:${alt}`;
  if (n.deletedLength === 0) {
    // insertion of X at p == insertion of X rotated at p+1 when base p is X[0] (and leftwards alike)
    for (let p = n.position, x = n.alt; base(p) === x[0]; ) { x = x.slice(1) + x[0]; p++; keys.push(key(p, x)); }
    for (let p = n.position, x = n.alt; base(p - 1) === x[x.length - 1]; ) { x = x[x.length - 1] + x.slice(0, -1); p--; keys.push(key(p, x)); }
  } else {
    const L = n.deletedLength;
    // deletion of [p, p+L) == deletion of [p+1, p+L+1) when bases p and p+L are the same
    for (let p = n.position; base(p) !== undefined && base(p) === base(p + L); ) keys.push(key(++p, ''));
    for (let p = n.position; base(p - 1) !== undefined && base(p - 1) === base(p + L - 1); ) keys.push(key(--p, ''));
  }
  return keys;
}

/** Whether two alleles' stated reference bases agree wherever both state one (one reference sequence has one base there). */
export function statedBasesAgree(a: Allele, b: Allele): boolean {
  const x = a.context ?? normalizeAllele(a).context;
  const y = b.context ?? normalizeAllele(b).context;
  if (!x || !y) return true;
  const from = Math.max(x.position, y.position);
  const to = Math.min(x.position + x.bases.length, y.position + y.bases.length);
  for (let i = from; i < to; i++) if (x.bases[i - x.position] !== y.bases[i - y.position]) return false;
  return true;
}

/** The 0-based half-open interval of reference bases the change touches (insertions: zero length). */
export function alleleInterval(a: Allele): { start: number; end: number } {
  const n = normalizeAllele(a);
  return { start: n.position, end: n.position + n.deletedLength };
}

/**
 * Why an allele cannot be a variant, or undefined: a position or length that is not an integer
 * below 2^53 (the limit `ranges` has too: beyond it numbers are not exact), a negative position,
 * or no change at all (nothing deleted and nothing inserted, or the same bases in and out, such as
 * SPDI `NC_000001.11:99:T:T`).
 */
export function alleleProblem(a: Allele): string | undefined {
  if (!Number.isSafeInteger(a.position) || !Number.isSafeInteger(a.deletedLength) || !Number.isSafeInteger(a.position + a.deletedLength)) {
    return 'positions and lengths must be integers below 2^53';
  }
  if (a.position < 0) return 'the position is before the start of the sequence';
  const n = normalizeAllele(a);
  if (n.deletedLength === 0 && n.alt === '') return 'it states no change (the same bases in and out)';
  return undefined;
}

/** SPDI text of an allele (deleted sequence when known, else its length, both allowed by SPDI). */
export function toSpdi(a: Allele): string {
  const n = normalizeAllele(a);
  return `${n.accession}:${n.position}:${n.ref ?? n.deletedLength}:${n.alt}`;
}
