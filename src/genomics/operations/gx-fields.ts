/**
 * Names of the genomics index fields inside IndexedDoc.x (written by genomic-index.ts, read by
 * the operations' queries). One list, so writer and reader cannot drift apart.
 */
export const GX = {
  kind: 'gx-kind',
  subject: 'gx-subject',
  subjectKind: 'gx-subject-kind',
  derivedFrom: 'gx-derived-from',
  member: 'gx-has-member',
  specimen: 'gx-specimen',
  specimenId: 'gx-specimen-id',
  sourceClass: 'gx-source-class',
  gene: 'gx-gene',
  haplotype: 'gx-haplotype',
  treatment: 'gx-treatment',
  condition: 'gx-condition',
  consequence: 'gx-consequence',
  loci: 'gx-loci',
  variantKey: 'gx-variant',
  hgvs: 'gx-hgvs',
  bins: 'gx-bin',
  assembly: 'gx-assembly',
  subjectBins: 'gx-subject-bin',
  subjectVariant: 'gx-subject-variant',
  subjectAssembly: 'gx-subject-assembly',
  result: 'gx-result',
  testId: 'gx-test-id',
  date: 'gx-date',
} as const;

export type GenomicKind = 'variant' | 'haplotype' | 'genotype' | 'tx' | 'dx' | 'mc' | 'phase' | 'report' | 'study';

/**
 * One location of a variant: accession, outer/exact [s, e) and inner [is, ie), 0-based half-open.
 * No inner interval when the variant certainly covers no base (variant-extent.ts): it subsumes nothing.
 */
export interface Locus {
  a: string;
  s: number;
  e: number;
  is?: number;
  ie?: number;
  /** 1 on a structural variant's locus (variant-extent.ts): what the structural operations read, and the simple ones skip. */
  sv?: 1;
}

/**
 * The fields the operations look up by equality / `$in` (everything else is verified on the
 * candidates). A MongoDB adapter creates a multikey index on `x.<field>` for each, next to the
 * search parameter indexes; the embedded store indexes every string value already.
 */
export const GX_LOOKUP_FIELDS: readonly string[] = [
  GX.subjectKind, GX.subjectBins, GX.subjectVariant, GX.subjectAssembly, GX.kind, GX.bins, GX.variantKey, GX.hgvs,
  GX.assembly, GX.haplotype, GX.derivedFrom, GX.member, GX.result, GX.specimenId, GX.subject,
];
