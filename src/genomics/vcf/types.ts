import type { Resource } from '@medplum/fhirtypes';
import type { Build } from '../assemblies.js';
import type { GenomicSource } from './codes.js';

/** What an import is asked to do (the CLI flags and the $import-vcf parameters map onto this). */
export interface VcfImportOptions {
  patient: string;
  build?: Build;
  sample?: string;
  specimen?: string;
  studiedBed?: { name: string; text: string };
  uncallableBed?: { name: string; text: string };
  /** Annotation table text (see annotations.ts). */
  annotations?: string;
  genomicSource?: GenomicSource;
  includeFiltered?: boolean;
  /** Skip malformed lines (counted) instead of refusing the whole import. */
  allowErrors?: boolean;
  /**
   * Most Observations listed in GenomicReport.result (default 100,000): a whole-genome call set
   * would make a report of hundreds of MB that no client can use and that costs ~150 MB of memory
   * per million results to build. Every Observation is still stored and searchable by subject.
   */
  maxReportResults?: number;
  /** File name, shown in the analysis title. */
  sourceName?: string;
}

export type SkipReason =
  | 'filtered'
  | 'no-call'
  | 'reference-call'
  | 'no-genotype'
  | 'unsupported-contig'
  | 'breakend'
  | 'symbolic-allele'
  | 'spanning-deletion'
  | 'reference-block'
  | 'no-alt'
  | 'duplicate'
  | 'copy-number-conflict'
  | 'malformed';

export interface ImportSummary {
  build: Build;
  sample: string;
  /** Data lines read (VCF records). */
  records: number;
  /** Variant Observations produced (one per called ALT allele). */
  variants: number;
  phaseRelationships: number;
  implications: number;
  /** Skipped records (or alleles, for allele-level reasons) by reason. */
  skipped: Partial<Record<SkipReason, number>>;
  /** Malformed lines skipped under allowErrors (first 100). */
  errors: Array<{ line: number; reason: string }>;
  /** All resources produced (variants, relationships, implications, documents, study, report). */
  resources: number;
  /** Store outcome: new resources, new versions of changed ones, identical ones left alone. */
  created: number;
  updated: number;
  unchanged: number;
  reportId: string;
  studyId: string;
}

export type ProducedResource = Resource & { id: string };

export interface ProgressInfo {
  bytesRead: number;
  records: number;
  variants: number;
}
