import { type Allele, normalizeAllele } from './allele.js';
import { REFSEQ_ACCESSION } from './accession.js';

/**
 * Genomic HGVS (`g.` / `m.` on a RefSeq accession) to the canonical allele, for the forms that
 * need no reference sequence: substitution `g.123A>G`, deletion `g.123_125del[AGT]`, insertion
 * `g.123_124insTT`, deletion-insertion `g.123_125delinsTT` (or `delAGTinsTT`), duplication with
 * its bases `g.123_125dupAGT`. Everything else (`g.123dup` without bases, inversions, repeats,
 * `c.`/`p.` on transcripts or proteins, uncertain positions) is not convertible: such variants
 * are matched by their exact HGVS text only. https://varnomen.hgvs.org/recommendations/DNA/
 */
export interface HgvsParse {
  accession: string;
  /** 'g', 'm', 'c', 'n', 'p', 'r' */
  type: string;
  /** Canonical allele when convertible without a reference sequence. */
  allele?: Allele;
}

const HGVS = /^([A-Z]{2}_\d+\.\d+)(?:\([^)]*\))?:([gmcnpr])\.(.+)$/;
const SEQ = '([ACGTN]*)';
/** A plausible change after `g.`/`c.`/…: position(s) with intronic offsets, then an edit. A sanity check, not the grammar. */
const POS = String.raw`[-*]?\d+(?:[-+]\d+)?`;
const NUCLEOTIDE_CHANGE = new RegExp(String.raw`^\(?${POS}(?:_${POS})?\)?(?:[ACGTN]*>[ACGTN]+|del|ins|dup|inv|con|=|[ACGTN]*\[|\?)`, 'i');
const PROTEIN_CHANGE = /^(?:\(|[A-Z][a-z]{2}|[A-Z*]\d|=|\?|0)/;
const SUB = /^(\d+)([ACGTN])>([ACGTN])$/i;
const DEL = new RegExp(`^(\\d+)(?:_(\\d+))?del${SEQ}$`, 'i');
const INS = new RegExp(`^(\\d+)_(\\d+)ins([ACGTN]+)$`, 'i');
const DELINS = new RegExp(`^(\\d+)(?:_(\\d+))?del${SEQ}ins([ACGTN]+)$`, 'i');
const DUP = /^(\d+)(?:_(\d+))?dup([ACGTN]+)$/i;

export function parseHgvs(text: string): HgvsParse | undefined {
  const m = HGVS.exec(text.trim());
  if (!m || !REFSEQ_ACCESSION.test(m[1])) return undefined;
  const [, accession, type, change] = m;
  if (!(type === 'p' ? PROTEIN_CHANGE : NUCLEOTIDE_CHANGE).test(change)) return undefined;
  if (type !== 'g' && type !== 'm') return { accession, type };
  return { accession, type, allele: genomicChange(accession, change) };
}

function genomicChange(accession: string, c: string): Allele | undefined {
  let m = SUB.exec(c);
  if (m) return normalizeAllele({ accession, position: Number(m[1]) - 1, ref: m[2].toUpperCase(), deletedLength: 1, alt: m[3].toUpperCase() });
  m = DELINS.exec(c);
  if (m) return span(accession, m[1], m[2], m[3], m[4]);
  m = DEL.exec(c);
  if (m) return span(accession, m[1], m[2], m[3], '');
  m = INS.exec(c);
  if (m) {
    const a = Number(m[1]);
    // HGVS insertions name the two flanking bases; anything else is malformed.
    if (Number(m[2]) !== a + 1) return undefined;
    return { accession, position: a, deletedLength: 0, ref: '', alt: m[3].toUpperCase() };
  }
  m = DUP.exec(c);
  if (m) {
    const end = Number(m[2] ?? m[1]);
    if (end - Number(m[1]) + 1 !== m[3].length) return undefined;
    // A duplication states its bases and inserts a copy of them: the bases, then the bases twice.
    const bases = m[3].toUpperCase();
    return normalizeAllele({ accession, position: Number(m[1]) - 1, ref: bases, deletedLength: bases.length, alt: bases + bases });
  }
  return undefined;
}

function span(accession: string, from: string, to: string | undefined, bases: string, alt: string): Allele | undefined {
  const start = Number(from) - 1;
  const length = Number(to ?? from) - start;
  if (length < 1) return undefined;
  if (bases && bases.length !== length) return undefined;
  return normalizeAllele({ accession, position: start, ref: bases ? bases.toUpperCase() : undefined, deletedLength: length, alt: alt.toUpperCase() });
}

/** Text form used for exact matching of non-convertible HGVS (whitespace removed). */
export function hgvsText(text: string): string {
  return text.replace(/\s+/g, '');
}
