import { fhirError } from '../fhir/errors.js';
import { dateRange, escapeRegex, fold, numberRange, ucumCanonical, UCUM_SYSTEM } from './normalize.js';
import { SEGMENT_END } from './filter-bounds.js';
import { parseRegion, regionAccessionProblem } from './genomics-params.js';
import { regionBinsOverlapping } from '../genomics/operations/bins.js';
import { splitEscaped, unescape } from './parse.js';

/**
 * Value-level compilers: one search value (already split on commas) -> the MongoDB condition that
 * an index field (an array, see index-values.ts) must satisfy. Prefix and range rules are those of
 * https://hl7.org/fhir/R4/search.html#prefix. Values never become operators or field names; text
 * only reaches a regex escaped.
 */
export type Cond = unknown;
const PREFIXES = ['eq', 'ne', 'gt', 'lt', 'ge', 'le', 'sa', 'eb', 'ap'] as const;
export type Prefix = (typeof PREFIXES)[number];

export function bad(param: string, msg: string): never {
  throw fhirError('INVALID_SEARCH', `Invalid value for search parameter ${param}: ${msg}`, param);
}

export function splitPrefix(v: string): [Prefix, string] {
  const p = v.slice(0, 2);
  if ((PREFIXES as readonly string[]).includes(p) && /^[a-z]{2}[-+\d.]/.test(v)) return [p as Prefix, v.slice(2)];
  return ['eq', v];
}

/**
 * Token value -> the normalized form(s) it matches; a regex for `system|` (any code in system).
 * Tokens take no prefix (search.html#prefix: number, date and quantity only), so `le123` is the
 * code or identifier value "le123", never "less or equal to 123".
 */
export function tokenCond(param: string, raw: string): Cond {
  if (raw === '') bad(param, 'empty token');
  const parts = splitEscaped(raw, '|');
  if (parts.length > 2) bad(param, `"${raw}" has more than one unescaped "|"`);
  if (parts.length === 1) return unescape(parts[0]);
  const [system, code] = parts.map(unescape);
  if (code === '') return { $regex: `^${escapeRegex(system)}\\|` };
  return `${system}|${code}`;
}

/** `:of-type` takes `typeSystem|typeCode|value` (search.html#token). */
export function ofTypeCond(param: string, raw: string): Cond {
  const parts = splitEscaped(raw, '|').map(unescape);
  if (parts.length !== 3 || !parts[2]) bad(param, ':of-type needs system|code|value');
  return parts.join('|');
}

export function stringCond(param: string, raw: string, modifier?: string): Cond {
  const v = unescape(raw);
  if (v === '') bad(param, 'empty string');
  if (modifier === 'exact') return v;
  const f = escapeRegex(fold(v));
  return { $regex: modifier === 'contains' ? f : `^${f}` };
}

export function uriCond(param: string, raw: string, modifier?: string): Cond {
  const v = unescape(raw);
  if (v === '') bad(param, 'empty uri');
  if (modifier === 'below') {
    // the value and what lies under it by path, as :above works on "/" boundaries
    // (https://hl7.org/fhir/R4/search.html#uri): `…/abc` matches `…/abc/d`, not `…/abcdef`
    const base = v.replace(/\/+$/, '');
    return { $regex: `^${escapeRegex(base)}${SEGMENT_END}` };
  }
  if (modifier === 'above') {
    // every prefix of the value at a "/" boundary, and the value itself
    const out = new Set<string>([v]);
    for (let i = v.indexOf('/', v.indexOf('//') + 2); i > 0; i = v.indexOf('/', i + 1)) out.add(v.slice(0, i));
    return { $in: [...out] };
  }
  return v;
}

/** Converts a value stated in the search's units to the units of the field compared (identity: as stated). */
type Convert = (v: number) => number;
const AS_STATED: Convert = (v) => v;

/**
 * The search value's exact value, implicit range and `ap` window, worked out in the units it is
 * written in and then converted: the significant figures are those of the value as written
 * (`37.0|…|Cel` is [36.95, 37.05) Cel in kelvin), and `ap` is ± 10% of the stated value (100 [degF]
 * ± 10 [degF]), not of its canonical value (± 31 K), or its implicit range where that is wider.
 * Every conversion is increasing, so the converted ends still bound the converted range.
 */
function searchNumbers(param: string, text: string, to: Convert): { v: number; lo: number; hi: number; apLo: number; apHi: number } {
  const r = numberRange(text);
  if (!r) bad(param, `"${text}" is not a number`);
  // ap: ± 10% of the value, and never less than its implicit range (`ap1` finds the 1.4 that `1`
  // finds, `ap0` is not exactly 0), as a date's ap widens its range by a tenth of it (dateCond)
  const d = Math.abs(r.value) * 0.1;
  const out = { v: to(r.value), lo: to(r.lo), hi: to(r.hi), apLo: to(Math.min(r.value - d, r.lo)), apHi: to(Math.max(r.value + d, r.hi)) };
  if (!Object.values(out).every(Number.isFinite)) bad(param, `"${text}" is out of range`);
  return out;
}

