import type { R } from './dataset.js';

/**
 * The naive oracle: plain predicates over plain resources, written from the FHIR R4 search page
 * (https://hl7.org/fhir/R4/search.html) without the engine's index code. Slow and obvious on purpose.
 */
export const fold = (s: string) => s.normalize('NFD').replace(/[\u0300-\u036f]/g, '').toLowerCase();

export function codings(x: any): Array<{ system?: string; code?: string; display?: string }> {
  if (!x) return [];
  if (Array.isArray(x)) return x.flatMap(codings);
  if (typeof x === 'string') return [{ code: x }];
  if (x.coding) return x.coding;
  if ('value' in x && 'system' in x) return [{ system: x.system, code: x.value }];
  return [x];
}

/** token match: code, system|code, |code, system| */
export function tokenMatch(x: any, q: string): boolean {
  const bar = q.indexOf('|');
  return codings(x).some((c) => {
    if (bar < 0) return c.code === q;
    const sys = q.slice(0, bar);
    const code = q.slice(bar + 1);
    if (!sys) return !c.system && c.code === code;
    if (!code) return c.system === sys;
    return c.system === sys && c.code === code;
  });
}

export function components(r: R, code: string): any[] {
  return (r.component ?? []).filter((c: any) => c.code?.coding?.some((cd: any) => cd.code === code));
}

export function ext(r: R, url: string): any[] {
  return (r.extension ?? []).filter((e: any) => e.url === `http://hl7.org/fhir/StructureDefinition/${url}`);
}

/** [start, end) of a date string at its precision, UTC. */
export function interval(s: string): [number, number] {
  if (/^\d{4}$/.test(s)) return [Date.UTC(+s, 0, 1), Date.UTC(+s + 1, 0, 1)];
  if (/^\d{4}-\d{2}$/.test(s)) {
    const [y, m] = s.split('-').map(Number);
    return [Date.UTC(y, m - 1, 1), Date.UTC(y, m, 1)];
  }
  if (/^\d{4}-\d{2}-\d{2}$/.test(s)) {
    const t = Date.parse(`${s}T00:00:00Z`);
    return [t, t + 86400000];
  }
  const t = Date.parse(s);
  const ms = /\.\d{3}/.test(s) ? 1 : /:\d{2}:\d{2}/.test(s) ? 1000 : 60000;
  return [t, t + ms];
}

export function periodInterval(x: any): [number, number] | undefined {
  if (!x) return undefined;
  if (typeof x === 'string') return interval(x);
  return [x.start ? interval(x.start)[0] : -Infinity, x.end ? interval(x.end)[1] : Infinity];
}

/**
 * Date prefix semantics, spelled out from search.html#prefix's column for ranges (a date is the
 * range of its precision, a Period from its start to its end, unbounded where one is missing):
 * eq the search range fully contains the target; gt/lt the range above/below the search value
 * overlaps the target; ge/le that, or eq; sa/eb the target lies wholly above/below it.
 */
export function datePrefix(target: [number, number] | undefined, q: string): boolean {
  if (!target) return false;
  const m = /^(eq|ne|gt|lt|ge|le|sa|eb|ap)?(.*)$/.exec(q)!;
  const p = m[1] ?? 'eq';
  const [qs, qe] = interval(m[2]);
  const [s, e] = target;
  const contained = s >= qs && e <= qe;
  switch (p) {
    case 'eq': return contained;
    case 'ne': return !contained;
    case 'gt': return e > qe;
    case 'lt': return s < qs;
    case 'ge': return e > qe || contained;
    case 'le': return s < qs || contained;
    case 'sa': return s >= qe;
    case 'eb': return e <= qs;
    // overlap with the search range widened on each side: by the server's choice (search.html
    // allows one) of a tenth of its width, at least a day
    case 'ap': {
      const pad = Math.max((qe - qs) * 0.1, 86_400_000);
      return s < qe + pad && e > qs - pad;
    }
  }
  return false;
}

/**
 * The values a stored quantity stands for, as an interval with open or closed ends: a plain
 * Quantity is one point; `comparator` says "how to understand the value" (quantity.html: `<5` is
 * every value below 5, `>=5` every value from 5 up); a Range is low to high, both included
 * (datatypes.html#Range), a missing end unbounded. Units are those of the value (of low, else high).
 */
export interface Extent { lo: number; hi: number; loOpen: boolean; hiOpen: boolean; code?: string; system?: string }
export function extentOf(x: any): Extent | undefined {
  if (typeof x === 'number') return { lo: x, hi: x, loOpen: false, hiOpen: false };
  if (!x || typeof x !== 'object') return undefined;
  if ('low' in x || 'high' in x) {
    const lo = x.low?.value;
    const hi = x.high?.value;
    if (typeof lo !== 'number' && typeof hi !== 'number') return undefined;
    const u = typeof lo === 'number' ? x.low : x.high;
    return { lo: lo ?? -Infinity, hi: hi ?? Infinity, loOpen: false, hiOpen: false, code: u.code, system: u.system };
  }
  if (typeof x.value !== 'number') return undefined;
  const v = x.value;
  const unit = { code: x.code, system: x.system };
  switch (x.comparator) {
    case '<': return { lo: -Infinity, hi: v, loOpen: false, hiOpen: true, ...unit };
    case '<=': return { lo: -Infinity, hi: v, loOpen: false, hiOpen: false, ...unit };
    case '>': return { lo: v, hi: Infinity, loOpen: true, hiOpen: false, ...unit };
    case '>=': return { lo: v, hi: Infinity, loOpen: false, hiOpen: false, ...unit };
  }
  return { lo: v, hi: v, loOpen: false, hiOpen: false, ...unit };
}

