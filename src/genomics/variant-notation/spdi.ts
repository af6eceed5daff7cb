import { type Allele, isSequence, normalizeAllele } from './allele.js';
import { REFSEQ_ACCESSION } from './accession.js';

/**
 * SPDI (Sequence:Position:Deletion:Insertion, NCBI): `NC_000019.10:11200137:G:A`, with a 0-based
 * position and the deletion given as bases or as a count (`NC_000019.10:11200137:2:`).
 * https://www.ncbi.nlm.nih.gov/variation/notation/
 */
export function parseSpdi(text: string): Allele | undefined {
  const parts = text.trim().split(':');
  if (parts.length !== 4) return undefined;
  const [accession, pos, del, ins] = parts;
  if (!REFSEQ_ACCESSION.test(accession) || !/^\d+$/.test(pos)) return undefined;
  if (!isSequence(ins.toUpperCase())) return undefined;
  const position = Number(pos);
  if (/^\d+$/.test(del)) return normalizeAllele({ accession, position, deletedLength: Number(del), alt: ins.toUpperCase() });
  if (!isSequence(del.toUpperCase())) return undefined;
  return normalizeAllele({ accession, position, ref: del.toUpperCase(), deletedLength: del.length, alt: ins.toUpperCase() });
}

export function looksLikeSpdi(text: string): boolean {
  return text.split(':').length === 4;
}
