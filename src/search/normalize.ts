/**
 * Normalized forms shared by the indexer (write time) and the query compiler (read time), so that
 * both sides agree byte for byte (https://hl7.org/fhir/R4/search.html).
 */

/** Strings are matched case- and accent-insensitively (search.html#string). */
export function fold(s: string): string {
  // eslint-disable-next-line no-control-regex
  if (/^[\x00-\x7f]*$/.test(s)) return s.toLowerCase();
  return s.normalize('NFD').replace(/[\u0300-\u036f]/g, '').toLowerCase();
}

/** A half-open [s, e) interval in epoch milliseconds. */
export interface Interval {
  s: number;
  e: number;
}

/** Beyond any real date, for open-ended periods (Period without start or end). */
export const MIN_TIME = -8.64e15;
export const MAX_TIME = 8.64e15;

/**
 * The unbounded ends of a quantity or number range (a comparator `<5`, a Range without `high`):
 * finite, so that they survive JSON and BSON, and beyond any value a search can state.
 */
export const QTY_MIN = -Number.MAX_VALUE;
export const QTY_MAX = Number.MAX_VALUE;

const DATE_RE = /^(\d{4})(?:-(\d{2})(?:-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})?)?)?)?$/;

/**
 * The implicit range of a FHIR date/dateTime/instant (search.html#date: "the value is a range
 * covering the whole precision"). Values without a time zone are read as UTC.
 */
export function dateRange(value: string): Interval | undefined {
  // Dates repeat (a day's resources, a patient's birth date): the parse is cached, the result is
  // a fresh object each time (callers keep it in an index document).
  // Only dates and months are cached: instants rarely recur.
  if (typeof value !== 'string' || value.length > 10) return parseDateRange(value);
  const known = dates.get(value);
  if (known !== undefined) return known ? { s: known.s, e: known.e } : undefined;
  const r = parseDateRange(value);
  if (dates.size >= MAX_DATES) dates.clear();
  dates.set(value, r ?? null);
  return r ? { s: r.s, e: r.e } : undefined;
}
const dates = new Map<string, Interval | null>();
const MAX_DATES = 4096;

function parseDateRange(value: string): Interval | undefined {
  const m = DATE_RE.exec(value.trim());
  if (!m) return undefined;
  const [, y, mo, d, h, mi, sec, frac, tz] = m;
  const Y = Number(y);
  const M = mo ? Number(mo) - 1 : 0;
  if (mo && (M < 0 || M > 11)) return undefined;
  // a day the month does not have (2021-02-29) is no date, not the next month's first days
  if (d && (Number(d) < 1 || Number(d) > daysInMonth(Y, M))) return undefined;
  if (!mo) return { s: Date.UTC(Y, 0, 1), e: Date.UTC(Y + 1, 0, 1) };
  if (!d) return { s: Date.UTC(Y, M, 1), e: Date.UTC(Y, M + 1, 1) };
  if (!h) {
    const s = Date.UTC(Y, M, Number(d));
    return { s, e: s + 86_400_000 };
  }
  if (Number(h) > 23 || Number(mi) > 59 || (sec && Number(sec) > 60)) return undefined;
  let offset = 0;
  if (tz && tz !== 'Z') offset = (tz[0] === '-' ? -1 : 1) * (Number(tz.slice(1, 3)) * 60 + Number(tz.slice(4, 6))) * 60_000;
  const base = Date.UTC(Y, M, Number(d), Number(h), Number(mi), sec ? Number(sec) : 0) - offset;
  if (!sec) return { s: base, e: base + 60_000 };
  if (!frac) return { s: base, e: base + 1000 };
  const digits = frac.length - 1;
  const ms = Number(frac.slice(0, 4).padEnd(4, '0').slice(1));
  const step = digits >= 3 ? 1 : 10 ** (3 - digits);
  return { s: base + ms, e: base + ms + step };
}

function daysInMonth(year: number, month: number): number {
  const probe = new Date(0);
  probe.setUTCFullYear(year, month + 1, 0); // day 0 of the next month (and years below 100 as written)
  return probe.getUTCDate();
}

