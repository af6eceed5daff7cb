import type { Observation, ObservationComponent, Reference } from '@medplum/fhirtypes';
import { BUILD_LOINC, type Build } from '../assemblies.js';
import type { AlleleCall } from './alleles.js';
import { type Annotation, hgvs } from './annotations.js';
import {
  ALLELIC_STATE, type AllelicState, CLINICAL_SIGNIFICANCE, GENOMIC_CATEGORIES, type GenomicSource, LC, PROFILE, SO, SOURCE_CLASS, SYS,
  ZERO_BASED, cc, loinc,
} from './codes.js';
import { hashId } from './ids.js';

/**
 * One called ALT allele -> one Variant Observation (IG 3.0.0 Variant profile,
 * https://hl7.org/fhir/uv/genomics-reporting/STU3/StructureDefinition-variant.html).
 */
export interface VariantInput {
  id: string;
  identifierValue: string;
  patient: string;
  build: Build;
  accession: string;
  call: AlleleCall;
  source: GenomicSource;
  state?: AllelicState;
  frequency?: number;
  readDepth?: number;
  dbsnp: string[];
  annotation?: Annotation;
  specimen?: string;
  effective?: string;
}

const comp = (code: string, value: Partial<ObservationComponent>): ObservationComponent => ({ code: loinc(code), ...value });
const range = (lo: number, hi: number) => ({ valueRange: { low: { value: lo }, high: { value: hi } } });
const ratio1 = (value: number, unit?: string) => ({ valueQuantity: { value, ...(unit ? { unit } : {}), system: SYS.ucum, code: '1' } });

export function mapVariant(v: VariantInput): Observation & { id: string } {
  const c = v.call;
  const a = v.annotation;
  const components: ObservationComponent[] = [];
  if (a?.gene?.id) components.push(comp(LC.gene, { valueCodeableConcept: cc(SYS.hgnc, a.gene.id, a.gene.symbol) }));
  else if (a?.gene?.symbol) components.push(comp(LC.gene, { valueCodeableConcept: { text: a.gene.symbol } }));
  components.push(comp(LC.assembly, { valueCodeableConcept: loinc(BUILD_LOINC[v.build].code, BUILD_LOINC[v.build].display) }));
  components.push(comp(LC.refSeq, { valueCodeableConcept: cc(SYS.refseq, v.accession) }));
  components.push(comp(LC.coordinateSystem, { valueCodeableConcept: loinc(ZERO_BASED.code, ZERO_BASED.display) }));
  if (c.outer || c.inner) {
    if (c.outer) components.push(comp(LC.outerStartEnd, range(c.outer[0], c.outer[1])));
    if (c.inner) components.push(comp(LC.innerStartEnd, range(c.inner[0], c.inner[1])));
  } else {
    components.push(comp(LC.exactStartEnd, range(c.start, c.end)));
  }
  if (c.ref && c.ref !== 'N') components.push(comp(LC.refAllele, { valueString: c.ref }));
  if (c.alt) components.push(comp(LC.altAllele, { valueString: c.alt }));
  const so = SO[c.changeType];
  components.push(comp(LC.changeType, { valueCodeableConcept: cc(SYS.so, so.code, so.display) }));
  const src = SOURCE_CLASS[v.source];
  components.push(comp(LC.sourceClass, { valueCodeableConcept: loinc(src.code, src.display) }));
  if (v.state) components.push(comp(LC.allelicState, { valueCodeableConcept: loinc(ALLELIC_STATE[v.state].code, ALLELIC_STATE[v.state].display) }));
  if (v.frequency !== undefined) components.push(comp(LC.allelicFrequency, ratio1(round(v.frequency), 'relative frequency of a particular allele in the specimen')));
  if (v.readDepth !== undefined) components.push(comp(LC.allelicReadDepth, ratio1(v.readDepth, 'reads')));
  if (c.copyNumber !== undefined) components.push(comp(LC.copyNumber, ratio1(c.copyNumber)));
  for (const rs of v.dbsnp) components.push(comp(LC.variationCode, { valueCodeableConcept: cc(SYS.dbsnp, rs) }));
  if (a?.transcript) components.push(comp(LC.transcriptRefSeq, { valueCodeableConcept: cc(SYS.refseq, a.transcript) }));
  if (a?.cHgvs) components.push(comp(LC.cHgvs, { valueCodeableConcept: cc(SYS.hgvs, hgvs(a.transcript, a.cHgvs)) }));
  if (a?.pHgvs) components.push(comp(LC.pHgvs, { valueCodeableConcept: cc(SYS.hgvs, hgvs(a.proteinRefSeq, a.pHgvs)) }));
  return {
    resourceType: 'Observation',
    id: v.id,
    meta: { profile: [PROFILE.variant] },
    identifier: [{ system: SYS.vcfVariantId, value: v.identifierValue }],
    status: 'final',
    category: GENOMIC_CATEGORIES,
    code: loinc(LC.variantAssessment, 'Genetic variant assessment'),
    subject: { reference: `Patient/${v.patient}` },
    ...(v.effective ? { effectiveDateTime: v.effective } : {}),
    ...(v.specimen ? { specimen: { reference: `Specimen/${v.specimen}` } } : {}),
    valueCodeableConcept: loinc(LC.present, 'Present'),
    component: components,
  };
}

/**
 * The annotation's clinical significance and phenotype -> a DiagnosticImplication derived from the
 * variant (IG: clinical significance lives on implications, not on the Variant).
 */
export function mapImplication(variant: Observation & { id: string }, a: Annotation, effective?: string): (Observation & { id: string }) | undefined {
  if (!a.clinicalSignificance && !a.phenotype) return undefined;
  const components: ObservationComponent[] = [];
  if (a.clinicalSignificance) {
    const known = CLINICAL_SIGNIFICANCE[a.clinicalSignificance.trim().toLowerCase()];
    components.push(comp(LC.clinicalSignificance, { valueCodeableConcept: known ? { ...loinc(known.code, known.display), text: a.clinicalSignificance } : { text: a.clinicalSignificance } }));
  }
  if (a.phenotype) {
    const system = a.phenotype.system === 'SCT' || !a.phenotype.system ? SYS.snomed : a.phenotype.system;
    components.push(comp(LC.associatedPhenotype, { valueCodeableConcept: { ...cc(system, a.phenotype.code, a.phenotype.display), ...(a.phenotype.display ? { text: a.phenotype.display } : {}) } }));
  }
  const ref: Reference<Observation> = { reference: `Observation/${variant.id}` };
  return {
    resourceType: 'Observation',
    id: hashId('vcfdx', [variant.id]),
    meta: { profile: [PROFILE.diagnosticImplication] },
    status: 'final',
    category: GENOMIC_CATEGORIES,
    code: cc(SYS.tbd, 'diagnostic-implication', 'Diagnostic Implication'),
    subject: variant.subject,
    ...(effective ? { effectiveDateTime: effective } : {}),
    derivedFrom: [ref],
    component: components,
  };
}

function round(x: number): number {
  return Math.round(x * 10000) / 10000;
}
