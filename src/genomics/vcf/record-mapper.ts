import { type Build, chromInBuild, chromLength, mitochondrion, toAccession } from '../assemblies.js';
import { classifyAllele, copyNumberCall, extentText } from './alleles.js';
import { type Annotation, annotationKey } from './annotations.js';
import type { ChangeType, GenomicSource } from './codes.js';
import { allelicState, calledAlts, parseGenotype } from './genotype.js';
import { variantId, variantKey } from './ids.js';
import { mapImplication, mapVariant } from './map-variant.js';
import { type VcfRecord, VcfLineError, infoValue, numberList, parseRecord, sampleValue } from './record.js';
import type { ProducedResource, SkipReason } from './types.js';

/**
 * The part of VCF mapping that depends on one record only: parse the line, decide what is
 * skipped, and map each called ALT allele to its Variant (and DiagnosticImplication). It holds no
 * state between records, so records can be mapped in any order or on any thread; what does span
 * records (duplicates at one position, phase sets, the report's result list, counters) is
 * map-vcf.ts's job, fed by the `posKey` and `phase` this returns.
 */
export interface RecordContext {
  patient: string;
  build: Build;
  sample: string;
  /** Sample columns in the header, and the chosen one's index. */
  sampleCount: number;
  sampleIndex: number;
  /** `##contig` lengths by CHROM as written (they tell hg19's chrM from GRCh37's MT). */
  contigLengths: Map<string, number | undefined>;
  /** `Number` of the header's FORMAT AD definition ('R' when the header does not define AD). */
  adNumber: string;
  /** `Number` of the header's FORMAT AF definition ('A' when the header does not define AF). */
  afNumber: string;
  source: GenomicSource;
  includeFiltered: boolean;
  specimen?: string;
  effective?: string;
  annotations?: Map<string, Annotation>;
}

export interface MappedCall {
  variant: ProducedResource;
  implication?: ProducedResource;
  changeType: ChangeType;
  /**
   * A structural call's extent (alleles.ts extentText): the call at a site that another record
   * already took with another extent is mapped again `extentKeyed` (map-vcf.ts).
   */
  extent?: string;
  /** A phased heterozygous call: its phase set on the chromosome and the haplotype its ALT is on. */
  phase?: { chrom: string; set: string; hap: number };
}

export interface MappedRecord {
  skips: SkipReason[];
  /** `chrom:pos` once the record has a called, supported allele position (duplicate detection spans it). */
  posKey?: string;
  calls: MappedCall[];
}

/**
 * Maps one data line (throws VcfLineError when it is malformed). `extentKeyed`: the key of each
 * structural call names its extent too (`1:5000:A><DEL>@5000-5300`), for a record at a site where
 * another record of the same ALT and another extent came first and has the plain key.
 */
export function mapRecordLine(ctx: RecordContext, text: string, lineNo: number, extentKeyed = false): MappedRecord {
  return mapRecord(ctx, parseRecord(text, lineNo, ctx.sampleCount, ctx.sampleIndex), true, extentKeyed);
}

/**
 * Every check `mapRecordLine` makes, without building resources (a pre-pass that only has to
 * refuse a malformed file, and the remaining lines of a file refused already): throws the same
 * VcfLineError for the same line.
 */
export function checkRecordLine(ctx: RecordContext, text: string, lineNo: number): void {
  mapRecord(ctx, parseRecord(text, lineNo, ctx.sampleCount, ctx.sampleIndex), false);
}

