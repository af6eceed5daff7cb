import type { Resource } from '@medplum/fhirtypes';
import { GENES, prng } from '../../../scripts/seed-variants.js';

/**
 * Seeded random genomics resources for the golden index corpus: Observations whose components mix
 * the codes the genetics parameters (genomics-params.ts) and the gx-* fields (genomic-index.ts)
 * read, in every value form they accept (CodeableConcept, string, Range, integer, missing values,
 * duplicates), the R4 genetics extensions, MolecularSequences and reports with the
 * assessed-condition extension. Not valid FHIR: the indexer must agree on any shape.
 */
const LOINC = 'http://loinc.org';
const EXT = 'http://hl7.org/fhir/StructureDefinition/';
const IG = 'http://hl7.org/fhir/uv/genomics-reporting/StructureDefinition/';
const TBD = 'http://hl7.org/fhir/uv/genomics-reporting/CodeSystem/tbd-codes-cs';
const KINDS = ['variant', 'haplotype', 'genotype', 'therapeutic-implication', 'diagnostic-implication', 'molecular-consequence', 'sequence-phase-relationship', 'other'];
const KIND_CODES = ['69548-6', '84414-2', '84413-4', '82120-7', '51969-4'];
const COMPONENT_CODES = [
  '48018-6', '48004-6', '48005-3', '81290-9', '81252-9', '48013-7', '62374-4', '48000-4', '92822-6', '81254-5', '81301-4', '81302-2',
  '69547-8', '69551-0', '48002-0', '51963-7', '81259-4', '53034-5', '53037-8', '81258-6',
];
const TBD_CODES = ['associated-therapy', 'feature-consequence', 'therapeutic-implication'];
const COORDS = ['LA30102-0', 'LA30100-4', 'LA30101-2', 'LA00000-0'];
const SOURCES = ['LA6683-2', 'LA6684-0', 'LA10429-1', 'LA18194-3', 'LA26807-0', 'LA0000-0'];
const ASSEMBLIES = [['LA26806-2', 'GRCh38'], ['LA14029-5', 'GRCh37'], ['LA0000-0', 'hg0']];

