import { type Allele, alleleProblem, normalizeAllele } from './allele.js';
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
  /** Why a genomic change of a known form cannot be one (position 0, end before start, no change…). */
  problem?: string;
}

const HGVS = /^([A-Z]{2}_\d+\.\d+)(?:\([^)]*\))?:([gmcnpr])\.(.+)$/;
const SEQ = '([ACGTN]*)';
/** A plausible change after `g.`/`c.`/…: position(s) with intronic offsets, then an edit. A sanity check, not the grammar. */
const POS = String.raw`[-*]?\d+(?:[-+]\d+)?`;
const NUCLEOTIDE_CHANGE = new RegExp(String.raw`^\(?${POS}(?:_${POS})?\)?(?:[ACGTN]*>[ACGTN]+|del|ins|dup|inv|con|[ACGTN]*=|[ACGTN]*\[|\?)`, 'i');
const PROTEIN_CHANGE = /^(?:\(|[A-Z][a-z]{2}|[A-Z*]\d|=|\?|0)/;
const SUB = /^(\d+)([ACGTN])>([ACGTN])$/i;
const DEL = new RegExp(`^(\\d+)(?:_(\\d+))?del${SEQ}$`, 'i');
const INS = new RegExp(`^(\\d+)_(\\d+)ins([ACGTN]+)$`, 'i');
const DELINS = new RegExp(`^(\\d+)(?:_(\\d+))?del${SEQ}ins([ACGTN]+)$`, 'i');
const DUP = /^(\d+)(?:_(\d+))?dup([ACGTN]+)$/i;
/** What an insertion (or deletion-insertion) inserts, when it is not written as bases. */
const INSERTED = /^\d+(?:_\d+)?(?:del[ACGTN]*)?ins(.*)$/i;
/**
 * Inserted sequences HGVS writes without bases, matched as text (no allele): a length (`ins10`,
 * `insN[10]`, `ins(10)`, `ins(10_20)`) or another sequence's range in brackets (`ins[NC_…:g.1_9]`,
 * `ins[…inv]`). Anything else after `ins` (`insXYZ`, `insinv`) is not HGVS.
 */
const INSERTED_OTHER = /^(?:\d+|N\[\d+\]|\(\d+(?:_\d+)?\)|\[[^\]]+\])$/i;

export function parseHgvs(text: string): HgvsParse | undefined {
  const m = HGVS.exec(text.trim());
  if (!m || !REFSEQ_ACCESSION.test(m[1])) return undefined;
  const [, accession, type, change] = m;
  if (!(type === 'p' ? PROTEIN_CHANGE : NUCLEOTIDE_CHANGE).test(change)) return undefined;
  if (type !== 'g' && type !== 'm') return { accession, type };
  const problem = positionProblem(change);
  if (problem) return { accession, type, problem };
  const allele = genomicChange(accession, change);
  if (typeof allele === 'string') return { accession, type, problem: allele };
  const impossible = allele && alleleProblem(allele);
  return impossible ? { accession, type, problem: impossible } : { accession, type, allele };
}

/** The leading position or range of a g./m. change: positions count from 1, below 2^53, in order. */
function positionProblem(change: string): string | undefined {
  const m = /^(\d+)(?:_(\d+))?/.exec(change);
  if (!m) return undefined;
  const from = Number(m[1]);
  const to = m[2] === undefined ? from : Number(m[2]);
  if (!Number.isSafeInteger(from) || !Number.isSafeInteger(to)) return 'positions must be integers below 2^53';
  if (from === 0 || to === 0) return 'positions count from 1 (there is no position 0)';
  if (to < from) return `the end ${to} is before the start ${from}`;
  return undefined;
}

/** The allele of a g./m. change, or why a change of a known form is malformed, or undefined for other forms. */
function genomicChange(accession: string, c: string): Allele | string | undefined {
  let m = SUB.exec(c);
  if (m) {
    if (m[2].toUpperCase() === m[3].toUpperCase()) return `${m[2]}>${m[3]} states no change (an unchanged base is written ${m[1]}${m[2]}=)`;
    return normalizeAllele({ accession, position: Number(m[1]) - 1, ref: m[2].toUpperCase(), deletedLength: 1, alt: m[3].toUpperCase() });
  }
  m = DELINS.exec(c);
  if (m) return span(accession, m[1], m[2], m[3], m[4]);
  m = DEL.exec(c);
  if (m) return span(accession, m[1], m[2], m[3], '');
  m = INS.exec(c);
  if (m) {
    const a = Number(m[1]);
    // HGVS insertions name the two flanking bases; anything else is malformed.
    if (Number(m[2]) !== a + 1) return `an insertion names its two flanking positions (${a}_${a + 1}ins…)`;
    return { accession, position: a, deletedLength: 0, ref: '', alt: m[3].toUpperCase() };
  }
  m = DUP.exec(c);
  if (m) {
    const end = Number(m[2] ?? m[1]);
    if (end - Number(m[1]) + 1 !== m[3].length) return `${m[3]} is not ${end - Number(m[1]) + 1} bases long, as the positions say`;
    // A duplication states its bases and inserts a copy of them: the bases, then the bases twice.
    const bases = m[3].toUpperCase();
    return normalizeAllele({ accession, position: Number(m[1]) - 1, ref: bases, deletedLength: bases.length, alt: bases + bases });
  }
  const inserted = INSERTED.exec(c)?.[1];
  if (inserted !== undefined && !/^[ACGTN]+$/i.test(inserted) && !INSERTED_OTHER.test(inserted)) {
    return `the inserted sequence '${inserted}' is neither bases (A, C, G, T, N), a length nor a bracketed range`;
  }
  return undefined;
}

function span(accession: string, from: string, to: string | undefined, bases: string, alt: string): Allele | string {
  const start = Number(from) - 1;
  const length = Number(to ?? from) - start;
  if (bases && bases.length !== length) return `${bases} is not ${length} bases long, as the positions say`;
  return normalizeAllele({ accession, position: start, ref: bases ? bases.toUpperCase() : undefined, deletedLength: length, alt: alt.toUpperCase() });
}

/** Text form used for exact matching of non-convertible HGVS (whitespace removed). */
export function hgvsText(text: string): string {
  return text.replace(/\s+/g, '');
}