function mapRecord(ctx: RecordContext, r: VcfRecord, build = true, extentKeyed = false): MappedRecord {
  const out: MappedRecord = { skips: [], calls: [] };
  const ft = sampleValue(r, 'FT');
  const passed = (r.filters.length === 1 && (r.filters[0] === 'PASS' || r.filters[0] === '.')) && (!ft || ft === 'PASS');
  if (!passed && !ctx.includeFiltered) return skipped(out, 'filtered');
  const gtText = sampleValue(r, 'GT');
  const g = gtText === undefined ? undefined : parseGenotype(gtText, r.alts.length, r.line);
  let alts = g ? calledAlts(g) : [];
  // A copy-number call with no full allele-level genotype (GT `./.`, none, or one copy missing as in
  // `1/.`): its FORMAT CN is the call (alleles.ts copyNumberCall), with no allelic state, so a `1/.`
  // <DUP> with CN 2 on an autosome is copy neutral as `./.` is. A reference genotype stays a reference
  // call (`0/.` too: the copy the GT calls is the reference); a partial GT of a sequence ALT, or
  // without a CN, stays its GT's call.
  let copyNumberOnly = false;
  if (!g || g.alleles.every((a) => a === null) || (alts.length && g.alleles.includes(null))) {
    const called = copyNumberCall(r, /^\d+$/.test(chromInBuild(ctx.build, r.chrom) ?? ''));
    if (called === 'copy-neutral') return skipped(out, 'reference-call');
    if (called === 'copy-number-conflict') return skipped(out, called);
    if (called !== undefined) {
      alts = [called];
      copyNumberOnly = true;
    }
  }
  if (!alts.length) return skipped(out, !g ? (r.format.includes('GT') ? 'no-call' : 'no-genotype') : g.alleles.every((a) => a === null) ? 'no-call' : 'reference-call');
  const chrom = chromInBuild(ctx.build, r.chrom);
  if (chrom === 'otherBuild') throw new VcfLineError(r.line, `CHROM ${r.chrom} is an accession of another build than ${ctx.build}`);
  const mito = chrom === 'MT';
  const mtSequence = mito ? mitochondrion(ctx.build, r.chrom, ctx.contigLengths.get(r.chrom)) : undefined;
  const accession = mtSequence?.accession ?? (chrom && toAccession(ctx.build, chrom));
  if (!chrom || !accession) return skipped(out, 'unsupported-contig');
  const length = mtSequence?.length ?? chromLength(ctx.build, chrom)!;
  if (r.pos > length) throw new VcfLineError(r.line, `POS ${r.pos} is past the end of chromosome ${chrom} (${length} bases in ${ctx.build})`);
  const ad = alleleDepths(ctx, r);
  // The total depth is known only when every allele's is: with one '.', AD[alt]/ΣAD would be a guess
  // (`.,10` would state a frequency of 1 for a heterozygous call).
  const adSum = ad && ad.every((x) => x !== undefined) ? ad.reduce<number>((s, x) => s + x!, 0) : 0;
  // DP is not mapped (the IG has no total-depth component) but a negative depth is a broken file.
  numberList(r, 'FORMAT DP', sampleValue(r, 'DP'), 'count');
  numberList(r, 'INFO DP', infoValue(r, 'DP'), 'count');
  const fAf = alleleFractions(ctx, r);
  // INFO AF is checked (a value outside [0, 1] is a broken file) but never mapped: it is a site or
  // population frequency (1000 Genomes, gnomAD, or GATK's AC/AN of the called genotypes), not the
  // fraction of this sample's reads carrying the ALT that 81258-6 states.
  numberList(r, 'INFO AF', infoValue(r, 'AF'), 'fraction');
  const dbsnp = r.ids.filter((x) => /^rs\d+$/.test(x));
  out.posKey = `${chrom}:${r.pos}`;
  for (const altIdx of alts) {
    const alt = r.alts[altIdx - 1];
    const cls = classifyAllele(r, alt, altIdx);
    if ('unsupported' in cls) {
      out.skips.push(cls.unsupported as SkipReason);
      continue;
    }
    if (cls.call.end > length) {
      const what = cls.call.structural ? `INFO END ${cls.call.end}` : `REF ending at ${cls.call.end}`;
      throw new VcfLineError(r.line, `${what} is past the end of chromosome ${chrom} (${length} bases in ${ctx.build})`);
    }
    if (!build) continue;
    // Two ALTs of one text are two alleles only when symbolic (`<DEL>,<DEL>` with SVLEN=-100,-110):
    // the repeat is keyed by its allele index, so it is not taken for a duplicate of the first (whose
    // key stays what it was). A repeated sequence ALT is one allele, a duplicate.
    const repeat = cls.call.structural && r.alts.indexOf(alt) < altIdx - 1 ? `#${altIdx}` : '';
    const extent = cls.call.structural ? extentText(cls.call) : undefined;
    const extentSuffix = extentKeyed && extent ? `@${extent}` : '';
    const key = { patient: ctx.patient, build: ctx.build, sample: ctx.sample, chrom, pos: r.pos, ref: r.ref, alt: alt.toUpperCase() + repeat + extentSuffix, source: ctx.source, specimen: ctx.specimen };
    const readDepth = ad?.[altIdx];
    const frequency = fAf?.[altIdx - 1] ?? (readDepth !== undefined && adSum > 0 ? readDepth / adSum : undefined);
    const annotation = ctx.annotations?.get(annotationKey(chrom, r.pos, r.ref, alt));
    const variant = mapVariant({
      id: variantId(key), identifierValue: variantKey(key), patient: ctx.patient, build: ctx.build, accession, call: cls.call, source: ctx.source,
      state: copyNumberOnly || !g ? undefined : allelicState(g, altIdx, mito), frequency, readDepth, dbsnp, annotation, specimen: ctx.specimen, effective: ctx.effective,
    });
    const call: MappedCall = { variant, changeType: cls.call.changeType, ...(extent ? { extent } : {}) };
    if (annotation) call.implication = mapImplication(variant, annotation, ctx.effective);
    const copies = g ? g.alleles.filter((a) => a === altIdx).length : 0;
    if (g?.phased && copies === 1 && g.alleles.length > 1) call.phase = { chrom, set: sampleValue(r, 'PS') ?? '*', hap: g.alleles.indexOf(altIdx) };
    out.calls.push(call);
  }
  return out;
}

