/**
 * Codes and profile canonicals of the Genomics Reporting IG 3.0.0 (STU3) used by the VCF mapper.
 * https://hl7.org/fhir/uv/genomics-reporting/STU3/ — component slices of the Variant profile:
 * https://hl7.org/fhir/uv/genomics-reporting/STU3/StructureDefinition-variant.html
 */
import type { CodeableConcept, Coding } from '@medplum/fhirtypes';

const IG = 'http://hl7.org/fhir/uv/genomics-reporting/StructureDefinition';
export const PROFILE = {
  variant: `${IG}/variant`,
  sequencePhaseRelationship: `${IG}/sequence-phase-relationship`,
  diagnosticImplication: `${IG}/diagnostic-implication`,
  genomicReport: `${IG}/genomic-report`,
  genomicStudy: `${IG}/genomic-study`,
  genomicStudyAnalysis: `${IG}/genomic-study-analysis`,
  genomicDataFile: `${IG}/genomic-data-file`,
} as const;

export const EXT = {
  studyAnalysis: `${IG}/genomic-study-analysis-ext`,
  studyReference: `${IG}/genomic-study-reference`,
  genomeBuild: `${IG}/genomic-study-analysis-genome-build`,
  genomicSourceClass: `${IG}/genomic-study-analysis-genomic-source-class`,
  title: `${IG}/genomic-study-analysis-title`,
  specimen: `${IG}/genomic-study-analysis-specimen`,
  regions: `${IG}/genomic-study-analysis-regions`,
  changeType: `${IG}/genomic-study-analysis-change-type`,
} as const;

export const SYS = {
  loinc: 'http://loinc.org',
  so: 'http://www.sequenceontology.org',
  refseq: 'http://www.ncbi.nlm.nih.gov/refseq',
  hgnc: 'http://www.genenames.org',
  hgvs: 'http://varnomen.hgvs.org',
  dbsnp: 'http://www.ncbi.nlm.nih.gov/snp',
  snomed: 'http://snomed.info/sct',
  ucum: 'http://unitsofmeasure.org',
  obsCategory: 'http://terminology.hl7.org/CodeSystem/observation-category',
  v20074: 'http://terminology.hl7.org/CodeSystem/v2-0074',
  phase: 'http://terminology.hl7.org/CodeSystem/sequence-phase-relationship-cs',
  tbd: 'http://hl7.org/fhir/uv/genomics-reporting/CodeSystem/tbd-codes-cs',
  /** Identifier systems for what this server derives from a VCF (deterministic, see ids.ts). */
  vcfVariantId: 'urn:fhir-genomics-server:vcf-import:variant',
  vcfImportId: 'urn:fhir-genomics-server:vcf-import',
} as const;

export function loinc(code: string, display?: string): CodeableConcept {
  const coding: Coding = display ? { system: SYS.loinc, code, display } : { system: SYS.loinc, code };
  return { coding: [coding] };
}
export function cc(system: string, code: string, display?: string): CodeableConcept {
  return { coding: [display ? { system, code, display } : { system, code }] };
}

/** Observation.category required by genomic-base: laboratory + GE. */
export const GENOMIC_CATEGORIES: CodeableConcept[] = [
  cc(SYS.obsCategory, 'laboratory'),
  cc(SYS.v20074, 'GE'),
];

/** LOINC component codes (Variant profile slices). */
export const LC = {
  variantAssessment: '69548-6',
  present: 'LA9633-4',
  gene: '48018-6',
  assembly: '62374-4',
  refSeq: '48013-7',
  coordinateSystem: '92822-6',
  exactStartEnd: '81254-5',
  innerStartEnd: '81302-2',
  outerStartEnd: '81301-4',
  refAllele: '69547-8',
  altAllele: '69551-0',
  changeType: '48019-4',
  sourceClass: '48002-0',
  allelicFrequency: '81258-6',
  allelicReadDepth: '82121-5',
  allelicState: '53034-5',
  copyNumber: '82155-3',
  variationCode: '81252-9',
  cHgvs: '48004-6',
  pHgvs: '48005-3',
  transcriptRefSeq: '51958-7',
  phaseRelationship: '82120-7',
  clinicalSignificance: '53037-8',
  associatedPhenotype: '81259-4',
  genomicReport: '51969-4',
} as const;

/** 0-based interval counting (LL5323-2): the coordinate system of every imported position. */
export const ZERO_BASED = { code: 'LA30100-4', display: '0-based interval counting' };

export const SOURCE_CLASS = {
  germline: { code: 'LA6683-2', display: 'Germline' },
  somatic: { code: 'LA6684-0', display: 'Somatic' },
} as const;
export type GenomicSource = keyof typeof SOURCE_CLASS;

/** Allelic state answers (LL381-5). */
export const ALLELIC_STATE = {
  heteroplasmic: { code: 'LA6703-8', display: 'Heteroplasmic' },
  homoplasmic: { code: 'LA6704-6', display: 'Homoplasmic' },
  homozygous: { code: 'LA6705-3', display: 'Homozygous' },
  heterozygous: { code: 'LA6706-1', display: 'Heterozygous' },
  hemizygous: { code: 'LA6707-9', display: 'Hemizygous' },
} as const;
export type AllelicState = keyof typeof ALLELIC_STATE;

/** Sequence Ontology change types (dna-change-type-vs: descendants of SO:0002072). */
export const SO = {
  snv: { code: 'SO:0001483', display: 'SNV' },
  mnv: { code: 'SO:0002007', display: 'MNV' },
  insertion: { code: 'SO:0000667', display: 'insertion' },
  deletion: { code: 'SO:0000159', display: 'deletion' },
  delins: { code: 'SO:1000032', display: 'delins' },
  duplication: { code: 'SO:1000035', display: 'duplication' },
  inversion: { code: 'SO:1000036', display: 'inversion' },
  cnv: { code: 'SO:0001019', display: 'copy_number_variation' },
} as const;
export type ChangeType = keyof typeof SO;

/** Clinical significance answers (LL4034-6) by the words labs use in annotation tables. */
export const CLINICAL_SIGNIFICANCE: Record<string, { code: string; display: string }> = {
  pathogenic: { code: 'LA6668-3', display: 'Pathogenic' },
  'likely pathogenic': { code: 'LA26332-9', display: 'Likely pathogenic' },
  'uncertain significance': { code: 'LA26333-7', display: 'Uncertain significance' },
  'likely benign': { code: 'LA26334-5', display: 'Likely benign' },
  benign: { code: 'LA6675-8', display: 'Benign' },
};
