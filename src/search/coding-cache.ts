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

const bySystem = new Map<string, Map<string, CodingEntry>>();
let count = 0;
const MAX_ENTRIES = 16_384;
const MAX_JOINS = 64;

/** The entry of a coding; a system that is not a non-empty string counts as none (`|code`). */
let lastSystem: string | undefined;
let lastCodes: Map<string, CodingEntry> | undefined;

export function codingEntry(system: unknown, code: string): CodingEntry {
  const sys = typeof system === 'string' ? system : '';
  // Consecutive codings mostly share their system (a Variant's components are all LOINC-coded).
  let codes = sys === lastSystem ? lastCodes : bySystem.get(sys);
  if (codes === undefined) bySystem.set(sys, (codes = new Map()));
  lastSystem = sys;
  lastCodes = codes;
  let e = codes.get(code);
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
  if (++count > MAX_ENTRIES) {
    bySystem.clear();
    lastSystem = lastCodes = undefined;
    count = 0;
  } else codes.set(code, e);
  return e;
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
  if (m === undefined) c.joins = m = new Map();
  let j = m.get(v);
  if (j === undefined) {
    j = { forms: fourJoins(c, v), uses: 1 };
    if (m.size >= MAX_JOINS) m.clear();
    m.set(v, j);
  } else if (++j.uses === HOT_USES) j.forms = j.forms.map(interned);
  return j.forms;
}

function fourJoins(c: CodingEntry, v: CodingEntry): string[] {
  return [join(c.token, v.token), join(c.token, v.code), join(c.code, v.token), join(c.code, v.code)];
}
