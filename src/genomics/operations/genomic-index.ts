import type { CodeableConcept, DiagnosticReport, Observation, ObservationComponent, Procedure, Resource, Specimen } from '@medplum/fhirtypes';
import { alleleKey, type Allele, normalizeAllele } from '../variant-notation/allele.js';
import { ASSEMBLY_LOINC, accessionFor, describeAccession } from '../variant-notation/accession.js';
import { hgvsText, parseHgvs } from '../variant-notation/hgvs.js';
import { binOf } from './bins.js';
import { SOURCE_CLASS, codingTokens, conceptTokens, hasCode, identifierTokens, pushConceptTokens } from './codes.js';
import { GX, type GenomicKind, type Locus } from './gx-fields.js';
import { referenceKey } from '../../search/normalize.js';

/**
 * Index values the genomics operations query, computed at write time beside the search
 * parameters (merged into indexResource's result). Every key starts with `gx-` so it can never
 * collide with a search parameter code. Composite keys prefixed with the subject (`Patient/p1|…`)
 * make the subject operations one selective equality lookup.
 */
export function genomicIndex(resource: Resource): Record<string, unknown> {
  return genomicIndexInto(resource, {});
}

/** genomicIndex, written into `x` (indexResource's result): same fields, same order. */
export function genomicIndexInto(resource: Resource, x: Record<string, unknown>): Record<string, unknown> {
  switch (resource.resourceType) {
    case 'Observation': return observationIndex(resource, x);
    case 'DiagnosticReport': return reportIndex(resource, x);
    case 'Specimen': return specimenIndex(resource, x);
    case 'Procedure': return studyIndex(resource, x);
    default: return x;
  }
}

/** `Patient/p1` from a relative, absolute or versioned reference. */
export function normalizeRef(ref: string | undefined): string | undefined {
  // The search indexer's referenceKey: the same pattern, and its cache of recent references.
  return ref ? referenceKey(ref) : undefined;
}

