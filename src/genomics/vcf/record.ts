/**
 * One VCF data line, checked against the VCF 4.3 grammar (section 1.6.1,
 * https://samtools.github.io/hts-specs/VCFv4.3.pdf) for the columns the import relies on.
 * A violation throws VcfLineError carrying the 1-based line number and the reason.
 */
export class VcfLineError extends Error {
  constructor(
    readonly line: number,
    readonly reason: string,
  ) {
    super(`line ${line}: ${reason}`);
  }
}

export interface VcfRecord {
  line: number;
  chrom: string;
  /** 1-based POS as written. */
  pos: number;
  ids: string[];
  ref: string;
  alts: string[];
  filters: string[];
  /** Raw INFO column; read with infoValue(). */
  info: string;
  /** FORMAT keys and the chosen sample's values (empty when the file has no samples). */
  format: string[];
  sample: string[];
}

const REF_RE = /^[ACGTNacgtn]+$/;
// Written as VCF writes them (VCF 4.3 §1.3: Integer, Float): JavaScript's Number() would also
// read '0x10', '0b11', ' 5' and '' as numbers.
const INTEGER_TEXT = /^[+-]?\d+$/;
const FLOAT_TEXT = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
// A Float may also be NaN or +/-Inf (VCF 4.3 section 1.3; htslib reads them in any case, and
// INFINITY). Only QUAL takes them: a frequency, a length or a depth that is not finite is no value.
const SPECIAL_FLOAT_TEXT = /^[+-]?(inf|infinity|nan)$/i;
// Sequence, symbolic <ID>, spanning deletion '*', missing '.', or a breakend (VCF 4.3 section 5.4).
const ALT_RE = /^(?:[ACGTNacgtn]+|<[^<>,\s]+>|\*|\.|[ACGTNacgtn]*[[\]][^[\]\s]+[[\]][ACGTNacgtn]*|\.[ACGTNacgtn]+|[ACGTNacgtn]+\.)$/;

/**
 * Parses a data line. `sampleIndex` is the 0-based index of the chosen sample among the sample
 * columns (or -1 when there are none); `sampleCount` the number of sample columns in the header.
 */
export function parseRecord(text: string, line: number, sampleCount: number, sampleIndex: number): VcfRecord {
  const cols = text.split('\t');
  const need = sampleCount > 0 ? 9 + sampleCount : 8;
  if (cols.length < need) throw new VcfLineError(line, `expected ${need} tab-separated columns, found ${cols.length}`);
  const [chrom, posText, idText, ref, altText, qualText, filterText, info] = cols;
  if (!chrom || /\s/.test(chrom)) throw new VcfLineError(line, 'CHROM is empty or contains white space');
  if (!/^\d+$/.test(posText)) throw new VcfLineError(line, `POS '${posText}' is not a non-negative integer`);
  const pos = Number(posText);
  // VCF 4.3 allows POS 0 only for telomere padding, which places the event before base 1: it has no
  // 0-based interval on the chromosome, so it is refused rather than mapped to position -1.
  if (pos < 1) throw new VcfLineError(line, `POS ${posText} is before the first base (POS 0, telomere padding, is not supported)`);
  if (!REF_RE.test(ref)) throw new VcfLineError(line, `REF '${ref}' is not a base sequence (A, C, G, T, N)`);
  const alts = altText.split(',');
  for (const a of alts) {
    if (!ALT_RE.test(a)) throw new VcfLineError(line, `ALT allele '${a}' is not valid`);
    // an ALT equal to REF is no variant (VCF 4.3 section 1.6.1: ALT lists non-reference alleles)
    if (a.toUpperCase() === ref.toUpperCase()) throw new VcfLineError(line, `ALT allele '${a}' equals REF`);
  }
  if (alts.length > 1 && alts.includes('.')) throw new VcfLineError(line, "ALT '.' cannot be combined with other alleles");
  // QUAL is a Phred-scaled number or '.' (VCF 4.3 section 1.6.1): anything else is a damaged line
  if (qualText !== '.' && !FLOAT_TEXT.test(qualText ?? '') && !SPECIAL_FLOAT_TEXT.test(qualText ?? '')) throw new VcfLineError(line, `QUAL '${qualText}' is not a number`);
  const filters = filterText === undefined || filterText === '' ? ['.'] : filterText.split(';');
  const format = sampleCount > 0 && cols[8] && cols[8] !== '.' ? cols[8].split(':') : [];
  if (format.length > 1 && cols[8] !== lastUniqueFormat) {
    // A key given twice (`GT:GT`) leaves two values for one field: which genotype, which depths? VCF
    // 4.3 section 1.6.2 lists each key once. Files repeat one FORMAT text, so it is checked once per change.
    for (let i = 1; i < format.length; i++) if (format.lastIndexOf(format[i - 1]) !== i - 1) throw new VcfLineError(line, `FORMAT key '${format[i - 1]}' is given twice`);
    lastUniqueFormat = cols[8];
  }
  const sample = sampleIndex >= 0 && format.length ? cols[9 + sampleIndex].split(':') : [];
  if (sample.length > format.length) throw new VcfLineError(line, `sample has ${sample.length} fields but FORMAT declares ${format.length}`);
  return { line, chrom, pos, ids: idText && idText !== '.' ? idText.split(';') : [], ref: ref.toUpperCase(), alts, filters, info: info ?? '.', format, sample };
}

