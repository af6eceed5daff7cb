import type { ParamDef } from './registry.js';
import { tokenEntries, stringEntries, referenceEntries, type IndexEntries } from './index-values.js';

/**
 * Genetics search parameters. The R4 ones (https://hl7.org/fhir/R4/observation-genetics.html,
 * https://hl7.org/fhir/R4/diagnosticreport-genetics.html) are defined on the R4 genetics
 * extensions; here they also read the Genomics Reporting IG STU3 component representation
 * (https://hl7.org/fhir/uv/genomics-reporting/STU3/StructureDefinition-variant.html).
 * `genomic-region` is ours: overlap with a 0-based half-open interval on an NC_ accession.
 */
const R4 = 'http://hl7.org/fhir/SearchParameter/';
const OURS = 'urn:fhir-genomics-server:SearchParameter/';
const EXT = 'http://hl7.org/fhir/StructureDefinition/';
export const GENOMIC_REGION_URL = `${OURS}genomic-region`;

export const GENOMICS_PARAMS: ParamDef[] = [
  { id: 'Observation-gene-identifier', url: `${R4}Observation-gene-identifier`, code: 'gene-identifier', type: 'token', base: ['Observation'],
    expression: "Observation.extension('http://hl7.org/fhir/StructureDefinition/observation-geneticsGene').value | Observation.component.where(code.coding.code='48018-6').value",
    description: 'HGNC gene identifier or symbol (component 48018-6 or the R4 observation-geneticsGene extension)' },
  { id: 'Observation-dna-variant', url: `${R4}Observation-dna-variant`, code: 'dna-variant', type: 'string', base: ['Observation'],
    expression: "Observation.extension('http://hl7.org/fhir/StructureDefinition/observation-geneticsVariant').extension('Name').value | Observation.component.where(code.coding.code in ('48004-6' | '81290-9' | '81252-9')).value",
    description: 'HGVS DNA variant (c.HGVS 48004-6, g.HGVS 81290-9, discrete variant 81252-9, or the R4 observation-geneticsVariant extension)' },
  { id: 'Observation-amino-acid-change', url: `${R4}Observation-amino-acid-change`, code: 'amino-acid-change', type: 'string', base: ['Observation'],
    expression: "Observation.extension('http://hl7.org/fhir/StructureDefinition/observation-geneticsAminoAcidChange').extension('Name').value | Observation.component.where(code.coding.code='48005-3').value",
    description: 'HGVS protein change (p.HGVS 48005-3 or the R4 observation-geneticsAminoAcidChange extension)' },
  { id: 'Observation-gene-dnavariant', url: `${R4}Observation-gene-dnavariant`, code: 'gene-dnavariant', type: 'string', base: ['Observation'],
    description: 'Gene symbol or HGNC id and DNA variant, as GENE$HGVS (e.g. EGFR$NM_005228.5:c.2573T>G)' },
  { id: 'Observation-gene-amino-acid-change', url: `${R4}Observation-gene-amino-acid-change`, code: 'gene-amino-acid-change', type: 'string', base: ['Observation'],
    description: 'Gene symbol or HGNC id and protein change, as GENE$HGVS (e.g. EGFR$p.Leu858Arg)' },
  { id: 'DiagnosticReport-assessed-condition', url: `${R4}DiagnosticReport-assessed-condition`, code: 'assessed-condition', type: 'reference', base: ['DiagnosticReport'],
    target: ['Condition'], expression: "DiagnosticReport.extension('http://hl7.org/fhir/StructureDefinition/DiagnosticReport-geneticsAssessedCondition').value",
    description: 'Condition assessed by a genetic test (R4 DiagnosticReport-geneticsAssessedCondition extension)' },
  { id: 'genomic-region', url: GENOMIC_REGION_URL, code: 'genomic-region', type: 'special', base: ['Observation', 'MolecularSequence'],
    expression: "Observation.component.where(code.coding.code in ('81254-5' | '48013-7' | '92822-6')) | MolecularSequence.referenceSeq | MolecularSequence.variant",
    description: 'Overlaps a genomic region NC_accession:start-end (0-based, half-open), e.g. NC_000007.14:55019016-55211628. Variant Observations cover their 81254-5 range read in their 92822-6 coordinate system on their 48013-7 accession; MolecularSequence its referenceSeq window and its variants.' },
];

