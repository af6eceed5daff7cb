import type { ParamDef } from './registry.js';
import { gxSlot, type ComponentTable } from '../genomics/operations/component-codes.js';
import { ALT_ALLELE, INNER_START_END, OUTER_START_END, REF_ALLELE, startEnd, variantExtent } from '../genomics/operations/variant-extent.js';
import { fieldOf, type ValueSink } from './index-sink.js';
import { keysOf, referenceValues, tokenValues, type Keys } from './index-values.js';
import { fold } from './normalize.js';
import { accessionsOf, fromAccession } from '../genomics/assemblies.js';
import { regionBin } from '../genomics/operations/bins.js';

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
    expression: "Observation.component.where(code.coding.code in ('81254-5' | '81301-4' | '81302-2' | '48013-7' | '92822-6')) | MolecularSequence.referenceSeq | MolecularSequence.variant",
    description: 'Overlaps a genomic region NC_accession:start-end (0-based, half-open), e.g. NC_000007.14:55019016-55211628. Variant Observations cover their 81254-5 exact range, or for an imprecise structural variant its 81301-4 outer range (else its 81302-2 inner range), read in their 92822-6 coordinate system on their 48013-7 accession; MolecularSequence its referenceSeq window and its variants.' },
];

type Component = Record<string, unknown>;
type Ext = { url?: string; extension?: Ext[]; [k: string]: unknown };

/**
 * An Observation's components under the genetics codes (observation-components.ts files them
 * while it walks the components for the component parameters), each in component order.
 */
