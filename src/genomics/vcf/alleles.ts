import type { ChangeType } from './codes.js';
import { type VcfRecord, VcfLineError, infoValue, numberList, sampleValue } from './record.js';

/**
 * What one ALT allele of a record describes, in 0-based half-open coordinates (the IG's
 * "0-based interval counting", LOINC LA30100-4): a sequence-resolved change keeps REF/ALT as
 * written and spans [POS-1, POS-1+len(REF)); a symbolic structural variant (VCF 4.3 section 3)
 * spans the bases after the padding base: [POS, END).
 */
export interface AlleleCall {
  changeType: ChangeType;
  start: number;
  end: number;
  /** Outer / inner bounds from CIPOS/CIEND (imprecise structural variants). */
  outer?: [number, number];
  inner?: [number, number];
  ref?: string;
  alt?: string;
  copyNumber?: number;
  structural: boolean;
}
export type AlleleResult = { call: AlleleCall } | { unsupported: string };

const SV_TYPES: Record<string, ChangeType> = {
  DEL: 'deletion',
  DUP: 'duplication',
  INV: 'inversion',
  INS: 'insertion',
  CNV: 'cnv',
};

/** `altIdx`: the allele's 1-based index in ALT (per-ALT INFO values such as SVLEN are read at it). */
export function classifyAllele(r: VcfRecord, alt: string, altIdx = 1): AlleleResult {
  if (alt === '*') return { unsupported: 'spanning-deletion' };
  if (alt === '.') return { unsupported: 'no-alt' };
  if (/[[\]]/.test(alt) || alt.startsWith('.') || alt.endsWith('.')) return { unsupported: 'breakend' };
  if (alt.startsWith('<')) return classifySymbolic(r, alt.slice(1, -1), altIdx);
  return { call: classifySequence(r, alt.toUpperCase()) };
}

function classifySequence(r: VcfRecord, alt: string): AlleleCall {
  const ref = r.ref;
  const start = r.pos - 1;
  // (END is implied by REF here; one given before POS says the record is broken)
  const endText = infoValue(r, 'END');
  if (endText !== undefined && /^\d+$/.test(endText) && Number(endText) < r.pos) throw new VcfLineError(r.line, `INFO END ${endText} is before POS ${r.pos}`);
  let changeType: ChangeType;
  // The shared bases are padding: before the event as usual, or after it when the event is at
  // position 1 (VCF 4.3 section 1.6.1 REF: "the padding base ... must be the base after the event").
  if (ref.length === alt.length) changeType = ref.length === 1 ? 'snv' : 'mnv';
  else if (alt.length > ref.length && (alt.startsWith(ref) || alt.endsWith(ref))) changeType = 'insertion';
  else if (ref.length > alt.length && (ref.startsWith(alt) || ref.endsWith(alt))) changeType = 'deletion';
  else changeType = 'delins';
  return { changeType, start, end: start + ref.length, ref, alt, structural: false };
}

function classifySymbolic(r: VcfRecord, id: string, altIdx: number): AlleleResult {
  const top = id.split(':')[0];
  if (top === 'NON_REF' || top === '*') return { unsupported: 'reference-block' };
  const svtype = infoValue(r, 'SVTYPE')?.split(':')[0];
  let changeType: ChangeType | undefined = SV_TYPES[top];
  let copyNumber: number | undefined;
  const cnAllele = /^CN(\d+)$/.exec(top);
  if (cnAllele) {
    changeType = 'cnv';
    copyNumber = Number(cnAllele[1]);
  }
  if (!changeType && svtype) changeType = SV_TYPES[svtype];
  if (!changeType) return { unsupported: 'symbolic-allele' };
  // The sample's own call (FORMAT CN) is its copy number; the allele's name (<CN2>) and INFO CN
  // describe the site, and count only when the sample says nothing.
  const sampleCn = numberList(r, 'CN', sampleValue(r, 'CN'), 'count')?.[0];
  const siteCn = numberList(r, 'CN', infoValue(r, 'CN'), 'count')?.[0];
  if (sampleCn !== undefined) copyNumber = sampleCn;
  else if (copyNumber === undefined && siteCn !== undefined) copyNumber = siteCn;
  const start = r.pos; // after the padding base
  let end: number;
  const endText = infoValue(r, 'END');
  // END= (a flag) or END=. (VCF's missing value) states no end: SVLEN, or the insertion rule, decides
  if (endText !== undefined && endText !== '' && endText !== '.') {
    if (!/^\d+$/.test(endText)) throw new VcfLineError(r.line, `INFO END '${endText}' is not an integer`);
    end = Number(endText);
  } else if (changeType === 'insertion') {
    end = start;
  } else {
    // one SVLEN per ALT (VCF 4.3 section 3: SVLEN=-100,-110 for two deletion alleles); END is one per record
    const svlen = numberList(r, 'SVLEN', infoValue(r, 'SVLEN'))?.[altIdx - 1];
    if (svlen === undefined) throw new VcfLineError(r.line, `symbolic allele <${id}> needs INFO END or SVLEN`);
    end = start + Math.abs(svlen);
  }
  // END is the last reference base the event covers (VCF 4.3 section 1.6.1 INFO END); an insertion
  // has END = POS; anything before POS is a broken record, whatever the type.
  if (end < start) throw new VcfLineError(r.line, `INFO END ${end} is before POS ${r.pos}`);
  const call: AlleleCall = { changeType, start, end, ref: r.ref, structural: true, copyNumber };
  const cipos = confidenceInterval(r, 'CIPOS');
  const ciend = confidenceInterval(r, 'CIEND');
  if (cipos || ciend) {
    const [ps0, ps1] = cipos ?? [0, 0];
    const [pe0, pe1] = ciend ?? [0, 0];
    // The outer range holds every place the event may be: either breakpoint's interval may reach
    // past the other's (an <INS> has start = end, so its CIPOS alone decides both outer bounds).
    call.outer = [Math.max(0, Math.min(start + ps0, end + pe0)), Math.max(end + pe1, start + ps1)];
    if (start + ps1 <= end + pe0) call.inner = [start + ps1, end + pe0];
  }
  return { call };
}