type Component = { code?: { coding?: Array<{ code?: string }> }; [k: string]: unknown };
type Ext = { url?: string; extension?: Ext[]; [k: string]: unknown };

function components(r: Record<string, unknown>, ...codes: string[]): Component[] {
  const comps = Array.isArray(r.component) ? (r.component as Component[]) : [];
  return comps.filter((c) => c.code?.coding?.some((cd) => cd.code !== undefined && codes.includes(cd.code)));
}
function ext(r: { extension?: Ext[] }, url: string): Ext[] {
  return Array.isArray(r.extension) ? r.extension.filter((e) => e?.url === url) : [];
}
function extValue(e: Ext): unknown {
  for (const k in e) if (k.startsWith('value')) return e[k];
  return undefined;
}
function subValue(e: Ext, name: string): unknown[] {
  return (e.extension ?? []).filter((s) => s.url === name).map(extValue);
}
function conceptStrings(v: unknown): string[] {
  if (typeof v === 'string') return [v];
  const o = v as { coding?: Array<{ code?: string; display?: string }>; text?: string } | undefined;
  if (!o || typeof o !== 'object') return [];
  const out: string[] = [];
  for (const c of o.coding ?? []) {
    if (c.code) out.push(c.code);
    if (c.display && c.display !== c.code) out.push(c.display);
  }
  if (o.text) out.push(o.text);
  return out;
}

function geneValues(r: Record<string, unknown>): unknown[] {
  return [...components(r, '48018-6').map((c) => c.valueCodeableConcept), ...ext(r, `${EXT}observation-geneticsGene`).map(extValue)].filter(Boolean);
}
function dnaValues(r: Record<string, unknown>): unknown[] {
  return [
    ...components(r, '48004-6', '81290-9', '81252-9').map((c) => c.valueCodeableConcept ?? c.valueString),
    ...ext(r, `${EXT}observation-geneticsVariant`).flatMap((e) => subValue(e, 'Name')),
  ].filter(Boolean);
}
function aaValues(r: Record<string, unknown>): unknown[] {
  return [
    ...components(r, '48005-3').map((c) => c.valueCodeableConcept ?? c.valueString),
    ...ext(r, `${EXT}observation-geneticsAminoAcidChange`).flatMap((e) => subValue(e, 'Name')),
  ].filter(Boolean);
}

function geneVariantPairs(out: IndexEntries, key: string, genes: unknown[], variants: unknown[]): void {
  const gs = genes.flatMap(conceptStrings);
  const vs = variants.flatMap(conceptStrings);
  for (const g of gs) for (const v of vs) stringEntries(out, key, { value: `${g}$${v}` });
}

/** A region covered by a resource: accession + 0-based half-open interval. */
export interface Region {
  a: string;
  s: number;
  e: number;
}

/** Reads an interval given in a coordinate system into 0-based half-open form. */
function toHalfOpen(lo: number, hi: number, system: string | undefined): [number, number] {
  let s = lo;
  let e = hi;
  if (system === 'LA30102-0' || system === '1') s = lo - 1; // 1-based character counting: [lo, hi] inclusive
  else if (system === 'LA30101-2') e = hi + 1; // 0-based character counting: [lo, hi] inclusive
  // Zero-length (insertion) intervals are taken to cover the position they sit at.
  return [s, Math.max(e, s + 1)];
}

