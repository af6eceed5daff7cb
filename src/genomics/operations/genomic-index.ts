import type { CodeableConcept, DiagnosticReport, Observation, ObservationComponent, Procedure, Resource, Specimen } from '@medplum/fhirtypes';
import { alleleKeys, type Allele, normalizeAllele } from '../variant-notation/allele.js';
import { ASSEMBLY_LOINC, accessionFor, describeAccession } from '../variant-notation/accession.js';
import { hgvsText, parseHgvs } from '../variant-notation/hgvs.js';
import { binOf } from './bins.js';
import { SOURCE_CLASS, codingTokens, conceptTokens, hasCode, identifierTokens, pushConceptTokens } from './codes.js';
import { GX, type GenomicKind, type Locus } from './gx-fields.js';
import { referenceKey } from '../../search/normalize.js';
import { fileComponent, gxSlot, type ComponentTable, type GxComponentCode } from './component-codes.js';
import { EXACT_START_END, INNER_START_END, OUTER_START_END, type Span, startEnd, variantExtent } from './variant-extent.js';

/**
 * Index values the genomics operations query, computed at write time beside the search
 * parameters (merged into indexResource's result). Every key starts with `gx-` so it can never
 * collide with a search parameter code. Composite keys prefixed with the subject (`Patient/p1|…`)
 * make the subject operations one selective equality lookup.
 */
export function genomicIndex(resource: Resource, ownBase: string): Record<string, unknown> {
  const x: Record<string, unknown> = {};
  genomicIndexInto(resource, ownBase, (name, values) => { x[name] = values; });
  return x;
}

/** Receives the gx-* fields one by one (a field may be an empty list, and is then kept). */
export type GxWriter = (name: string, values: unknown[]) => void;

/**
 * genomicIndex, field by field, in order (indexResource adds them to the search fields).
 * `table`: the Observation's components as the search indexer filed them (component-codes.ts).
 * `ownBase`: the server's BASE_URL; subjects and other references on another base are not filed
 * (another server's Patient/p1 is not ours: normalize.ts referenceKey).
 */
export function genomicIndexInto(resource: Resource, ownBase: string, put: GxWriter, table?: ComponentTable): void {
  switch (resource.resourceType) {
    case 'Observation': return observationIndex(resource, ownBase, put, table as ComponentTable<ObservationComponent> | undefined);
    case 'DiagnosticReport': return reportIndex(resource, ownBase, put);
    case 'Specimen': return specimenIndex(resource, put);
    case 'Procedure': return studyIndex(resource, ownBase, put);
  }
}

/**
 * `Patient/p1` from a reference to this server's Patient/p1: relative, versioned, or absolute on
 * `ownBase` (the configured BASE_URL); undefined for another server's resources.
 */
export function normalizeRef(ref: string | undefined, ownBase: string): string | undefined {
  // The search indexer's referenceKey: the same rule, and its cache of recent references.
  return ref ? referenceKey(ref, ownBase) : undefined;
}

/** normalizeRef of each reference, those that have one. */
function refs(list: Array<{ reference?: string }> | undefined, ownBase: string): string[] {
  const out: string[] = [];
  for (const r of list ?? []) {
    const n = normalizeRef(r.reference, ownBase);
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
    // the profile's name: after the last '/', before any '|version'
    const name = p.slice(p.lastIndexOf('/') + 1);
    const bar = name.indexOf('|');
    const k = PROFILE_KIND[bar < 0 ? name : name.slice(0, bar)];
    if (k && p.includes('genomics-reporting')) return k;
  }
  for (const c of o.code?.coding ?? []) if (c.code && CODE_KIND[c.code]) return CODE_KIND[c.code];
  return undefined;
}

/**
 * An Observation's components by the codes of their code (each component once per code, in
 * component order): from the search indexer's walk when it hands its table over, else filed here.
 */
class ByCode {
  constructor(private readonly table: ComponentTable<ObservationComponent>) {}

  static of(o: Observation, table: ComponentTable<ObservationComponent> | undefined): ByCode {
    if (table) return new ByCode(table);
    const t: ComponentTable<ObservationComponent> = [];
    for (const c of o.component ?? []) {
      for (const cd of c.code?.coding ?? []) {
        const slot = gxSlot(cd.code);
        if (slot >= 0) fileComponent(t, slot, c);
      }
    }
    return new ByCode(t);
  }

