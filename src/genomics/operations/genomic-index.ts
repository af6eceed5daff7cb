import type { CodeableConcept, DiagnosticReport, Observation, ObservationComponent, Procedure, Resource, Specimen } from '@medplum/fhirtypes';
import { alleleKey, type Allele, normalizeAllele } from '../variant-notation/allele.js';
import { ASSEMBLY_LOINC, accessionFor, describeAccession } from '../variant-notation/accession.js';
import { hgvsText, parseHgvs } from '../variant-notation/hgvs.js';
import { binOf } from './bins.js';
import { SOURCE_CLASS, codingTokens, conceptTokens, hasCode, identifierTokens } from './codes.js';
import { GX, type GenomicKind, type Locus } from './gx-fields.js';

/**
 * Index values the genomics operations query, computed at write time beside the search
 * parameters (merged into indexResource's result). Every key starts with `gx-` so it can never
 * collide with a search parameter code. Composite keys prefixed with the subject (`Patient/p1|…`)
 * make the subject operations one selective equality lookup.
 */
export function genomicIndex(resource: Resource): Record<string, unknown> {
  switch (resource.resourceType) {
    case 'Observation': return observationIndex(resource);
    case 'DiagnosticReport': return reportIndex(resource);
    case 'Specimen': return specimenIndex(resource);
    case 'Procedure': return studyIndex(resource);
    default: return {};
  }
}

/** `Patient/p1` from a relative, absolute or versioned reference. */
export function normalizeRef(ref: string | undefined): string | undefined {
  if (!ref) return undefined;
  const m = /(?:^|\/)([A-Z][A-Za-z]+)\/([A-Za-z0-9\-.]{1,64})(?:\/_history\/[^/]+)?$/.exec(ref);
  return m ? `${m[1]}/${m[2]}` : undefined;
}

const PROFILE_KIND: Record<string, GenomicKind> = {
  variant: 'variant', haplotype: 'haplotype', genotype: 'genotype', 'therapeutic-implication': 'tx',
  'diagnostic-implication': 'dx', 'molecular-consequence': 'mc', 'sequence-phase-relationship': 'phase',
};
const CODE_KIND: Record<string, GenomicKind> = {
  '69548-6': 'variant', '84414-2': 'haplotype', '84413-4': 'genotype', 'therapeutic-implication': 'tx',
  'diagnostic-implication': 'dx', 'molecular-consequence': 'mc', '82120-7': 'phase',
};

export function observationKind(o: Observation): GenomicKind | undefined {
  for (const p of o.meta?.profile ?? []) {
    const k = PROFILE_KIND[p.split('/').pop()!.split('|')[0]];
    if (k && p.includes('genomics-reporting')) return k;
  }
  for (const c of o.code?.coding ?? []) if (c.code && CODE_KIND[c.code]) return CODE_KIND[c.code];
  return undefined;
}

function components(o: Observation, code: string): ObservationComponent[] {
  return (o.component ?? []).filter((c) => hasCode(c.code, code));
}
function componentConcepts(o: Observation, ...codes: string[]): CodeableConcept[] {
  return codes.flatMap((code) => components(o, code)).flatMap((c) => (c.valueCodeableConcept ? [c.valueCodeableConcept] : []));
}
function componentString(o: Observation, code: string): string | undefined {
  const c = components(o, code)[0];
  return c?.valueString ?? c?.valueCodeableConcept?.coding?.[0]?.code ?? c?.valueCodeableConcept?.text;
}

function observationIndex(o: Observation): Record<string, unknown> {
  const kind = observationKind(o);
  const subject = normalizeRef(o.subject?.reference);
  const x: Record<string, unknown> = {};
  const members = (o.hasMember ?? []).map((r) => normalizeRef(r.reference)).filter(Boolean);
  if (members.length) x[GX.member] = members;
  if (!kind) return x;
  x[GX.kind] = [kind];
  if (subject) {
    x[GX.subject] = [subject];
    x[GX.subjectKind] = [`${subject}|${kind}`];
  }
  const from = (o.derivedFrom ?? []).map((r) => normalizeRef(r.reference)).filter(Boolean);
  if (from.length) x[GX.derivedFrom] = from;
  const specimen = normalizeRef(o.specimen?.reference);
  if (specimen) x[GX.specimen] = [specimen];
  const sourceClass = componentConcepts(o, '48002-0').flatMap((cc) => [
    ...conceptTokens(cc), ...(cc.coding ?? []).flatMap((c) => (c.code && SOURCE_CLASS[c.code] ? [SOURCE_CLASS[c.code]] : [])),
  ]);
  if (sourceClass.length) x[GX.sourceClass] = sourceClass;
  const genes = componentConcepts(o, '48018-6').flatMap(conceptTokens);
  if (genes.length) x[GX.gene] = genes;
  if (kind === 'haplotype' || kind === 'genotype') x[GX.haplotype] = conceptTokens(o.valueCodeableConcept);
  if (kind === 'tx') x[GX.treatment] = componentConcepts(o, '51963-7', 'associated-therapy').flatMap(conceptTokens);
  if (kind === 'tx' || kind === 'dx') x[GX.condition] = componentConcepts(o, '81259-4').flatMap(conceptTokens);
  if (kind === 'mc') x[GX.consequence] = componentConcepts(o, 'feature-consequence').flatMap(conceptTokens);
  if (kind === 'variant') Object.assign(x, variantIndex(o, subject));
  return x;
}