function numericOps(param: string, prefix: Prefix, text: string, to: Convert = AS_STATED): Record<string, number> | { $not: unknown } {
  const { v, lo, hi, apLo, apHi } = searchNumbers(param, text, to);
  switch (prefix) {
    case 'eq': return { $gte: lo, $lt: hi };
    case 'ne': return { $not: { $gte: lo, $lt: hi } };
    case 'gt': case 'sa': return { $gt: v };
    case 'lt': case 'eb': return { $lt: v };
    case 'ge': return { $gte: v };
    case 'le': return { $lte: v };
    case 'ap': return { $gte: apLo, $lte: apHi };
  }
}

export function numberCond(param: string, raw: string): Cond {
  const [prefix, text] = splitPrefix(unescape(raw));
  const ops = numericOps(param, prefix, text);
  // ne, as every prefix: one value meets it, here a value outside the range (a quantity's and a
  // date's ne read the same way); `$not` inside `$elemMatch` is MongoDB's, for arrays of scalars
  return { $elemMatch: ops };
}

/** Field names of a range entry's bounds: as stated (`lo`, `hi`) or in canonical units (`clo`, `chi`). */
interface RangeFields { lo: string; hi: string }
const STATED: RangeFields = { lo: 'lo', hi: 'hi' };
const CANONICAL: RangeFields = { lo: 'clo', hi: 'chi' };

/**
 * The conditions a range entry `{lo, hi, lx?, hx?}` (index-values.ts quantityValues: a comparator
 * or a Range; an unbounded end is QTY_MIN/QTY_MAX) must meet for a prefix, after
 * search.html#prefix's column for ranges. As for a point, gt/ge/lt/le/sa/eb compare with the exact
 * value (search.html#number: `gt100` is "greater than exactly 100"), eq/ne with its implicit range:
 * eq: the range lies within the search value's range; gt/ge: some value of it lies above (or at)
 * the value; lt/le: some value below (or at); sa/eb: every value above/below; ap: it meets v ± 10%.
 * An excluded end (`<5`: hx) reaches up to its bound but not onto it. OR-ed branches.
 */
function rangeOps(param: string, prefix: Prefix, text: string, f: RangeFields, to: Convert = AS_STATED): Array<Record<string, unknown>> {
  const { v, lo, hi, apLo, apHi } = searchNumbers(param, text, to);
  switch (prefix) {
    case 'eq': return [{ [f.lo]: { $gte: lo }, [f.hi]: { $lt: hi } }];
    case 'ne': return [{ [f.lo]: { $lt: lo } }, { [f.hi]: { $gte: hi } }];
    case 'gt': return [{ [f.hi]: { $gt: v } }];
    case 'lt': return [{ [f.lo]: { $lt: v } }];
    case 'ge': return [{ [f.hi]: { $gt: v } }, { [f.hi]: v, hx: { $exists: false } }];
    case 'le': return [{ [f.lo]: { $lt: v } }, { [f.lo]: v, lx: { $exists: false } }];
    case 'sa': return [{ [f.lo]: { $gt: v } }, { [f.lo]: v, lx: true }];
    case 'eb': return [{ [f.hi]: { $lt: v } }, { [f.hi]: v, hx: true }];
    case 'ap': return [{ [f.lo]: { $lte: apHi }, [f.hi]: { $gte: apLo } }];
  }
}

/**
 * A number parameter whose element may be a Range (RiskAssessment.prediction.probability[x]) keeps
 * the Ranges as `{lo, hi}` in a companion field `p__r` (index-values.ts numberValues): the
 * condition on that field.
 */
export function numberRangeCond(param: string, raw: string): Cond {
  const [prefix, text] = splitPrefix(unescape(raw));
  const ors = rangeOps(param, prefix, text, STATED);
  return { $elemMatch: ors.length === 1 ? ors[0] : { $or: ors } };
}

/** A point entry's value condition (`n` or `cn`) OR-ed with a range entry's (`lo`/`hi` or `clo`/`chi`). */
function pointOrRange(param: string, prefix: Prefix, text: string, n: string, f: RangeFields, to: Convert = AS_STATED): Record<string, unknown> {
  const ops = numericOps(param, prefix, text, to);
  // ne on a point: it has a value (a range entry has none), outside the range
  const point = '$not' in ops ? { [n]: { $exists: true, ...ops } } : { [n]: ops };
  return { $or: [point, ...rangeOps(param, prefix, text, f, to)] };
}

/**
 * `[prefix]number|system|code` (search.html#quantity). With a system, the quantity's system and
 * code must match it (UCUM units compare in canonical form, among UCUM quantities only); without
 * one (`5.4||mg`), the code or the stated unit is "mg", in any system, and a UCUM unit matches its
 * conversions too. A stored quantity is a point `{n}` or a range `{lo, hi}` (a comparator, a
 * Range: index-values.ts quantityValues); each value condition reads both.
 */
