import type { Observation } from '@medplum/fhirtypes';
import { GENOMIC_CATEGORIES, LC, PROFILE, SYS, cc, loinc } from './codes.js';
import { hashId } from './ids.js';

/**
 * SequencePhaseRelationship Observations from phased genotypes (VCF 4.3 section 1.6.2: '|' phases
 * a genotype; FORMAT PS names the phase set, and phased genotypes without PS share one set).
 * Each phased heterozygous call is related to the previous one of its phase set on the same
 * chromosome: same haplotype -> Cis, other haplotype -> Trans
 * (https://hl7.org/fhir/uv/genomics-reporting/STU3/StructureDefinition-sequence-phase-relationship.html).
 * Only the last call of each open phase set is remembered, so memory stays bounded.
 */
export class PhaseTracker {
  private chrom = '';
  private last = new Map<string, { id: string; hap: number }>();

  constructor(
    private readonly patient: string,
    private readonly effective?: string,
  ) {}

  /** Records a phased call (haplotype index of the alt) and returns the relationship it implies, if any. */
  add(chrom: string, phaseSet: string, variantId: string, hap: number): (Observation & { id: string }) | undefined {
    if (chrom !== this.chrom) {
      this.chrom = chrom;
      this.last.clear();
    }
    const prev = this.last.get(phaseSet);
    this.last.set(phaseSet, { id: variantId, hap });
    if (!prev || prev.id === variantId) return undefined;
    const rel = prev.hap === hap ? 'Cis' : 'Trans';
    return {
      resourceType: 'Observation',
      id: hashId('vcfph', [prev.id, variantId]),
      meta: { profile: [PROFILE.sequencePhaseRelationship] },
      status: 'final',
      category: GENOMIC_CATEGORIES,
      code: loinc(LC.phaseRelationship, 'Sequence phase relationship'),
      subject: { reference: `Patient/${this.patient}` },
      ...(this.effective ? { effectiveDateTime: this.effective } : {}),
      valueCodeableConcept: cc(SYS.phase, rel, rel),
      derivedFrom: [{ reference: `Observation/${prev.id}` }, { reference: `Observation/${variantId}` }],
    };
  }
}