/**
 * Implicit range of a number as written (search.html#number: "100" means [99.5, 100.5)).
 * Returns the value and half the unit of its last significant digit.
 */
export function numberRange(text: string): { value: number; lo: number; hi: number } | undefined {
  const t = text.trim();
  if (!/^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/.test(t)) return undefined;
  const value = Number(t);
  // 1e400 overflows to Infinity, which every `$lt`/`$gt` bound compares with: not a number to search by
  if (!Number.isFinite(value)) return undefined;
  const exp = /[eE]([+-]?\d+)$/.exec(t);
  const mant = t.replace(/[eE].*$/, '').replace(/^[+-]/, '');
  const decimals = mant.includes('.') ? mant.length - mant.indexOf('.') - 1 : 0;
  // The bounds worked out in decimal, one digit past the last significant one (value ± 5 there),
  // and only then read as numbers: no binary noise (5.4 - 0.05 is 5.3500000000000005 in floating
  // point), and every figure kept however many the value has (rounding the float bounds to 15
  // figures made 0.1234567890123456's range empty)
  const tenths = BigInt(mant.replace('.', '') || '0') * (t.startsWith('-') ? -10n : 10n);
  const scale = (exp ? Number(exp[1]) : 0) - decimals - 1;
  const lo = Number(`${tenths - 5n}e${scale}`);
  const hi = Number(`${tenths + 5n}e${scale}`);
  return Number.isFinite(lo) && Number.isFinite(hi) ? { value, lo, hi } : undefined;
}

/**
 * UCUM canonical forms for common units (search.html#quantity: servers may compare in canonical
 * units). Only exact, well-known conversions; anything else is compared in the units given.
 */
const UCUM: Record<string, [string, number]> = {
  g: ['g', 1], mg: ['g', 1e-3], ug: ['g', 1e-6], ng: ['g', 1e-9], kg: ['g', 1e3],
  L: ['L', 1], l: ['L', 1], dL: ['L', 0.1], mL: ['L', 1e-3], uL: ['L', 1e-6],
  s: ['s', 1], ms: ['s', 1e-3], min: ['s', 60], h: ['s', 3600], d: ['s', 86400], wk: ['s', 604800],
  m: ['m', 1], cm: ['m', 0.01], mm: ['m', 1e-3], km: ['m', 1e3],
  'mg/dL': ['g/L', 1e-2], 'g/dL': ['g/L', 10], 'g/L': ['g/L', 1], 'mg/L': ['g/L', 1e-3],
  mol: ['mol', 1], mmol: ['mol', 1e-3], umol: ['mol', 1e-6], 'mmol/L': ['mol/L', 1e-3], 'mol/L': ['mol/L', 1],
  '%': ['%', 1], '1': ['1', 1],
};
export const UCUM_SYSTEM = 'http://unitsofmeasure.org';

/**
 * Other UCUM codes that are products and quotients of prefixed metric units (`umol/L`, `ng/mL`,
 * `mL/min`, `kg/m2`, `10*9/L`), worked out from their atoms: the base units above (a liter is its
 * own base: `L`, never `dm3`), `min`, `h`, `d`, `wk` in seconds, the SI prefixes on the metric
 * ones, and an integer exponent. Anything else (`mm[Hg]`, `[IU]`, an annotation `{…}`) has
 * no canonical form here and is compared by its code; temperatures are below (TEMPERATURE).
 *
 * Not @lhncbc/ucum-lhc: its mole is a dimensionless number (`mmol/L` and `10*9/L` both `m-3`),
 * it loads in ~100 ms and 12 MB, and a call takes ~77 µs (docs/performance.md, UCUM conversion).
 */