function observationRegions(r: Record<string, unknown>): Region[] {
  const acc = components(r, '48013-7').flatMap((c) => (c.valueCodeableConcept as { coding?: Array<{ code?: string }> })?.coding ?? []).map((c) => c.code).find((c) => c && /^N[CGTW]_/.test(c));
  if (!acc) return [];
  const cs = components(r, '92822-6').flatMap((c) => (c.valueCodeableConcept as { coding?: Array<{ code?: string }> })?.coding ?? [])[0]?.code ?? 'LA30102-0';
  const out: Region[] = [];
  for (const c of components(r, '81254-5')) {
    const range = c.valueRange as { low?: { value?: number }; high?: { value?: number } } | undefined;
    const lo = range?.low?.value ?? (typeof c.valueInteger === 'number' ? c.valueInteger : undefined);
    if (typeof lo !== 'number') continue;
    const hi = range?.high?.value ?? lo + (cs === 'LA30100-4' ? 1 : 0);
    const [s, e] = toHalfOpen(lo, hi, cs);
    out.push({ a: acc, s, e });
  }
  return out;
}

function sequenceRegions(r: Record<string, unknown>): Region[] {
  const ref = r.referenceSeq as { referenceSeqId?: { coding?: Array<{ code?: string }> }; windowStart?: number; windowEnd?: number } | undefined;
  const acc = ref?.referenceSeqId?.coding?.map((c) => c.code).find((c) => c && /^N[CGTW]_/.test(c));
  if (!acc) return [];
  const cs = r.coordinateSystem === 1 ? '1' : '0';
  const out: Region[] = [];
  if (typeof ref?.windowStart === 'number' && typeof ref.windowEnd === 'number') {
    const [s, e] = toHalfOpen(ref.windowStart, ref.windowEnd, cs);
    out.push({ a: acc, s, e });
  }
  for (const v of (r.variant as Array<{ start?: number; end?: number }>) ?? []) {
    if (typeof v.start !== 'number') continue;
    const [s, e] = toHalfOpen(v.start, v.end ?? v.start, cs);
    out.push({ a: acc, s, e });
  }
  return out;
}

type Indexer = (r: Record<string, unknown>, out: IndexEntries, key: string) => void;

/** Custom indexers, by resource type then parameter code. */
export const CUSTOM_INDEXERS: Record<string, Record<string, Indexer>> = {
  Observation: {
    'gene-identifier': (r, out, key) => {
      for (const v of geneValues(r)) {
        tokenEntries(out, key, { value: v, type: 'CodeableConcept' });
        // the gene symbol (display) is accepted as a code too: gene-identifier=EGFR
        for (const c of (v as { coding?: Array<{ display?: string }> }).coding ?? []) if (c.display && !(out[key] ??= []).includes(c.display)) out[key].push(c.display);
      }
    },
    'dna-variant': (r, out, key) => dnaValues(r).flatMap(conceptStrings).forEach((s) => stringEntries(out, key, { value: s })),
    'amino-acid-change': (r, out, key) => aaValues(r).flatMap(conceptStrings).forEach((s) => stringEntries(out, key, { value: s })),
    'gene-dnavariant': (r, out, key) => geneVariantPairs(out, key, geneValues(r), dnaValues(r)),
    'gene-amino-acid-change': (r, out, key) => geneVariantPairs(out, key, geneValues(r), aaValues(r)),
    'genomic-region': (r, out, key) => {
      const regions = observationRegions(r);
      if (regions.length) out[key] = regions;
    },
  },
  MolecularSequence: {
    'genomic-region': (r, out, key) => {
      const regions = sequenceRegions(r);
      if (regions.length) out[key] = regions;
    },
  },
  DiagnosticReport: {
    'assessed-condition': (r, out, key) => {
      for (const e of (r.extension as Ext[] | undefined) ?? []) {
        if (e.url?.endsWith('geneticsAssessedCondition')) referenceEntries(out, key, { value: extValue(e) });
      }
    },
  },
};

/** Parses `NC_000007.14:55019016-55211628` (0-based, half-open). */
export function parseRegion(value: string): Region | undefined {
  const m = /^(N[CGTW]_\d+(?:\.\d+)?):(\d+)-(\d+)$/.exec(value.trim());
  if (!m) return undefined;
  const s = Number(m[2]);
  const e = Number(m[3]);
  if (!(e > s)) return undefined;
  return { a: m[1], s, e };
}