function variantIndex(o: Observation, subject: string | undefined): Record<string, unknown> {
  const x: Record<string, unknown> = {};
  const hgvs = ['81290-9', '48004-6', '48005-3', '81252-9']
    .flatMap((code) => components(o, code))
    .flatMap((c) => [c.valueString, ...(c.valueCodeableConcept?.coding ?? []).map((k) => k.code), c.valueCodeableConcept?.text])
    .filter((s): s is string => !!s && s.includes(':'))
    .map(hgvsText);
  const { loci, alleles } = variantLoci(o, hgvs);
  const keys = [...new Set(alleles.map(alleleKey))];
  const texts = [...new Set(hgvs)];
  const assemblies = [...new Set(loci.flatMap((l) => { const d = describeAccession(l.a); return d?.assembly ? [`${d.assembly}|${d.chromosome}`] : []; }))];
  x[GX.loci] = loci;
  x[GX.variantKey] = keys;
  x[GX.hgvs] = texts;
  x[GX.bins] = [...new Set(loci.map((l) => binOf(l.a, l.s, l.e)))];
  x[GX.assembly] = assemblies;
  if (subject) {
    x[GX.subjectBins] = (x[GX.bins] as string[]).map((b) => `${subject}|${b}`);
    x[GX.subjectVariant] = [...keys, ...texts].map((k) => `${subject}|${k}`);
    x[GX.subjectAssembly] = assemblies.map((a) => `${subject}|${a}`);
  }
  return x;
}

/** Where a Variant Observation lies: from its location components, else from its genomic HGVS. */
function variantLoci(o: Observation, hgvs: string[]): { loci: Locus[]; alleles: Allele[] } {
  let accession = componentString(o, '48013-7');
  if (!accession) {
    const asm = componentConcepts(o, '62374-4').flatMap((cc) => cc.coding ?? []).map((c) => ASSEMBLY_LOINC[c.code ?? '']).find(Boolean);
    const chr = componentConcepts(o, '48000-4').map((cc) => cc.coding?.[0]?.display ?? cc.text ?? '').map((d) => /(\d+|X|Y|M)\s*$/i.exec(d)?.[1]).find(Boolean);
    if (asm && chr) accession = accessionFor(asm, chr);
  }
  const loci: Locus[] = [];
  const alleles: Allele[] = [];
  const oneBased = componentConcepts(o, '92822-6').some((cc) => hasCode(cc, 'LA30102-0'));
  const ref = componentString(o, '69547-8');
  const alt = componentString(o, '69551-0');
  const range = (code: string) => {
    const r = components(o, code)[0]?.valueRange;
    if (r?.low?.value === undefined) return undefined;
    const start = oneBased ? r.low.value - 1 : r.low.value;
    const end = r.high?.value !== undefined ? r.high.value : start + Math.max(ref?.length ?? 1, 1);
    return { start, end: Math.max(end, start) };
  };
  if (accession) {
    const exact = range('81254-5');
    const outer = range('81301-4');
    const inner = range('81302-2');
    // Structural variants: intersection uses the outer extent, subsumption the inner one (the
    // bases certainly affected); a precise variant has just its exact extent.
    const main = outer ?? exact ?? inner;
    if (main) {
      const sub = inner ?? exact ?? main;
      loci.push({ a: accession, s: main.start, e: main.end, is: sub.start, ie: sub.end });
      if (exact && ref !== undefined && alt !== undefined && /^[ACGTN]*$/i.test(ref + alt)) {
        alleles.push(normalizeAllele({ accession, position: exact.start, ref, deletedLength: ref.length, alt }));
      }
    }
  }
  for (const text of hgvs) {
    const a = parseHgvs(text)?.allele;
    if (!a) continue;
    alleles.push(a);
    if (!loci.some((l) => l.a === a.accession)) {
      const end = a.position + Math.max(a.deletedLength, 1);
      loci.push({ a: a.accession, s: a.position, e: end, is: a.position, ie: end });
    }
  }
  return { loci, alleles };
}

function reportIndex(r: DiagnosticReport): Record<string, unknown> {
  const subject = normalizeRef(r.subject?.reference);
  const x: Record<string, unknown> = { [GX.kind]: ['report'] };
  if (subject) x[GX.subject] = [subject];
  x[GX.result] = (r.result ?? []).map((ref) => normalizeRef(ref.reference)).filter(Boolean);
  x[GX.testId] = identifierTokens(r.identifier);
  x[GX.specimen] = (r.specimen ?? []).map((s) => normalizeRef(s.reference)).filter(Boolean);
  const date = r.effectiveDateTime ?? r.effectivePeriod?.start ?? r.issued;
  if (date && !Number.isNaN(Date.parse(date))) x[GX.date] = [Date.parse(date)];
  return x;
}

function specimenIndex(s: Specimen): Record<string, unknown> {
  return { [GX.specimenId]: [...identifierTokens(s.identifier), ...identifierTokens(s.accessionIdentifier)] };
}

function studyIndex(p: Procedure): Record<string, unknown> {
  const profile = (p.meta?.profile ?? []).find((u) => u.includes('genomics-reporting/StructureDefinition/genomic-study'));
  if (!profile) return {};
  const subject = normalizeRef(p.subject?.reference);
  return { [GX.kind]: ['study'], ...(subject ? { [GX.subject]: [subject], [GX.subjectKind]: [`${subject}|study`] } : {}), [GX.testId]: identifierTokens(p.identifier) };
}

export { codingTokens };