const BASES = ['g', 'mol', 'L', 'm', 's'] as const;
const METRIC: Record<string, [(typeof BASES)[number], number]> = { g: ['g', 1], mol: ['mol', 1], L: ['L', 1], l: ['L', 1], m: ['m', 1], s: ['s', 1] };
const TIME: Record<string, number> = { min: 60, h: 3600, d: 86400, wk: 604800 };
const PREFIX: Record<string, number> = {
  G: 1e9, M: 1e6, k: 1e3, h: 1e2, da: 1e1, d: 1e-1, c: 1e-2, m: 1e-3, u: 1e-6, n: 1e-9, p: 1e-12, f: 1e-15,
};
const TERM = /^(.*?)([+-]?\d+)?$/;
const parsedUnits = new Map<string, [string, number] | null>();

function unitTerm(t: string): { base?: (typeof BASES)[number]; exp: number; factor: number } | undefined {
  const pow = /^10[*^]([+-]?\d+)$/.exec(t);
  if (pow) return { exp: 0, factor: 10 ** Number(pow[1]) };
  if (t === '1') return { exp: 0, factor: 1 }; // `1/min`
  const m = TERM.exec(t)!;
  const atom = m[1];
  const exp = m[2] === undefined ? 1 : Number(m[2]);
  if (!atom || exp === 0) return undefined;
  if (TIME[atom]) return { base: 's', exp, factor: TIME[atom] ** exp };
  if (METRIC[atom]) return { base: METRIC[atom][0], exp, factor: 1 };
  for (const p of [atom.slice(0, 2), atom.slice(0, 1)]) {
    const rest = atom.slice(p.length);
    if (PREFIX[p] !== undefined && METRIC[rest]) return { base: METRIC[rest][0], exp, factor: PREFIX[p] ** exp };
  }
  return undefined;
}

function parseUnit(code: string): [string, number] | undefined {
  if (!/^[A-Za-z0-9*^./+-]{1,40}$/.test(code)) return undefined;
  const exps: Record<string, number> = {};
  let factor = 1;
  const parts = code.split(/(?=[./])/);
  for (const part of parts) {
    const div = part.startsWith('/');
    const body = part.startsWith('/') || part.startsWith('.') ? part.slice(1) : part;
    const term = unitTerm(body);
    if (!term) return undefined;
    if (term.base) exps[term.base] = (exps[term.base] ?? 0) + (div ? -term.exp : term.exp);
    factor = div ? factor / term.factor : factor * term.factor;
  }
  const side = (sign: number) => BASES.filter((b) => Math.sign(exps[b] ?? 0) === sign).map((b) => (Math.abs(exps[b]) === 1 ? b : `${b}${Math.abs(exps[b])}`)).join('.');
  const num = side(1);
  const den = side(-1);
  const canonical = den ? `${num || '1'}/${den}` : num || '1';
  return Number.isFinite(factor) && factor > 0 ? [canonical, Number(factor.toPrecision(15))] : undefined;
}

/**
 * Temperatures. UCUM defines Cel and [degF] by an offset from the kelvin, not by a factor
 * (Cel = K − 273.15; [degF] = 5/9 K counted from −459.67 [degF]), so they have no entry above:
 * their canonical form is K, reached by `(v + offset) · scale`. Only alone: `Cel/h` is a rate, not a
 * temperature, and stays compared by its code. Rounded to 15 digits (37 Cel and 98.6 [degF] are
 * both 310.15 K, not 310.15 and 310.15000000000003), on the indexed and the searched side alike.
 */
const TEMPERATURE: Record<string, (v: number) => number> = {
  K: (v) => v,
  Cel: (v) => Number((v + 273.15).toPrecision(15)),
  '[degF]': (v) => Number((((v + 459.67) * 5) / 9).toPrecision(15)),
};

/**
 * The canonical form of `value` in UCUM unit `code`: its canonical unit and value (undefined: the
 * unit has none here, and is compared by its code). Monotone increasing in `value` for every unit,
 * so a search range converts by its ends (compile-values.ts quantityCond).
 */