/**
 * Prefix semantics on an extent, from search.html#prefix's column for ranges, with the search
 * value exact for gt/ge/lt/le/sa/eb (search.html#number: `gt100` is "greater than exactly 100"),
 * its implicit range for eq/ne, ±10% for ap:
 * eq: the search range contains the extent; gt/ge: some value above (or at) it; lt/le: some value
 * below (or at) it; sa/eb: every value above/below it; ap: the extent meets v ± 10% (or ± half, if wider).
 */
export function extentMatch(x: Extent, p: string, v: number, half: number): boolean {
  const { lo, hi, loOpen, hiOpen } = x;
  const contained = lo >= v - half - 1e-12 && hi < v + half - 1e-12;
  switch (p) {
    case 'eq': return contained;
    case 'ne': return !contained;
    case 'gt': return hi > v;
    case 'ge': return hiOpen ? hi > v : hi >= v;
    case 'lt': return lo < v;
    case 'le': return loOpen ? lo < v : lo <= v;
    case 'sa': return loOpen ? lo >= v : lo > v;
    case 'eb': return hiOpen ? hi <= v : hi < v;
    // ± 10%, never narrower than the value's implicit range
    case 'ap': return lo <= v + Math.max(Math.abs(v) * 0.1, half) && hi >= v - Math.max(Math.abs(v) * 0.1, half);
  }
  return false;
}

const PREFIX = /^(eq|ne|gt|lt|ge|le|sa|eb|ap)?(.*)$/;

/** Number prefix semantics on a number or a Range (RiskAssessment.prediction.probability[x]). */
export function numberMatch(x: any, q: string): boolean {
  const e = extentOf(x);
  if (!e) return false;
  const m = PREFIX.exec(q)!;
  const decimals = m[2].includes('.') ? m[2].split('.')[1].length : 0;
  return extentMatch(e, m[1] ?? 'eq', Number(m[2]), 0.5 * 10 ** -decimals);
}

const CANON: Record<string, [string, number]> = { mg: ['g', 0.001], g: ['g', 1], 'mmol/L': ['mol/L', 0.001], 'umol/L': ['mol/L', 1e-6] };
/** Temperatures to kelvin, `(v + offset) · scale` (UCUM: Cel and [degF] are offset units). */
const TEMPERATURE: Record<string, [number, number]> = { K: [0, 1], Cel: [273.15, 1], '[degF]': [459.67, 5 / 9] };

/** Quantity prefix semantics (on a Quantity, with or without comparator, or a Range) with a tiny canonical-unit table of its own. */
export function quantityMatch(x: any, q: string): boolean {
  const e = extentOf(x);
  if (!e || typeof x === 'number') return false;
  const [numPart, system, code] = q.split('|');
  const m = PREFIX.exec(numPart)!;
  const p = m[1] ?? 'eq';
  let v = Number(m[2]);
  const decimals = m[2].includes('.') ? m[2].split('.')[1].length : 0;
  let half = 0.5 * 10 ** -decimals;
  let target = e;
  if (code) {
    const qc = CANON[code];
    const tc = e.code ? CANON[e.code] : undefined;
    const qt = TEMPERATURE[code];
    const tt = e.code ? TEMPERATURE[e.code] : undefined;
    if (qt && tt) {
      // kelvin: (v + offset) · scale; the value's half-unit scales, its offset cancels out
      const k = ([off, scale]: [number, number], x: number) => (x + off) * scale;
      v = k(qt, v);
      half *= qt[1];
      target = { ...e, lo: k(tt, e.lo), hi: k(tt, e.hi) };
    } else if (qc && tc) {
      if (qc[0] !== tc[0]) return false;
      v *= qc[1];
      half *= qc[1];
      target = { ...e, lo: e.lo * tc[1], hi: e.hi * tc[1] };
    } else if (e.code !== code || (system && e.system !== system)) return false;
  }
  return extentMatch(target, p, v, half);
}

export function refIs(x: any, ref: string): boolean {
  return typeof x?.reference === 'string' && (x.reference === ref || x.reference.endsWith(`/${ref}`));
}

/**
 * The region a variant covers, 0-based half-open, read directly from the IG components: an
 * imprecise structural variant may affect any base of its outer range (81301-4), else the variant
 * is where its exact range (81254-5) says, else (inner range 81302-2 alone) at least there.
 */
export function variantRegion(r: R): { acc: string; s: number; e: number } | undefined {
  const acc = components(r, '48013-7')[0]?.valueCodeableConcept?.coding?.[0]?.code;
  const range = (components(r, '81301-4')[0] ?? components(r, '81254-5')[0] ?? components(r, '81302-2')[0])?.valueRange;
  if (!acc || !range) return undefined;
  const sys = components(r, '92822-6')[0]?.valueCodeableConcept?.coding?.[0]?.code;
  let s = range.low.value;
  let e = range.high?.value ?? s + 1;
  if (sys === 'LA30102-0') s -= 1;
  if (e <= s) e = s + 1;
  return { acc, s, e };
}

export function sequenceRegions(r: R): Array<{ acc: string; s: number; e: number }> {
  const acc = r.referenceSeq?.referenceSeqId?.coding?.[0]?.code;
  if (!acc) return [];
  const one = r.coordinateSystem === 1;
  const win = { acc, s: r.referenceSeq.windowStart - (one ? 1 : 0), e: r.referenceSeq.windowEnd };
  const vars = (r.variant ?? []).map((v: any) => ({ acc, s: v.start - (one ? 1 : 0), e: Math.max(v.end, v.start - (one ? 1 : 0) + 1) }));
  return [win, ...vars];
}

export function overlaps(x: { acc: string; s: number; e: number } | undefined, acc: string, s: number, e: number): boolean {
  return !!x && x.acc === acc && x.s < e && x.e > s;
}