export interface GeneticComponents {
  gene?: Component[]; // 48018-6
  dna?: Component[]; // 48004-6, 81290-9, 81252-9
  aa?: Component[]; // 48005-3
  acc?: Component[]; // 48013-7
  coord?: Component[]; // 92822-6
  range?: Component[]; // 81254-5
  /** A component code whose coding is not a list of objects: the genetics parameters are not indexed. */
  unreadable: boolean;
  /** Every component by the codes the gx-* fields read (component-codes.ts). */
  gx: ComponentTable<Component>;
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
/** Codes, displays and text of a coded value (or the string itself); not always strings in odd shapes. */
function conceptStrings(v: unknown, out: unknown[]): void {
  if (typeof v === 'string') {
    out.push(v);
    return;
  }
  const o = v as { coding?: Array<{ code?: string; display?: string }>; text?: string } | undefined;
  if (!o || typeof o !== 'object') return;
  for (const c of o.coding ?? []) {
    if (c.code) out.push(c.code);
    if (c.display && c.display !== c.code) out.push(c.display);
  }
  if (o.text) out.push(o.text);
}
function valuesOf(comps: Component[] | undefined, exts: Ext[], sub: boolean): unknown[] {
  const out: unknown[] = [];
  for (const c of comps ?? []) {
    const v = sub ? c.valueCodeableConcept ?? c.valueString : c.valueCodeableConcept;
    if (v) out.push(v);
  }
  for (const e of exts) {
    if (!sub) {
      const v = extValue(e);
      if (v) out.push(v);
    } else for (const v of subValue(e, 'Name')) if (v) out.push(v);
  }
  return out;
}

// eslint-disable-next-line no-control-regex
const ASCII = /^[\x00-\x7f]*$/;

/** The strings of coded values, each folded once (a string parameter stores folded and exact forms). */
class Folded {
  readonly exact: unknown[] = [];
  /** Folded form; undefined for a value that is not a string. */
  readonly folded: Array<string | undefined> = [];
  readonly ascii: boolean[] = [];
  constructor(values: unknown[]) {
    for (const v of values) conceptStrings(v, this.exact);
    for (const s of this.exact) {
      const ascii = typeof s === 'string' && ASCII.test(s);
      this.ascii.push(ascii);
      this.folded.push(ascii ? s.toLowerCase() : typeof s === 'string' ? fold(s) : undefined);
    }
  }
  index(out: ValueSink, keys: Keys): void {
    for (let i = 0; i < this.exact.length; i++) {
      const s = this.exact[i];
      if (typeof s !== 'string' || !s) continue;
      out.add(keys.k, this.folded[i]);
      out.add(keys.e, s);
    }
  }
}

/** `GENE$VARIANT` pairs: folding distributes over the join for ASCII (`$` separates, case is per letter). */
function geneVariantPairs(out: ValueSink, keys: Keys, genes: Folded, variants: Folded): void {
  for (let i = 0; i < genes.exact.length; i++) {
    for (let j = 0; j < variants.exact.length; j++) {
      const exact = `${genes.exact[i] as string}$${variants.exact[j] as string}`;
      out.add(keys.k, genes.ascii[i] && variants.ascii[j] ? `${genes.folded[i]!}$${variants.folded[j]!}` : fold(exact));
      out.add(keys.e, exact);
    }
  }
}

const GENE = keysOf('gene-identifier');
const DNA = keysOf('dna-variant');
const AA = keysOf('amino-acid-change');
const GENE_DNA = keysOf('gene-dnavariant');
const GENE_AA = keysOf('gene-amino-acid-change');
const REGION = fieldOf('genomic-region');

/**
 * The six genetics parameters of an Observation, from its filed components and its R4 genetics
 * extensions (expressions in GENOMICS_PARAMS), in that order; a value that cannot be read stops
 * the rest, as one FHIRPath error would.
 */
export function geneticsFromComponents(r: Record<string, unknown>, out: ValueSink, g: GeneticComponents): void {
  if (g.unreadable) throw new TypeError('component code without a coding list');
  const genes = valuesOf(g.gene, ext(r, `${EXT}observation-geneticsGene`), false);
  // (a gene with a text only gives no code, but it is there: `:missing`, index-sink.ts present)
  if (genes.length) out.present(GENE);
  for (const v of genes) {
    tokenValues(out, GENE, v, 'CodeableConcept');
    // the gene symbol (display) is accepted as a code too: gene-identifier=EGFR
    for (const c of (v as { coding?: Array<{ display?: string }> }).coding ?? []) if (c.display) out.add(GENE.k, c.display);
  }
  const dna = new Folded(valuesOf(g.dna, ext(r, `${EXT}observation-geneticsVariant`), true));
  dna.index(out, DNA);
  const aa = new Folded(valuesOf(g.aa, ext(r, `${EXT}observation-geneticsAminoAcidChange`), true));
  aa.index(out, AA);
  if (genes.length) {
    const geneStrings = new Folded(genes);
    geneVariantPairs(out, GENE_DNA, geneStrings, dna);
    geneVariantPairs(out, GENE_AA, geneStrings, aa);
  }
  const regions = observationRegions(g);
  if (regions.length) out.set(REGION, regions.map(binned));
}

/** A region covered by a resource: accession + 0-based half-open interval. */
export interface Region {
  a: string;
  s: number;
  e: number;
}

/**
 * A stored region with its bin (bins.ts `regionBin`): a query names the bins its window can meet
 * (compile-values.ts `regionCond`), so that MongoDB's `{t, a, b, s}` index reads the variants
 * near the window, not every variant of the chromosome that starts before its end.
 */
function binned(r: Region): Region & { b: number } {
  return { ...r, b: regionBin(r.s, r.e) };
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

function firstAccession(comps: Component[] | undefined): string | undefined {
  for (const c of comps ?? []) {
    for (const cd of (c.valueCodeableConcept as { coding?: Array<{ code?: string }> })?.coding ?? []) {
      const code = cd.code;
      if (code && /^N[CGTW]_/.test(code)) return code;
    }
  }
  return undefined;
}

/**
 * A Variant's extent for overlap: its outer range when it is an imprecise structural variant,
 * else the changed bases of its exact one (variant-extent.ts, the rule the genomics operations
 * apply too).
 */
function observationRegions(g: GeneticComponents): Region[] {
  const acc = firstAccession(g.acc);
  if (!acc) return [];
  let cs = 'LA30102-0';
  for (const c of g.coord ?? []) {
    const coding = (c.valueCodeableConcept as { coding?: Array<{ code?: string }> })?.coding ?? [];
    if (coding.length) {
      cs = coding[0]?.code ?? 'LA30102-0';
      break;
    }
  }
  const stated = (code: string): string | undefined => {
    const v = g.gx[gxSlot(code)]?.[0]?.valueString;
    return typeof v === 'string' ? v : undefined;
  };
  const ref = stated(REF_ALLELE);
  const read = (comps: Component[] | undefined): Region[] | undefined => {
    const out: Region[] = [];
    for (const c of comps ?? []) {
      const range = c.valueRange as { low?: { value?: number }; high?: { value?: number } } | undefined;
      const lo = range?.low?.value ?? (typeof c.valueInteger === 'number' ? c.valueInteger : undefined);
      if (typeof lo !== 'number') continue;
      out.push({ a: acc, ...startEnd(lo, range?.high?.value, cs, ref) });
    }
    return out.length ? out : undefined;
  };
  const extent = variantExtent(read(g.range), read(g.gx[gxSlot(OUTER_START_END)]), read(g.gx[gxSlot(INNER_START_END)]), { ref, alt: stated(ALT_ALLELE) });
  return extent?.outer ?? [];
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

type Indexer = (r: Record<string, unknown>, out: ValueSink, keys: Keys) => void;

/** Custom indexers, by resource type then parameter code. */
export const CUSTOM_INDEXERS: Record<string, Record<string, Indexer>> = {
  MolecularSequence: {
    'genomic-region': (r, out, keys) => {
      const regions = sequenceRegions(r);
      if (regions.length) out.set(keys.k, regions.map(binned));
    },
  },
  DiagnosticReport: {
    'assessed-condition': (r, out, keys) => {
      for (const e of (r.extension as Ext[] | undefined) ?? []) {
        if (!e.url?.endsWith('geneticsAssessedCondition')) continue;
        const v = extValue(e);
        if (v !== undefined) out.present(keys);
        referenceValues(out, keys, v);
      }
    },
  },
};

/**
 * Why a query region's accession can never match, or undefined when it can. Stored regions carry
 * the versioned accession (the version pins the assembly: NC_000007.13 is GRCh37, NC_000007.14
 * GRCh38), so an accession without a version, or a chromosome accession of neither build the
 * server accepts, would silently match nothing.
 */
export function regionAccessionProblem(accession: string): string | undefined {
  const dot = accession.indexOf('.');
  const base = dot < 0 ? accession : accession.slice(0, dot);
  const known = accessionsOf(base);
  const suggest = known.length ? ` (${known.map((k) => `${k.accession} in ${k.build}`).join(', ')})` : '';
  if (dot < 0) return `${accession} has no version: a versioned RefSeq accession is needed${suggest || ', such as NC_000007.14'}`;
  if (accession.startsWith('NC_') && !fromAccession(accession)) {
    return `${accession} is not a GRCh37 or GRCh38 chromosome accession${suggest}`;
  }
  return undefined;
}

/** Parses `NC_000007.14:55019016-55211628` (0-based, half-open). */
export function parseRegion(value: string): Region | undefined {
  const m = /^(N[CGTW]_\d+(?:\.\d+)?):(\d+)-(\d+)$/.exec(value.trim());
  if (!m) return undefined;
  const s = Number(m[2]);
  const e = Number(m[3]);
  if (!(e > s)) return undefined;
  return { a: m[1], s, e };
}