export function* randomGenomic(count: number, seed: number): Generator<Resource & { id: string }> {
  const rnd = prng(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)];
  const chance = (p: number) => rnd() < p;
  const cc = (system: string | undefined, code: string | undefined, display?: string, text?: string) => ({
    coding: [{ ...(system ? { system } : {}), ...(code ? { code } : {}), ...(display ? { display } : {}) }], ...(text ? { text } : {}),
  });
  const gene = () => pick(GENES);
  const hgvs = (g: (typeof GENES)[number]): string => {
    const pos = g[3] + Math.floor(rnd() * 1000);
    return pick([
      `${g[2]}:g.${pos}A>G`, `${g[2]}:g.${pos}_${pos + 3}del`, `${g[2]}:g.${pos}_${pos + 1}insTT`, `${g[5]}:c.${Math.floor(rnd() * 900)}C>T`,
      `p.(Leu${Math.floor(rnd() * 900)}Arg)`, 'NP_005219.2:p.Leu858Arg', `${g[2]}:g.${pos}dup`, 'rs12345', 'not hgvs',
    ]);
  };
  const componentValue = (code: string, g: (typeof GENES)[number]): Record<string, unknown> => {
    const lo = g[3] + Math.floor(rnd() * 1000);
    switch (code) {
      case '48018-6': return { valueCodeableConcept: chance(0.8) ? cc('http://www.genenames.org/geneId', g[1], chance(0.8) ? g[0] : undefined, chance(0.2) ? g[0] : undefined) : { text: g[0] } };
      case '48004-6': case '48005-3': case '81290-9': case '81252-9':
        return chance(0.7) ? { valueCodeableConcept: cc('http://varnomen.hgvs.org', hgvs(g), chance(0.3) ? 'Display $x' : undefined, chance(0.2) ? hgvs(g) : undefined) } : { valueString: hgvs(g) };
      case '48013-7': return chance(0.85) ? { valueCodeableConcept: cc('http://www.ncbi.nlm.nih.gov/refseq', pick([g[2], 'NG_000001.1', 'XX_1'])) } : { valueString: g[2] };
      case '62374-4': { const a = pick(ASSEMBLIES); return { valueCodeableConcept: cc(LOINC, a[0], a[1]) }; }
      case '48000-4': return { valueCodeableConcept: cc(LOINC, 'LA21254-0', `Chromosome ${pick(['7', '17', 'X', 'Y', 'M', '?'])}`, chance(0.3) ? 'chr 13' : undefined) };
      case '92822-6': return { valueCodeableConcept: cc(LOINC, pick(COORDS)) };
      case '81254-5': case '81301-4': case '81302-2':
        return chance(0.8)
          ? { valueRange: { low: chance(0.9) ? { value: lo } : {}, ...(chance(0.8) ? { high: { value: lo + Math.floor(rnd() * 4) - 1 } } : {}) } }
          : { valueInteger: lo };
      case '69547-8': return { valueString: pick(['A', 'C', 'GT', '', 'N', 'x']) };
      case '69551-0': return { valueString: pick(['G', 'T', 'AC', '', 'N']) };
      case '48002-0': return { valueCodeableConcept: cc(LOINC, pick(SOURCES), chance(0.5) ? 'Germline' : undefined) };
      default: return chance(0.8) ? { valueCodeableConcept: cc(pick([LOINC, 'http://snomed.info/sct', undefined]), `C${Math.floor(rnd() * 20)}`, chance(0.5) ? 'Some Thing Ü' : undefined) } : { valueQuantity: { value: rnd(), system: 'http://unitsofmeasure.org', code: '%' } };
    }
  };
  const component = (g: (typeof GENES)[number]): Record<string, unknown> => {
    const tbd = chance(0.12);
    const code = tbd ? pick(TBD_CODES) : pick(COMPONENT_CODES);
    const codeCc = tbd ? cc(TBD, code) : chance(0.1) ? { coding: [{ system: LOINC, code }, { system: 'urn:other', code: pick(COMPONENT_CODES) }] } : cc(LOINC, code, chance(0.5) ? 'Label' : undefined);
    return { code: codeCc, ...(chance(0.05) ? { dataAbsentReason: cc('http://terminology.hl7.org/CodeSystem/data-absent-reason', 'unknown') } : componentValue(code, g)) };
  };
  const ref = (t: string) => ({ reference: pick([`${t}/x${Math.floor(rnd() * 9)}`, `http://o.org/fhir/${t}/y1/_history/3`, 'urn:uuid:1']) });

  for (let i = 0; i < count; i++) {
    const g = gene();
    const which = rnd();
    if (which < 0.78) {
      const kind = pick(KINDS);
      const comps = Array.from({ length: Math.floor(rnd() * 16) }, () => component(chance(0.9) ? g : gene()));
      yield {
        resourceType: 'Observation', id: `rg-obs-${i}`, status: 'final',
        ...(chance(0.8) ? { meta: { profile: [kind === 'other' ? 'http://example.org/variant' : `${IG}${kind}${chance(0.1) ? '|3.0.0' : ''}`] } } : {}),
        code: chance(0.7) ? cc(LOINC, pick(KIND_CODES)) : cc(TBD, pick(TBD_CODES)),
        ...(chance(0.9) ? { subject: ref('Patient') } : {}),
        ...(chance(0.3) ? { specimen: ref('Specimen') } : {}),
        ...(chance(0.3) ? { derivedFrom: [ref('Observation'), ref('DocumentReference')] } : {}),
        ...(chance(0.2) ? { hasMember: [ref('Observation'), ref('Observation')] } : {}),
        ...(chance(0.3) ? { valueCodeableConcept: cc('http://pharmgkb.org', 'CYP2C19*2', 'CYP2C19 *2/*2', chance(0.5) ? 'HLA-A*23' : undefined) } : {}),
        ...(chance(0.5) ? { effectiveDateTime: pick(['2020', '2021-05-06', '2021-05-06T10:00:00Z']) } : {}),
        ...(chance(0.15) ? { extension: [
          { url: `${EXT}observation-geneticsGene`, valueCodeableConcept: cc('http://www.genenames.org/geneId', g[1], g[0]) },
          { url: `${EXT}observation-geneticsVariant`, extension: [{ url: 'Name', valueCodeableConcept: cc('http://varnomen.hgvs.org', hgvs(g)) }, { url: 'Id', valueString: 'x' }] },
          { url: `${EXT}observation-geneticsAminoAcidChange`, extension: [{ url: 'Name', valueString: 'p.Leu858Arg' }] },
        ] } : {}),
        component: comps,
      } as unknown as Resource & { id: string };
    } else if (which < 0.9) {
      const start = g[3] + Math.floor(rnd() * 1000);
      yield {
        resourceType: 'MolecularSequence', id: `rg-ms-${i}`, type: 'dna', coordinateSystem: pick([0, 1]), patient: ref('Patient'),
        referenceSeq: {
          referenceSeqId: cc('http://www.ncbi.nlm.nih.gov/nuccore', pick([g[2], 'NM_1.1'])), strand: 'watson',
          ...(chance(0.8) ? { windowStart: start } : {}), ...(chance(0.8) ? { windowEnd: start + 40 } : {}),
        },
        variant: Array.from({ length: Math.floor(rnd() * 3) }, () => ({ ...(chance(0.9) ? { start: start + 3 } : {}), ...(chance(0.6) ? { end: start + 4 } : {}), observedAllele: 'T' })),
      } as unknown as Resource & { id: string };
    } else {
      yield {
        resourceType: 'DiagnosticReport', id: `rg-dr-${i}`, status: 'final', code: cc(LOINC, '51969-4'),
        ...(chance(0.9) ? { subject: ref('Patient') } : {}),
        ...(chance(0.6) ? { effectiveDateTime: pick(['2020', '2021-05-06', 'bad']) } : chance(0.5) ? { effectivePeriod: { start: '2020-02-02' } } : {}),
        ...(chance(0.5) ? { issued: '2021-05-06T10:00:00Z' } : {}),
        ...(chance(0.5) ? { identifier: [{ system: 'urn:lab', value: `T${i}` }, { value: 'bare' }, {}] } : {}),
        ...(chance(0.5) ? { specimen: [ref('Specimen')] } : {}),
        extension: chance(0.5) ? [{ url: `${EXT}DiagnosticReport-geneticsAssessedCondition`, valueReference: ref('Condition') }] : [],
        result: Array.from({ length: Math.floor(rnd() * 25) }, () => ref('Observation')),
      } as unknown as Resource & { id: string };
    }
  }
}