/** Value of an INFO key: the string after '=', '' for a flag, undefined when absent. */
export function infoValue(r: VcfRecord, key: string): string | undefined {
  const info = r.info;
  if (info === '.' || !info.includes(key)) return undefined;
  for (const kv of info.split(';')) {
    const eq = kv.indexOf('=');
    const k = eq < 0 ? kv : kv.slice(0, eq);
    if (k === key) return eq < 0 ? '' : kv.slice(eq + 1);
  }
  return undefined;
}

/** The last FORMAT text found to list each key once (see parseRecord). */
let lastUniqueFormat = '';

/** Value of a FORMAT key for the chosen sample ('.' and absent both give undefined). */
export function sampleValue(r: VcfRecord, key: string): string | undefined {
  const i = r.format.indexOf(key);
  if (i < 0 || i >= r.sample.length) return undefined;
  const v = r.sample[i];
  return v === '' || v === '.' ? undefined : v;
}

/**
 * What a number list may hold: any number; a count (read depths AD, DP, copy number CN: a
 * non-negative integer); an integer (CIPOS, CIEND offsets); a fraction (allele frequency AF, in [0, 1]).
 */
export type NumberKind = 'number' | 'count' | 'integer' | 'fraction';
const KIND_CHECK: Record<NumberKind, { text: RegExp; ok: (n: number) => boolean; is: string }> = {
  number: { text: FLOAT_TEXT, ok: () => true, is: 'a number' },
  count: { text: INTEGER_TEXT, ok: (n) => Number.isInteger(n) && n >= 0, is: 'a non-negative integer' },
  integer: { text: INTEGER_TEXT, ok: (n) => Number.isInteger(n), is: 'an integer' },
  fraction: { text: FLOAT_TEXT, ok: (n) => n >= 0 && n <= 1, is: 'a fraction between 0 and 1' },
};

/** Parses a number list ('10,-5'); undefined when absent; throws on garbage or a value outside its kind. */
export function numberList(r: VcfRecord, what: string, v: string | undefined, kind: NumberKind = 'number'): Array<number | undefined> | undefined {
  if (v === undefined) return undefined;
  const check = KIND_CHECK[kind];
  return v.split(',').map((x) => {
    if (x === '.' || x === '') return undefined;
    const n = Number(x);
    if (!check.text.test(x) || !Number.isFinite(n) || !check.ok(n)) throw new VcfLineError(r.line, `${what} value '${x}' is not ${check.is}`);
    return n;
  });
}
