import { type Build, fromAccession, toAccession } from '../assemblies.js';

/**
 * The view of RefSeq accessions the notation code needs, on top of src/genomics/assemblies.ts
 * (the one accession table): which assembly and chromosome an NC_ accession pins, so that a
 * question on `NC_000019.9` (GRCh37) is told apart from data on `NC_000019.10` (GRCh38) and a
 * cross-build question is answered with a warning instead of a silent miss.
 */
export type Assembly = Build;

export interface AccessionInfo {
  accession: string;
  chromosome: string;
  assembly: Assembly;
}

/** Any RefSeq accession with a version (NC_, NG_, NM_, NT_, NW_, NP_ …). */
export const REFSEQ_ACCESSION = /^[A-Z]{2}_\d+\.\d+$/;

/**
 * RefSeq's nucleotide prefixes (https://www.ncbi.nlm.nih.gov/books/NBK21091/table/ch18.T.refseq_accession_numbers_and_mole/):
 * genomic AC_ NC_ NG_ NT_ NW_ NZ_, transcripts NM_ NR_ XM_ XR_. A range is a stretch of one
 * of these; the others are proteins (AP_ NP_ YP_ XP_ WP_), whose positions no Variant's
 * location is on, or no RefSeq prefix at all.
 */
const NUCLEOTIDE_PREFIXES = new Set(['AC', 'NC', 'NG', 'NT', 'NW', 'NZ', 'NM', 'NR', 'XM', 'XR']);

export function isNucleotideAccession(accession: string): boolean {
  return REFSEQ_ACCESSION.test(accession) && NUCLEOTIDE_PREFIXES.has(accession.slice(0, 2));
}

export function describeAccession(accession: string): AccessionInfo | undefined {
  const d = fromAccession(accession);
  return d ? { accession, chromosome: d.chrom, assembly: d.build } : undefined;
}

export function accessionFor(assembly: Assembly, chromosome: string): string | undefined {
  return toAccession(assembly, chromosome);
}

/** LOINC answers for LL1040-6 (human reference sequence assembly version). */
export const ASSEMBLY_LOINC: Record<string, Assembly> = { 'LA14029-5': 'GRCh37', 'LA26806-2': 'GRCh38' };

export function otherAssembly(a: Assembly): Assembly {
  return a === 'GRCh37' ? 'GRCh38' : 'GRCh37';
}