/**
 * FORMAT AD as REF then each ALT (VCF 4.2+ reserves it as Number=R), or undefined when it cannot be
 * read so. Number=R (or AD undeclared): another count is a malformed line. Number=. (GATK before
 * VCF 4.2 declared AD so, in R order): used when the count fits, else not used. Any other Number
 * (Complete Genomics' Number=2, in GT order) does not say which depth is which ALT's: not used.
 */
function alleleDepths(ctx: RecordContext, r: VcfRecord): Array<number | undefined> | undefined {
  const ad = numberList(r, 'FORMAT AD', sampleValue(r, 'AD'), 'count');
  if (!ad || (ctx.adNumber !== 'R' && ctx.adNumber !== '.')) return undefined;
  const need = r.alts.length + 1;
  if (ad.length === need) return ad;
  if (ctx.adNumber === 'R') throw new VcfLineError(r.line, `FORMAT AD has ${ad.length} values but Number=R needs ${need} (REF and each ALT)`);
  return undefined;
}

/**
 * FORMAT AF as one fraction per ALT, or undefined when it cannot be read so. VCF 4.3 reserves AF as
 * an INFO field only (Number=A); callers that write it per sample (Mutect2) declare it Number=A, so
 * undeclared is read as A. Number=A: another count is a malformed line; Number=R (the REF's fraction
 * first): read past it, another count malformed; Number=. with the A count, and Number=1 with one
 * ALT, are read; else (Number=1 on a multi-allelic site, G, a fixed count) it does not say which
 * fraction is which ALT's: not used (taking the first for ALT 1 would state a guess).
 */
function alleleFractions(ctx: RecordContext, r: VcfRecord): Array<number | undefined> | undefined {
  const af = numberList(r, 'FORMAT AF', sampleValue(r, 'AF'), 'fraction');
  if (!af) return undefined;
  const alts = r.alts.length;
  switch (ctx.afNumber) {
    case 'A':
      if (af.length !== alts) throw new VcfLineError(r.line, `FORMAT AF has ${af.length} values but Number=A needs ${alts} (one per ALT)`);
      return af;
    case 'R':
      if (af.length !== alts + 1) throw new VcfLineError(r.line, `FORMAT AF has ${af.length} values but Number=R needs ${alts + 1} (REF and each ALT)`);
      return af.slice(1);
    case '.':
      return af.length === alts ? af : undefined;
    case '1':
      return alts === 1 && af.length === 1 ? af : undefined;
    default:
      return undefined;
  }
}

function skipped(out: MappedRecord, reason: SkipReason): MappedRecord {
  out.skips.push(reason);
  return out;
}
