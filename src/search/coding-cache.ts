import { gxSlot } from '../genomics/operations/component-codes.js';
import { foldText, HOT_USES, interned } from './shared-strings.js';

/**
 * What the indexer derives from one coding (system + code), made once per distinct pair: the
 * `system|code` token, the code, the folded display last seen with it, and for component codes
 * the `code$value` composites with each answer. A Variant's dozen components carry the same LOINC
 * codes and mostly the same answers from one resource to the next; building, comparing and
 * flattening those strings afresh for every resource was most of the cost of indexing one.
 * After HOT_USES uses an entry's strings are interned (see shared-strings.ts); an entry seen
 * once or twice (an HGVS expression, an id) is not. Bounded: emptied when full.
 */
export interface CodingEntry {
  /** `system|code`, or `|code` without a system. */
  token: string;
  code: string;
  hot: boolean;
  uses: number;
  /** Genetics component codes (observation-components.ts), a bit set. */
  readonly genetic: number;
  /** Slot of the code among the components the gx-* fields read (component-codes.ts), or -1. */
  readonly gx: number;
  /** The last display seen with this coding, and its fold(). */
  display: string | undefined;
  folded: string | undefined;
  /** `token$token`, `token$code`, `code$token`, `code$code` with a (hot) answer entry. */
  joins: Map<CodingEntry, { forms: string[]; uses: number }> | undefined;
}

export const GENE = 1, DNA = 2, AA = 4, ACCESSION = 8, COORDINATES = 16, RANGE = 32;
const GENETIC: Record<string, number> = {
  '48018-6': GENE, '48004-6': DNA, '81290-9': DNA, '81252-9': DNA, '48005-3': AA, '48013-7': ACCESSION, '92822-6': COORDINATES, '81254-5': RANGE,
};

/**
 * The codes of one system. A system whose codes mostly do not come back (HGVS expressions, ClinVar
 * ids: one per variant) stops taking new ones after a sample: caching them would only fill the
 * cache and the old generation of the heap with entries that are never asked for again.
 */
interface SystemCodes {
  readonly codes: Map<string, CodingEntry>;
  lookups: number;
  hits: number;
  open: boolean;
}
const SAMPLE = 1024;
/** Below this share of lookups answered from the cache, a system takes no new codes for a while. */
const MIN_HIT_RATE = 0.5;
/** Lookups after which a closed system is sampled again (its codes may have started to recur). */
const REOPEN_AFTER = 64 * SAMPLE;

const bySystem = new Map<string, SystemCodes>();
let count = 0;
const MAX_ENTRIES = 16_384;
/** Composites kept per code entry, and in all (each is four strings). */
const MAX_JOINS = 64;
const MAX_ALL_JOINS = 16_384;
let allJoins = 0;

let lastSystem: string | undefined;
let lastCodes: SystemCodes | undefined;

/** The entry of a coding; a system that is not a non-empty string counts as none (`|code`). */
export function codingEntry(system: unknown, code: string): CodingEntry {
  const sys = typeof system === 'string' ? system : '';
  // Consecutive codings mostly share their system (a Variant's components are all LOINC-coded).
  let sc = sys === lastSystem ? lastCodes : bySystem.get(sys);
  if (sc === undefined) bySystem.set(sys, (sc = { codes: new Map(), lookups: 0, hits: 0, open: true }));
  lastSystem = sys;
  lastCodes = sc;
  let e = sc.codes.get(code);
  sample(sc, e !== undefined);
  if (e !== undefined) {
    if (!e.hot && ++e.uses >= HOT_USES) {
      e.token = interned(e.token);
      e.code = interned(e.code);
      e.hot = true;
    }
    return e;
  }
  e = {
    token: sys ? `${sys}|${code}` : `|${code}`, code, hot: false, uses: 1,
    genetic: Object.prototype.hasOwnProperty.call(GENETIC, code) ? GENETIC[code] : 0,
    gx: gxSlot(code),
    display: undefined, folded: undefined, joins: undefined,
  };
  if (!sc.open) return e;
  if (++count > MAX_ENTRIES) {
    bySystem.clear();
    lastSystem = lastCodes = undefined;
    count = 0;
    allJoins = 0;
  } else sc.codes.set(code, e);
  return e;
}

function sample(sc: SystemCodes, hit: boolean): void {
  sc.lookups++;
  if (hit) sc.hits++;
  if (sc.open ? sc.lookups >= SAMPLE : sc.lookups >= REOPEN_AFTER) {
    sc.open = !sc.open || sc.hits >= sc.lookups * MIN_HIT_RATE;
    sc.lookups = sc.hits = 0;
  }
}

/** fold() of a display seen with this coding (the same display, again and again). */
export function foldedDisplay(e: CodingEntry, display: string): string {
  if (e.display === display) return e.folded!;
  const f = foldText(display);
  e.display = display;
  e.folded = f;
  return f;
}

/** Escapes a composite part so that `a$b` joins cannot collide (same escaping as search values). */
export function compositePart(s: string): string {
  return s.indexOf('$') < 0 && s.indexOf('\\') < 0 ? s : s.replace(/[\\$]/g, '\\$&');
}

function join(x: string, y: string): string {
  return `${compositePart(x)}$${compositePart(y)}`;
}

/** The four `code$value` forms of a code coding and an answer coding, in token-then-code order. */
export function joins(c: CodingEntry, v: CodingEntry): string[] {
  if (!(c.hot && v.hot)) return fourJoins(c, v);
  let m = c.joins;
  let j = m?.get(v);
  if (j === undefined) {
    const forms = fourJoins(c, v);
    if (allJoins >= MAX_ALL_JOINS) return forms; // full: made afresh (entries emptied by a cache clear free theirs)
    if (m === undefined) c.joins = m = new Map();
    if (m.size >= MAX_JOINS) {
      allJoins -= m.size;
      m.clear();
    }
    m.set(v, { forms, uses: 1 });
    allJoins++;
    return forms;
  }
  if (++j.uses === HOT_USES) j.forms = j.forms.map(interned);
  return j.forms;
}

function fourJoins(c: CodingEntry, v: CodingEntry): string[] {
  return [join(c.token, v.token), join(c.token, v.code), join(c.code, v.token), join(c.code, v.code)];
}