/**
 * What a structural call says about where it is, as its Variant states it: the span, and the outer
 * and inner ranges of an imprecise call (`5000-5300`, `2000-2500,outer:1950-2550,inner:2050-2450`).
 * Two records at one POS with one symbolic ALT but another extent are two variants (map-vcf.ts).
 */
export function extentText(c: AlleleCall): string {
  let s = `${c.start}-${c.end}`;
  if (c.outer) s += `,outer:${c.outer[0]}-${c.outer[1]}`;
  if (c.inner) s += `,inner:${c.inner[0]}-${c.inner[1]}`;
  return s;
}

/** Symbolic ALTs whose event changes the copy number of the region (FORMAT CN can call them). */
const COPY_NUMBER_TYPES = new Set(['DEL', 'DUP', 'CNV']);

/**
 * The ALT a sample's FORMAT CN calls when its GT calls none (GT `./.`, `.`, or no GT): VCF 4.3
 * section 4 reserves CN as the sample's "copy number genotype for imprecise events", and section
 * 5.3 calls a <DUP> so (`./.:0:3:16.2`). The one ALT when it is a copy-number event (<DEL>, <DUP>,
 * <CNV>, by name or SVTYPE), or the <CNn> named by the CN among several; otherwise (no CN, a
 * sequence ALT, an <INV>, several ALTs the CN does not tell apart) undefined: a no-call. Returns the
 * 1-based ALT index, or why the CN calls nothing on an autosome. Reads CN only when an ALT could
 * be called, so other no-call lines stay unread.
 */
export function copyNumberCall(r: VcfRecord, autosome: boolean): number | 'copy-neutral' | 'copy-number-conflict' | undefined {
  const tops = r.alts.map((a) => (a.startsWith('<') && a.endsWith('>') ? a.slice(1, -1).split(':')[0] : undefined));
  const cnAllele = (top: string | undefined) => (top && /^CN\d+$/.test(top) ? Number(top.slice(2)) : undefined);
  const svtype = infoValue(r, 'SVTYPE')?.split(':')[0];
  const event = (top: string | undefined) => top !== undefined && (COPY_NUMBER_TYPES.has(top) || (!SV_TYPES[top] && cnAllele(top) === undefined && COPY_NUMBER_TYPES.has(svtype ?? '')));
  if (!tops.some((top) => event(top) || cnAllele(top) !== undefined)) return undefined;
  const cn = numberList(r, 'CN', sampleValue(r, 'CN'), 'count')?.[0];
  if (cn === undefined) return undefined;
  // On an autosome the normal count is 2 (the file states no ploidy, so X, Y and MT are taken as
  // called): CN 2 there is the reference state, and a <DEL> above it or a <DUP> below it says two
  // contradicting things, so neither is a variant (skipped and counted, map-vcf.ts).
  if (autosome && cn === 2) return 'copy-neutral';
  const named = tops.findIndex((top) => cnAllele(top) === cn);
  if (named >= 0) return named + 1;
  if (!(tops.length === 1 && event(tops[0]))) return undefined;
  const kind = COPY_NUMBER_TYPES.has(tops[0]!) ? tops[0] : svtype;
  if (autosome && ((kind === 'DEL' && cn > 2) || (kind === 'DUP' && cn < 2))) return 'copy-number-conflict';
  return 1;
}

/** CIPOS / CIEND (Number=2, Type=Integer: offsets low,high around the breakpoint); a missing value is 0. */
function confidenceInterval(r: VcfRecord, key: 'CIPOS' | 'CIEND'): [number, number] | undefined {
  const v = numberList(r, `INFO ${key}`, infoValue(r, key), 'integer');
  if (!v) return undefined;
  if (v.length !== 2) throw new VcfLineError(r.line, `INFO ${key} has ${v.length} values, not 2 (low,high)`);
  const [lo, hi] = [v[0] ?? 0, v[1] ?? 0];
  if (lo > hi) throw new VcfLineError(r.line, `INFO ${key} ${lo},${hi} is reversed (low above high)`);
  return [lo, hi];
}