/** normalizeRef of each reference, those that have one. */
function refs(list: Array<{ reference?: string }> | undefined): string[] {
  const out: string[] = [];
  for (const r of list ?? []) {
    const n = normalizeRef(r.reference);
    if (n) out.push(n);
  }
  return out;
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

/**
 * An Observation's components by the codes of their code (each component once per code, in
 * component order), filed in one pass: the fields below look up a dozen codes.
 */
class ByCode {
  private readonly map = new Map<string, ObservationComponent[]>();
  constructor(o: Observation) {
    for (const c of o.component ?? []) {
      for (const cd of c.code?.coding ?? []) {
        const code = cd.code;
        if (code === undefined) continue;
        let list = this.map.get(code);
        if (!list) this.map.set(code, (list = []));
        if (list[list.length - 1] !== c) list.push(c);
      }
    }
  }
  get(code: string): ObservationComponent[] {
    return this.map.get(code) ?? NONE;
  }
  /** The CodeableConcept values of the components under each code in turn. */
  concepts(...codes: string[]): CodeableConcept[] {
    const out: CodeableConcept[] = [];
    for (const code of codes) for (const c of this.get(code)) if (c.valueCodeableConcept) out.push(c.valueCodeableConcept);
    return out;
  }
  /** First component under `code`: its string, else its first code, else its text. */
  string(code: string): string | undefined {
    const c = this.get(code)[0];
    return c?.valueString ?? c?.valueCodeableConcept?.coding?.[0]?.code ?? c?.valueCodeableConcept?.text;
  }
}
const NONE: ObservationComponent[] = [];

function conceptsTokens(ccs: CodeableConcept[]): string[] {
  const out: string[] = [];
  for (const cc of ccs) pushConceptTokens(cc, out);
  return out;
}

function observationIndex(o: Observation, x: Record<string, unknown>): Record<string, unknown> {
  const kind = observationKind(o);
  const subject = normalizeRef(o.subject?.reference);
  const members = refs(o.hasMember);
  if (members.length) x[GX.member] = members;
  if (!kind) return x;
  x[GX.kind] = [kind];
  if (subject) {
    x[GX.subject] = [subject];
    x[GX.subjectKind] = [`${subject}|${kind}`];
  }
  const from = refs(o.derivedFrom);
  if (from.length) x[GX.derivedFrom] = from;
  const specimen = normalizeRef(o.specimen?.reference);
  if (specimen) x[GX.specimen] = [specimen];
  const comps = new ByCode(o);
  const sourceClass: unknown[] = [];
  for (const cc of comps.concepts('48002-0')) {
    pushConceptTokens(cc, sourceClass as string[]);
    for (const c of cc.coding ?? []) if (c.code && SOURCE_CLASS[c.code]) sourceClass.push(SOURCE_CLASS[c.code]);
  }
  if (sourceClass.length) x[GX.sourceClass] = sourceClass;
  const genes = conceptsTokens(comps.concepts('48018-6'));
  if (genes.length) x[GX.gene] = genes;
  if (kind === 'haplotype' || kind === 'genotype') x[GX.haplotype] = conceptTokens(o.valueCodeableConcept);
  if (kind === 'tx') x[GX.treatment] = conceptsTokens(comps.concepts('51963-7', 'associated-therapy'));
  if (kind === 'tx' || kind === 'dx') x[GX.condition] = conceptsTokens(comps.concepts('81259-4'));
  if (kind === 'mc') x[GX.consequence] = conceptsTokens(comps.concepts('feature-consequence'));
  if (kind === 'variant') variantIndex(comps, subject, x);
  return x;
}

const HGVS_CODES = ['81290-9', '48004-6', '48005-3', '81252-9'];

function variantIndex(comps: ByCode, subject: string | undefined, x: Record<string, unknown>): void {
  const hgvs: string[] = [];
  const add = (s: string | undefined): void => { if (!!s && s.includes(':')) hgvs.push(hgvsText(s)); };
  for (const code of HGVS_CODES) {
    for (const c of comps.get(code)) {
      add(c.valueString);
      for (const k of c.valueCodeableConcept?.coding ?? []) add(k.code);
      add(c.valueCodeableConcept?.text);
    }
  }
  const { loci, alleles } = variantLoci(comps, hgvs);
  const keys = [...new Set(alleles.map(alleleKey))];
  const texts = [...new Set(hgvs)];
  const assemblies = new Set<string>();
  const bins = new Set<string>();
  for (const l of loci) {
    const d = describeAccession(l.a);
    if (d?.assembly) assemblies.add(`${d.assembly}|${d.chromosome}`);
  }
  for (const l of loci) bins.add(binOf(l.a, l.s, l.e));
  const asm = [...assemblies];
  const bin = [...bins];
  x[GX.loci] = loci;
  x[GX.variantKey] = keys;
  x[GX.hgvs] = texts;
  x[GX.bins] = bin;
  x[GX.assembly] = asm;
  if (subject) {
    const prefix = `${subject}|`;
    x[GX.subjectBins] = bin.map((b) => prefix + b);
    const sv: string[] = [];
    for (const k of keys) sv.push(prefix + k);
    for (const k of texts) sv.push(prefix + k);
    x[GX.subjectVariant] = sv;
    x[GX.subjectAssembly] = asm.map((a) => prefix + a);
  }
}

/** Where a Variant Observation lies: from its location components, else from its genomic HGVS. */
function variantLoci(comps: ByCode, hgvs: string[]): { loci: Locus[]; alleles: Allele[] } {
  let accession = comps.string('48013-7');
  if (!accession) {
    const asm = comps.concepts('62374-4').flatMap((cc) => cc.coding ?? []).map((c) => ASSEMBLY_LOINC[c.code ?? '']).find(Boolean);
    const chr = comps.concepts('48000-4').map((cc) => cc.coding?.[0]?.display ?? cc.text ?? '').map((d) => /(\d+|X|Y|M)\s*$/i.exec(d)?.[1]).find(Boolean);
    if (asm && chr) accession = accessionFor(asm, chr);
  }
  const loci: Locus[] = [];
  const alleles: Allele[] = [];
  const oneBased = comps.concepts('92822-6').some((cc) => hasCode(cc, 'LA30102-0'));
  const ref = comps.string('69547-8');
  const alt = comps.string('69551-0');
  const range = (code: string) => {
    const r = comps.get(code)[0]?.valueRange;
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

function reportIndex(r: DiagnosticReport, x: Record<string, unknown>): Record<string, unknown> {
  const subject = normalizeRef(r.subject?.reference);
  x[GX.kind] = ['report'];
  if (subject) x[GX.subject] = [subject];
  x[GX.result] = refs(r.result);
  x[GX.testId] = identifierTokens(r.identifier);
  x[GX.specimen] = refs(r.specimen);
  const date = r.effectiveDateTime ?? r.effectivePeriod?.start ?? r.issued;
  if (date && !Number.isNaN(Date.parse(date))) x[GX.date] = [Date.parse(date)];
  return x;
}

function specimenIndex(s: Specimen, x: Record<string, unknown>): Record<string, unknown> {
  x[GX.specimenId] = [...identifierTokens(s.identifier), ...identifierTokens(s.accessionIdentifier)];
  return x;
}

function studyIndex(p: Procedure, x: Record<string, unknown>): Record<string, unknown> {
  const profile = (p.meta?.profile ?? []).find((u) => u.includes('genomics-reporting/StructureDefinition/genomic-study'));
  if (!profile) return x;
  const subject = normalizeRef(p.subject?.reference);
  x[GX.kind] = ['study'];
  if (subject) {
    x[GX.subject] = [subject];
    x[GX.subjectKind] = [`${subject}|study`];
  }
  x[GX.testId] = identifierTokens(p.identifier);
  return x;
}

export { codingTokens };
