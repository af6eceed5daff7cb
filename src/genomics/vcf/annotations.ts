import { canonicalChrom, fromAccession } from '../assemblies.js';

/**
 * The annotation table that travels with a VCF (vcf2fhir's format, see the NB6TK328_annotations.txt
 * fixture): tab-separated, no header, one row per variant:
 *   chrom pos ref alt gene transcript c.HGVS protein-refseq p.HGVS clinical-significance phenotype
 * gene is `HGNC:583^APC^HGNC` (a bare symbol such as `APC` is taken as text only), phenotype `72900001^Familial multiple polyposis syndrome^SCT`
 * (code^display^system, SCT = SNOMED CT). Empty cells are allowed. Held in memory (small by nature).
 */
export interface Annotation {
  /** `id` only when the cell gives an HGNC id (`HGNC:1100`); a bare symbol is kept as text. */
  gene?: { id?: string; symbol?: string };
  transcript?: string;
  cHgvs?: string;
  proteinRefSeq?: string;
  pHgvs?: string;
  clinicalSignificance?: string;
  phenotype?: { code: string; display?: string; system?: string };
}

export class AnnotationError extends Error {}

const HGNC_ID = /^HGNC:\d+$/;

/** `chr1`, `1` and `NC_000001.11` key alike (the table names no build: an accession's version is not checked). */
export function annotationKey(chrom: string, pos: number, ref: string, alt: string): string {
  return `${canonicalChrom(chrom) ?? fromAccession(chrom)?.chrom ?? chrom}:${pos}:${ref.toUpperCase()}:${alt.toUpperCase()}`;
}

export function parseAnnotations(text: string): Map<string, Annotation> {
  const out = new Map<string, Annotation>();
  // Line of each variant's row: a second row for one variant is ambiguous (which gene, which
  // significance?), so the table is refused rather than one row silently winning.
  const rowOf = new Map<string, number>();
  const lines = text.split(/\r?\n/);
  lines.forEach((raw, i) => {
    if (!raw.trim() || raw.startsWith('#')) return;
    const c = raw.split('\t').map((x) => unquote(x.trim()));
    if (c.length < 4 || !/^\d+$/.test(c[1])) throw new AnnotationError(`annotations line ${i + 1}: expected chrom, pos, ref, alt first`);
    const a: Annotation = {};
    if (c[4]) {
      const [first, symbol] = c[4].split('^');
      // Only an HGNC id may be coded in the HGNC system; a bare symbol (`BRCA1`) is not one, and
      // looking it up is beyond the import, so it stays text (searchable: a bare `genes` value matches text).
      a.gene = HGNC_ID.test(first) ? { id: first, symbol: symbol || undefined } : { symbol: symbol || first };
    }
    if (c[5]) a.transcript = c[5];
    if (c[6]) a.cHgvs = c[6];
    if (c[7]) a.proteinRefSeq = c[7];
    if (c[8]) a.pHgvs = c[8];
    if (c[9]) a.clinicalSignificance = c[9];
    if (c[10]) {
      const [code, display, system] = c[10].split('^');
      a.phenotype = { code, display: display || undefined, system: system || undefined };
    }
    const key = annotationKey(c[0], Number(c[1]), c[2], c[3]);
    const first = rowOf.get(key);
    if (first !== undefined) throw new AnnotationError(`annotations lines ${first} and ${i + 1}: two rows for the same variant ${c[0]}:${c[1]} ${c[2]}>${c[3]}`);
    rowOf.set(key, i + 1);
    out.set(key, a);
  });
  return out;
}

function unquote(s: string): string {
  return s.length >= 2 && s.startsWith('"') && s.endsWith('"') ? s.slice(1, -1).replace(/""/g, '"') : s;
}

/** A full HGVS expression: the reference sequence prefix is added when the cell lacks one. */
export function hgvs(refSeq: string | undefined, expr: string): string {
  return refSeq && !expr.includes(':') ? `${refSeq}:${expr}` : expr;
}