export function ucumCanonical(code: string, value: number): { code: string; value: number } | undefined {
  // (own keys only: a unit code is user data, and `constructor` or `__proto__` is no unit)
  if (Object.hasOwn(TEMPERATURE, code)) return { code: 'K', value: TEMPERATURE[code](value) };
  let c: [string, number] | null | undefined = Object.hasOwn(UCUM, code) ? UCUM[code] : undefined;
  if (!c) {
    c = parsedUnits.get(code);
    if (c === undefined) {
      c = parseUnit(code) ?? null;
      if (parsedUnits.size < 4096) parsedUnits.set(code, c);
    }
  }
  return c ? { code: c[0], value: value * c[1] } : undefined;
}

const REFERENCE = /(?:^|\/)([A-Z][A-Za-z]+)\/([A-Za-z0-9\-.]{1,64})(?:\/_history\/[^/]+)?$/;

/**
 * A literal reference taken apart: what comes before `Type/id` (`''` when relative,
 * `http://other.org/fhir/` when absolute), the type, and `Type/id`.
 */
interface RefParts {
  prefix: string;
  type: string;
  key: string;
}
/** Recent answers: a subject or specimen is referenced by every resource of a patient. */
const refParts = new Map<string, RefParts | null>();
const MAX_REF_KEYS = 4096;

/** Whether `ref` is exactly `Type/id` (what REFERENCE would match whole): then it is its own key. */
function isTypeSlashId(ref: string): boolean {
  const n = ref.length;
  let c = ref.charCodeAt(0);
  if (!(c >= 65 && c <= 90)) return false;
  let i = 1;
  for (; i < n; i++) {
    c = ref.charCodeAt(i);
    if (!((c >= 65 && c <= 90) || (c >= 97 && c <= 122))) break;
  }
  if (i < 2 || c !== 47) return false; // [A-Z][A-Za-z]+ then '/'
  const start = ++i;
  for (; i < n; i++) {
    c = ref.charCodeAt(i);
    if (!((c >= 65 && c <= 90) || (c >= 97 && c <= 122) || (c >= 48 && c <= 57) || c === 45 || c === 46)) return false;
  }
  return n - start >= 1 && n - start <= 64;
}

function partsOf(ref: string): RefParts | undefined {
  const known = refParts.get(ref);
  if (known !== undefined) return known ?? undefined;
  const m = REFERENCE.exec(ref);
  // Relative `Type/id` is its own key: the same string, not a copy to concatenate and flatten.
  const parts = m
    ? { prefix: ref.slice(0, m.index + (m[0].startsWith('/') ? 1 : 0)), type: m[1], key: ref.length === m[1].length + m[2].length + 1 ? ref : `${m[1]}/${m[2]}` }
    : undefined;
  if (refParts.size >= MAX_REF_KEYS) refParts.clear();
  refParts.set(ref, parts ?? null);
  return parts;
}

/**
 * `Type/id` of a literal reference to a resource on this server: relative (`Patient/p1`,
 * `Patient/p1/_history/2`) or absolute on the server's own base (`{ownBase}/Patient/p1`, where
 * ownBase is the configured BASE_URL). Undefined for anything else, including a reference to
 * another server: `http://other.org/fhir/Patient/p1` is another server's resource, not our
 * Patient/p1 (search.html#reference), so it is never a local key, compartment member or include
 * target. `ownBase` '' accepts relative references only.
 */
export function referenceKey(ref: string, ownBase: string): string | undefined {
  // The common form, `Observation/var-1`, without a regex or the cache (a report's results are all new).
  if (typeof ref === 'string' && isTypeSlashId(ref)) return ref;
  const p = partsOf(ref);
  if (!p) return undefined;
  return p.prefix === '' || (ownBase !== '' && p.prefix.length === ownBase.length + 1 && p.prefix.startsWith(ownBase)) ? p.key : undefined;
}

/**
 * The resource type a literal reference names, on this server or another (`…/fhir/Patient/p1` is a
 * Patient wherever it lives): what `resolve() is Patient` and a Reference's allowed targets ask.
 */
export function referenceType(ref: string): string | undefined {
  if (typeof ref === 'string' && isTypeSlashId(ref)) return ref.slice(0, ref.indexOf('/'));
  return partsOf(ref)?.type;
}

/** Escapes a literal for use inside a regular expression (user input is never a pattern). */
export function escapeRegex(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&');
}