export function quantityCond(param: string, raw: string): Cond {
  const parts = splitEscaped(raw, '|').map(unescape);
  if (parts.length !== 1 && parts.length !== 3) bad(param, 'expected number or number|system|code');
  const [prefix, text] = splitPrefix(parts[0]);
  const system = parts[1] || undefined;
  const code = parts[2] || undefined;
  // ne: some quantity in these units whose value is outside the range
  const value = pointOrRange(param, prefix, text, 'n', STATED);
  if (!code) return { $elemMatch: system ? { s: system, ...value } : value };
  const canon = !system || system === UCUM_SYSTEM ? ucumCanonical(code, 1) : undefined;
  // (a temperature converts by an offset, not a factor: each bound is converted, normalize.ts)
  const toCanonical: Convert = (x) => ucumCanonical(code, x)!.value;
  const ucum = canon ? { cc: canon.code, ...pointOrRange(param, prefix, text, 'cn', CANONICAL, toCanonical) } : undefined;
  if (system) return { $elemMatch: ucum ? { s: UCUM_SYSTEM, ...ucum } : { s: system, c: code, ...value } };
  const alternatives: Array<Record<string, unknown>> = [{ c: code, ...value }, { u: code, ...value }];
  if (ucum) alternatives.unshift(ucum);
  return { $elemMatch: { $or: alternatives } };
}

/** Date prefixes against stored [s, e) ranges (search.html#date), for a query range [qs, qe). */
export function dateCond(param: string, raw: string): Cond {
  const [prefix, text] = splitPrefix(unescape(raw));
  const q = dateRange(text);
  if (!q) bad(param, `"${text}" is not a valid date`);
  const { s: qs, e: qe } = q;
  // A stored range starts before it ends (dateRange; a Period passes per-1), so `e <= x` implies
  // `s < x` and `s >= x` implies `e > x`: eq, le and eb state the bound on s, ge the one on e, that
  // the rules imply. It changes no answer, and it gives MongoDB's `{t, x.<date>.s}` and
  // `{t, x.<date>.e}` indexes a bound outside the `$or` (eq read every range starting after qs
  // before; ge read every range). ne states none: it matches all but the ranges inside the value.
  const eq = { s: { $gte: qs, $lt: qe }, e: { $lte: qe } };
  switch (prefix) {
    case 'eq': return { $elemMatch: eq };
    case 'ne': return { $elemMatch: { $or: [{ s: { $lt: qs } }, { e: { $gt: qe } }] } };
    case 'gt': return { $elemMatch: { e: { $gt: qe } } };
    case 'lt': return { $elemMatch: { s: { $lt: qs } } };
    case 'ge': return { $elemMatch: { e: { $gt: qs }, $or: [{ e: { $gt: qe } }, eq] } };
    case 'le': return { $elemMatch: { s: { $lt: qe }, $or: [{ s: { $lt: qs } }, eq] } };
    case 'sa': return { $elemMatch: { s: { $gte: qe } } };
    case 'eb': return { $elemMatch: { s: { $lt: qs }, e: { $lte: qs } } };
    case 'ap': {
      const pad = Math.max((qe - qs) * 0.1, 86_400_000);
      return { $elemMatch: { s: { $lt: qe + pad }, e: { $gt: qs - pad } } };
    }
  }
}

/** `_lastUpdated` runs on the IndexedDoc's own scalar `lu` (a point: [lu, lu+1)). */
export function lastUpdatedCond(param: string, raw: string): Cond {
  const [prefix, text] = splitPrefix(unescape(raw));
  const q = dateRange(text);
  if (!q) bad(param, `"${text}" is not a valid date`);
  switch (prefix) {
    case 'eq': return { $gte: q.s, $lt: q.e };
    case 'ne': return { $not: { $gte: q.s, $lt: q.e } };
    case 'gt': case 'sa': return { $gte: q.e };
    case 'lt': case 'eb': return { $lt: q.s };
    case 'ge': return { $gte: q.s };
    case 'le': return { $lt: q.e };
    case 'ap': {
      const pad = Math.max((q.e - q.s) * 0.1, 86_400_000);
      return { $gte: q.s - pad, $lt: q.e + pad };
    }
  }
}

/** Most bins a region query lists (a window of about 15 Mb). */
export const MAX_REGION_BINS = 1000;

export function regionCond(param: string, raw: string): Cond {
  const r = parseRegion(unescape(raw));
  if (!r) bad(param, `"${raw}" is not accession:start-end (0-based, half-open), e.g. NC_000007.14:55019016-55211628`);
  const problem = regionAccessionProblem(r.a);
  if (problem) bad(param, problem);
  // The bins are implied by s and e (every element overlapping the window is filed in one of
  // them): they only bound the index scan. Past MAX_REGION_BINS the window is most of a
  // chromosome, and the scan on s alone reads little more than the answer.
  const bins = regionBinsOverlapping(r.s, r.e, MAX_REGION_BINS);
  return { $elemMatch: { a: r.a, ...(bins && { b: { $in: bins } }), s: { $lt: r.e }, e: { $gt: r.s } } };
}