  get(code: GxComponentCode): ObservationComponent[] {
    return this.table[gxSlot(code)] ?? NONE;
  }
  /** The CodeableConcept values of the components under each code in turn. */
  concepts(...codes: GxComponentCode[]): CodeableConcept[] {
    const out: CodeableConcept[] = [];
    for (const code of codes) for (const c of this.get(code)) if (c.valueCodeableConcept) out.push(c.valueCodeableConcept);
    return out;
  }
  /** First component under `code`: its string, else its first code, else its text. */
  string(code: GxComponentCode): string | undefined {
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

function observationIndex(o: Observation, ownBase: string, put: GxWriter, table: ComponentTable<ObservationComponent> | undefined): void {
  const kind = observationKind(o);
  const subject = normalizeRef(o.subject?.reference, ownBase);
  const members = refs(o.hasMember, ownBase);
  if (members.length) put(GX.member, members);
  if (!kind) return;
  put(GX.kind, [kind]);
  if (subject) {
    put(GX.subject, [subject]);
    put(GX.subjectKind, [`${subject}|${kind}`]);
  }
  const from = refs(o.derivedFrom, ownBase);
  if (from.length) put(GX.derivedFrom, from);
  const specimen = normalizeRef(o.specimen?.reference, ownBase);
  if (specimen) put(GX.specimen, [specimen]);
  const comps = ByCode.of(o, table);
  const sourceClass: unknown[] = [];
  for (const cc of comps.concepts('48002-0')) {
    pushConceptTokens(cc, sourceClass as string[]);
    for (const c of cc.coding ?? []) if (c.code && SOURCE_CLASS[c.code]) sourceClass.push(SOURCE_CLASS[c.code]);
  }
  if (sourceClass.length) put(GX.sourceClass, sourceClass);
  const genes = conceptsTokens(comps.concepts('48018-6'));
  if (genes.length) put(GX.gene, genes);
  if (kind === 'haplotype' || kind === 'genotype') put(GX.haplotype, conceptTokens(o.valueCodeableConcept));
  if (kind === 'tx') put(GX.treatment, conceptsTokens(comps.concepts('51963-7', 'associated-therapy')));
  if (kind === 'tx' || kind === 'dx') put(GX.condition, conceptsTokens(comps.concepts('81259-4')));
  if (kind === 'mc') put(GX.consequence, conceptsTokens(comps.concepts('feature-consequence')));
  if (kind === 'variant') variantIndex(comps, subject, put);
}

const HGVS_CODES = ['81290-9', '48004-6', '48005-3', '81252-9'] as const;

/** The HGVS texts a Variant states (its c./p./g. and discrete-variant components). */
function hgvsTexts(comps: ByCode): string[] {
  const hgvs: string[] = [];
  const add = (s: string | undefined): void => { if (!!s && s.includes(':')) hgvs.push(hgvsText(s)); };
  for (const code of HGVS_CODES) {
    for (const c of comps.get(code)) {
      add(c.valueString);
      for (const k of c.valueCodeableConcept?.coding ?? []) add(k.code);
      add(c.valueCodeableConcept?.text);
    }
  }
  return hgvs;
}

/** The alleles a stored Variant states, as its index files them (the operations check a query's deleted bases against them). */
export function variantAlleles(o: Observation): Allele[] {
  const comps = ByCode.of(o, undefined);
  return variantLoci(comps, hgvsTexts(comps)).alleles;
}

function variantIndex(comps: ByCode, subject: string | undefined, put: GxWriter): void {
  const hgvs = hgvsTexts(comps);
  const { loci, alleles } = variantLoci(comps, hgvs);
  const keys: string[] = [];
  for (const a of alleles) for (const k of alleleKeys(a)) addOnce(keys, k);
  const texts: string[] = [];
  for (const t of hgvs) addOnce(texts, t);
  const asm: string[] = [];
  for (const l of loci) {
    const d = describeAccession(l.a);
    if (d?.assembly) addOnce(asm, `${d.assembly}|${d.chromosome}`);
  }
  const bin: string[] = [];
  for (const l of loci) addOnce(bin, binOf(l.a, l.s, l.e));
  put(GX.loci, loci);
  put(GX.variantKey, keys);
  put(GX.hgvs, texts);
  put(GX.bins, bin);
  put(GX.assembly, asm);
  if (subject) {
    const prefix = `${subject}|`;
    put(GX.subjectBins, bin.map((b) => prefix + b));
    const sv: string[] = [];
    for (const k of keys) sv.push(prefix + k);
    for (const k of texts) sv.push(prefix + k);
    put(GX.subjectVariant, sv);
    put(GX.subjectAssembly, asm.map((a) => prefix + a));
  }
}

/** Adds `s` unless present: the first-seen order of a Set, for the few values a variant has. */
function addOnce(list: string[], s: string): void {
  if (!list.includes(s)) list.push(s);
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
  const system = comps.concepts('92822-6').some((cc) => hasCode(cc, 'LA30102-0')) ? 'LA30102-0' : comps.string('92822-6');
  const ref = comps.string('69547-8');
  const alt = comps.string('69551-0');
  const range = (code: GxComponentCode): Span[] | undefined => {
    const r = comps.get(code)[0]?.valueRange;
    if (r?.low?.value === undefined) return undefined;
    return [startEnd(r.low.value, r.high?.value, system, ref)];
  };
  if (accession) {
    const exact = range(EXACT_START_END)?.[0];
    const changeTypes = comps.concepts('48019-4').flatMap((cc) => (cc.coding ?? []).map((c) => c.code ?? ''));
    const extent = variantExtent(exact && [exact], range(OUTER_START_END), range(INNER_START_END), { ref, alt, changeTypes });
    if (extent) {
      const main = extent.outer[0];
      const sub = extent.inner[0];
      const locus: Locus = sub ? { a: accession, s: main.s, e: main.e, is: sub.s, ie: sub.e } : { a: accession, s: main.s, e: main.e };
      if (extent.structural) locus.sv = 1;
      loci.push(locus);
      if (exact && ref !== undefined && alt !== undefined && /^[ACGTN]*$/i.test(ref + alt)) {
        alleles.push(normalizeAllele({ accession, position: exact.s, ref, deletedLength: ref.length, alt }));
      }
    }
  }
  for (const text of hgvs) {
    const a = parseHgvs(text)?.allele;
    if (!a) continue;
    alleles.push(a);
    if (!loci.some((l) => l.a === a.accession)) {
      const extent = variantExtent([{ s: a.position, e: a.position + a.deletedLength }], undefined, undefined)!;
      const [main] = extent.outer;
      const sub = extent.inner[0];
      loci.push(sub ? { a: a.accession, s: main.s, e: main.e, is: sub.s, ie: sub.e } : { a: a.accession, s: main.s, e: main.e });
    }
  }
  return { loci, alleles };
}

function reportIndex(r: DiagnosticReport, ownBase: string, put: GxWriter): void {
  const subject = normalizeRef(r.subject?.reference, ownBase);
  put(GX.kind, ['report']);
  if (subject) put(GX.subject, [subject]);
  put(GX.result, refs(r.result, ownBase));
  put(GX.testId, identifierTokens(r.identifier));
  put(GX.specimen, refs(r.specimen, ownBase));
  const date = r.effectiveDateTime ?? r.effectivePeriod?.start ?? r.issued;
  if (date && !Number.isNaN(Date.parse(date))) put(GX.date, [Date.parse(date)]);
}

function specimenIndex(s: Specimen, put: GxWriter): void {
  put(GX.specimenId, [...identifierTokens(s.identifier), ...identifierTokens(s.accessionIdentifier)]);
}

function studyIndex(p: Procedure, ownBase: string, put: GxWriter): void {
  const profile = (p.meta?.profile ?? []).find((u) => u.includes('genomics-reporting/StructureDefinition/genomic-study'));
  if (!profile) return;
  const subject = normalizeRef(p.subject?.reference, ownBase);
  put(GX.kind, ['study']);
  if (subject) {
    put(GX.subject, [subject]);
    put(GX.subjectKind, [`${subject}|study`]);
  }
  put(GX.testId, identifierTokens(p.identifier));
}

export { codingTokens };
