import type { Extracted } from './fhirpath-extract.js';
import { dateRange, fold, referenceKey, ucumCanonical, MAX_TIME, MIN_TIME, QTY_MAX, QTY_MIN, type Interval } from './normalize.js';
import type { ParamType } from './registry.js';
import { fieldOf, ObjectSink, type Field, type ValueSink } from './index-sink.js';
import { codingEntry, compositePart, foldedDisplay } from './coding-cache.js';
import { foldText } from './shared-strings.js';

/**
 * Turns extracted FHIR elements into the normalized index entries stored in IndexedDoc.x
 * (DESIGN.md "Search"). Field layout, for parameter `p`:
 *   token      x.p: ['system|code', 'code', '|code' (no system)]; x['p__t'] folded display/text;
 *              x['p__ot'] 'typeSystem|typeCode|value' for identifiers (:of-type)
 *   reference  x.p: ['Type/id' | absolute URL | canonical]; x['p__i'] identifier tokens (:identifier);
 *              x['p__v'] a versioned reference with its version ('Type/id/_history/2', another
 *              server's URL as written), what a versioned search value looks up
 *   string     x.p: folded strings (prefix/contains); x['p__e'] exact strings
 *   uri        x.p: strings;   number x.p: numbers, x['p__r'] [{lo, hi}] of Ranges;   date x.p: [{s, e}] half-open epoch-ms ranges
 *   quantity   x.p: [{n, c, s, cn?, cc?}] value, unit code, system, UCUM-canonical value and unit;
 *              a range (comparator, Range): [{lo, hi, lx?, hx?, c, s, clo?, chi?, cc?}] (quantityValues);
 *              x['p__o'] the numbers `_sort` orders by: cn, else n; a range's bounded ends
 *   composite  x.p: [{c0: […], c1: […]}] component index values per repeating element
 *   any        x['p__m'] [true]: the parameter's expression selected an element that gave no value
 *              (a SampledData for value-quantity, a CodeableConcept with a text only): `:missing`
 * A field's values keep the order they were found in; strings and numbers appear once, objects
 * (dates, quantities, composites) every time.
 */
export type IndexEntries = Record<string, unknown[]>;

/**
 * The fields one parameter writes: `p` and its companions. Built once per parameter (when its
 * plan is compiled), so that indexing a value concatenates no field names.
 */
export interface Keys {
  k: Field;
  t: Field;
  e: Field;
  ot: Field;
  /** Ranges of a number parameter (`{lo, hi}`, numberValues). */
  r: Field;
  /** Set (`[true]`) when the parameter's element is there but gave no value (index-sink.ts present). */
  m: Field;
  /** Order values of a quantity parameter: what `_sort` reads (quantityValues). */
  o: Field;
  /** Versioned references of a reference parameter, with their version (referenceValues). */
  v: Field;
  /** Name of the `:identifier` field of a reference parameter (its own Keys via keysOf). */
  i: string;
}
const keysCache = new Map<string, Keys>();
export function keysOf(k: string): Keys {
  let keys = keysCache.get(k);
  if (!keys) keysCache.set(k, (keys = { k: fieldOf(k), t: fieldOf(`${k}__t`), e: fieldOf(`${k}__e`), ot: fieldOf(`${k}__ot`), r: fieldOf(`${k}__r`), m: fieldOf(`${k}__m`), o: fieldOf(`${k}__o`), v: fieldOf(`${k}__v`), i: `${k}__i` }));
  return keys;
}

/** `system|code`, or `|code` without a system (a non-string system counts as none). */
export function codeToken(system: unknown, c: string): string {
  return codingEntry(system, c).token;
}

function tokenCoding(out: ValueSink, keys: Keys, system: unknown, code: unknown, text?: unknown): void {
  if (typeof code === 'string' || typeof code === 'number' || typeof code === 'boolean') {
    const e = codingEntry(system, typeof code === 'string' ? code : String(code));
    out.add(keys.k, e.token);
    out.add(keys.k, e.code);
    if (typeof text === 'string' && text) out.add(keys.t, foldedDisplay(e, text));
  } else if (typeof text === 'string' && text) out.add(keys.t, foldText(text));
}

const CONTACT_SYSTEMS = ['phone', 'fax', 'email', 'pager', 'url', 'sms', 'other'];

/** Token values of an element: a coding, CodeableConcept, Identifier, ContactPoint, Quantity or primitive. */
export function tokenValues(out: ValueSink, keys: Keys, v: unknown, type: string | undefined): void {
  if (v === null || v === undefined) return;
  if (typeof v !== 'object') {
    out.add(keys.k, typeof v === 'string' ? v : String(v));
    return;
  }
  const o = v as Record<string, unknown>;
  if (Array.isArray(o.coding) || 'text' in o) {
    for (const c of (o.coding as Array<Record<string, unknown>>) ?? []) tokenCoding(out, keys, c.system, c.code, c.display);
    if (typeof o.text === 'string') out.add(keys.t, foldText(o.text));
    return;
  }
  if ('value' in o && ('system' in o || 'type' in o || 'use' in o || 'assigner' in o || type === 'Identifier')) {
    // Identifier (or ContactPoint: its system is "phone"/"email", not a URI, so the value alone matters)
    const isContact = type === 'ContactPoint' || CONTACT_SYSTEMS.includes(String(o.system));
    if (isContact) out.add(keys.k, String(o.value));
    else tokenCoding(out, keys, o.system, o.value);
    const t = o.type as { coding?: Array<Record<string, unknown>>; text?: string } | undefined;
    for (const c of t?.coding ?? []) out.add(keys.ot, `${c.system ?? ''}|${c.code ?? ''}|${o.value}`);
    if (t?.text) out.add(keys.t, foldText(t.text));
    return;
  }
  if ('code' in o || 'system' in o) tokenCoding(out, keys, o.system, o.code, o.display ?? o.unit);
  else if ('value' in o && typeof o.value !== 'object') out.add(keys.k, String(o.value));
}

const HISTORY = /\/_history\/[^/]+$/;
const ABSOLUTE = /^[a-z]+:/;

export function referenceValues(out: ValueSink, keys: Keys, v: unknown): void {
  if (typeof v === 'string') {
    out.add(keys.k, v);
    const bar = v.indexOf('|');
    if (bar > 0) out.add(keys.k, v.slice(0, bar)); // canonical with |version
    // (a search value ending in /_history/… reads p__v: compile.ts referenceMatch)
    if (v.includes('/_history/') && HISTORY.test(v)) out.add(keys.v, v);
    return;
  }
  if (!v || typeof v !== 'object') return;
  const o = v as { reference?: string; identifier?: Record<string, unknown> };
  const ref = o.reference;
  if (typeof ref === 'string' && !ref.startsWith('#')) {
    // A local reference is filed as `Type/id` (what `subject=Patient/p1`, chains, includes and the
    // compartment look up); any other, a foreign server's `http://other.org/fhir/Patient/p1` too,
    // by its URL only (search.html#reference: it matches a search by that URL, never Patient/p1).
    const k = referenceKey(ref, out.ownBase);
    if (k) out.add(keys.k, k);
    // (a relative `Type/id` is its own key: it starts with a capital, never a scheme)
    if (!k || (k !== ref && ABSOLUTE.test(ref))) out.add(keys.k, ref.replace(HISTORY, ''));
    // A versioned reference is also filed with its version, for a versioned search value
    // (`subject=Patient/p1/_history/2`: the references to that version, README "Search").
    const version = ref.includes('/_history/') ? HISTORY.exec(ref) : null;
    if (version) out.add(keys.v, k ? `${k}${version[0]}` : ref);
  }
  if (o.identifier) tokenValues(out, keysOf(keys.i), o.identifier, 'Identifier');
}

const NAME_PARTS = ['text', 'family', 'given', 'prefix', 'suffix', 'line', 'city', 'district', 'state', 'postalCode', 'country'];

function addString(out: ValueSink, keys: Keys, s: unknown): void {
  if (typeof s !== 'string' || !s) return;
  out.add(keys.k, fold(s));
  out.add(keys.e, s);
}

export function stringValues(out: ValueSink, keys: Keys, v: unknown): void {
  if (typeof v === 'string') return addString(out, keys, v);
  if (!v || typeof v !== 'object') return;
  const o = v as Record<string, unknown>;
  for (const p of NAME_PARTS) {
    const pv = o[p];
    if (Array.isArray(pv)) for (let i = 0; i < pv.length; i++) addString(out, keys, pv[i]);
    else addString(out, keys, pv);
  }
  if (typeof o.display === 'string') addString(out, keys, o.display);
}

function intervalOf(v: unknown): Interval | undefined {
  if (typeof v === 'string') return dateRange(v);
  if (!v || typeof v !== 'object') return undefined;
  const o = v as Record<string, unknown>;
  if ('start' in o || 'end' in o) {
    const s = typeof o.start === 'string' ? dateRange(o.start)?.s : MIN_TIME;
    const e = typeof o.end === 'string' ? dateRange(o.end)?.e : MAX_TIME;
    return s === undefined || e === undefined ? undefined : { s, e };
  }
  return undefined;
}

export function dateValues(out: ValueSink, keys: Keys, v: unknown): void {
  if (v && typeof v === 'object' && ('event' in v || 'repeat' in v)) {
    // Timing: one range from its earliest event or bound to its latest (search.html#date: "the
    // specified scheduling details are ignored and only the outer limits matter")
    const o = v as Record<string, unknown>;
    const parts: Array<Interval | undefined> = Array.isArray(o.event) ? o.event.map(intervalOf) : [];
    const bounds = (o.repeat as Record<string, unknown> | undefined)?.boundsPeriod;
    if (bounds) parts.push(intervalOf(bounds));
    let s = Infinity;
    let e = -Infinity;
    for (const i of parts) {
      if (!i) continue;
      if (i.s < s) s = i.s;
      if (i.e > e) e = i.e;
    }
    if (s <= e) out.add(keys.k, { s, e });
    return;
  }
  const i = intervalOf(v);
  if (i) out.add(keys.k, i);
}

export function numberValues(out: ValueSink, keys: Keys, v: unknown): void {
  if (typeof v === 'number') out.add(keys.k, v);
  else if (v && typeof v === 'object') {
    const o = v as { value?: unknown; low?: { value?: unknown }; high?: { value?: unknown } };
    if (typeof o.value === 'number') out.add(keys.k, o.value);
    else {
      // a Range (RiskAssessment.prediction.probability[x]), in a field of its own (the numbers
      // stay scalars: compile.ts reads both)
      const r = rangeBounds(v as Record<string, unknown>);
      if (r) out.add(keys.r, { lo: r.lo, hi: r.hi });
    }
  }
}

/**
 * The bounds of a Range (`low`, `high`: both included, datatypes.html#Range; a missing one
 * unbounded, QTY_MIN / QTY_MAX), with the bound whose units it states (rng-2: those of low, else
 * high); undefined when it is not a Range or bounds nothing.
 */
function rangeBounds(o: Record<string, unknown>): { lo: number; hi: number; units: Record<string, unknown> } | undefined {
  if (!('low' in o) && !('high' in o)) return undefined;
  const low = o.low as Record<string, unknown> | undefined;
  const high = o.high as Record<string, unknown> | undefined;
  const lo = typeof low?.value === 'number' ? low.value : undefined;
  const hi = typeof high?.value === 'number' ? high.value : undefined;
  if (lo === undefined && hi === undefined) return undefined;
  return { lo: lo ?? QTY_MIN, hi: hi ?? QTY_MAX, units: (lo !== undefined ? low : high)! };
}

/** Units of a quantity entry: code (else unit, else currency), the unit when it differs, system. */
function quantityUnits(entry: Record<string, unknown>, o: Record<string, unknown>): string | undefined {
  const code = typeof o.code === 'string' ? o.code : typeof o.unit === 'string' ? o.unit : typeof o.currency === 'string' ? o.currency : undefined;
  if (code) entry.c = code;
  if (typeof o.unit === 'string' && o.unit !== code) entry.u = o.unit;
  if (typeof o.system === 'string') entry.s = o.system;
  return code && (o.system === undefined || o.system === 'http://unitsofmeasure.org') ? code : undefined;
}

/** A bound in canonical units; an unbounded end stays unbounded (scaling it could overflow). */
function canonicalBound(code: string, v: number): number | undefined {
  if (v === QTY_MIN || v === QTY_MAX) return v;
  return ucumCanonical(code, v)?.value;
}

/**
 * A quantity that stands for a range of values: `{lo, hi}` (QTY_MIN / QTY_MAX when unbounded),
 * `lx`/`hx` when that end is excluded, the units and their canonical `clo`/`chi`/`cc`
 * (compile-values.ts quantityCond reads both forms). `low`/`high` of a Range are included
 * (datatypes.html#Range) and share its units (rng-2; those of low, else high).
 */
function rangeEntry(out: ValueSink, keys: Keys, lo: number, hi: number, lx: boolean, hx: boolean, units: Record<string, unknown>): void {
  const entry: Record<string, unknown> = { lo, hi };
  if (lx) entry.lx = true;
  if (hx) entry.hx = true;
  const ucum = quantityUnits(entry, units);
  const cc = ucum && ucumCanonical(ucum, 1)?.code;
  if (ucum && cc) {
    entry.clo = canonicalBound(ucum, lo);
    entry.chi = canonicalBound(ucum, hi);
    entry.cc = cc;
  }
  out.add(keys.k, entry);
  // a range sorts by its bounds (the lowest ascending, the highest descending), an unbounded end by none
  const sortLo = (entry.clo ?? lo) as number;
  const sortHi = (entry.chi ?? hi) as number;
  if (lo !== QTY_MIN) out.add(keys.o, sortLo);
  if (hi !== QTY_MAX) out.add(keys.o, sortHi);
}

/**
 * Quantity index entries. A plain Quantity is a point `{n, …}`; one with a comparator says "how
 * to understand the value" (quantity.html: `<5` is every value below 5), so it is the range it
 * states, and so is a Range (Condition.onset.as(Range), UsageContext.value.as(Range) …).
 */
export function quantityValues(out: ValueSink, keys: Keys, v: unknown): void {
  const o = v as Record<string, unknown> | undefined;
  if (!o || typeof o !== 'object') return;
  if (typeof o.value !== 'number') {
    const r = rangeBounds(o);
    if (r) rangeEntry(out, keys, r.lo, r.hi, false, false, r.units);
    return;
  }
  const c = o.comparator;
  if (c === '<' || c === '<=') return rangeEntry(out, keys, QTY_MIN, o.value, false, c === '<', o);
  if (c === '>' || c === '>=') return rangeEntry(out, keys, o.value, QTY_MAX, c === '>', false, o);
  const entry: Record<string, unknown> = { n: o.value };
  const ucum = quantityUnits(entry, o);
  const canon = ucum ? ucumCanonical(ucum, o.value) : undefined;
  if (canon) {
    entry.cn = canon.value;
    entry.cc = canon.code;
  }
  out.add(keys.k, entry);
  // `_sort` orders by the canonical value, so that 1 g follows 500 mg; a unit without one (mm[Hg],
  // [IU], another system's) by its stated value (README "Search": sorting quantities)
  out.add(keys.o, canon ? canon.value : o.value);
}

export function uriValues(out: ValueSink, keys: Keys, v: unknown): void {
  if (typeof v === 'string') out.add(keys.k, v);
}

export { compositePart };

/**
 * Token$token composites are stored as joined strings (every form combination): compact and
 * indexable. The reference definition: the indexer builds the same strings through its caches
 * (coding-cache.ts joins, index-resource.ts joinTokens).
 */
export function joinForms(a: unknown[], b: unknown[]): string[] {
  const out: string[] = [];
  for (const x of a) {
    if (typeof x !== 'string') continue;
    const px = compositePart(x);
    for (const y of b) if (typeof y === 'string') out.push(`${px}$${compositePart(y)}`);
  }
  return out;
}

/** A builder: adds the index values of one extracted element (with its FHIR type when known). */
export type ValueBuilder = (out: ValueSink, keys: Keys, v: unknown, type: string | undefined) => void;

export const VALUE_BUILDERS: Partial<Record<ParamType, ValueBuilder>> = {
  token: tokenValues,
  reference: referenceValues,
  string: stringValues,
  date: dateValues,
  number: numberValues,
  quantity: quantityValues,
  uri: uriValues,
};

/** The same builders over a plain `{ field: values }` object, for callers holding Extracted elements. */
export const ENTRY_BUILDERS: Partial<Record<ParamType, (out: IndexEntries, key: string, e: Extracted, ownBase: string) => void>> = Object.fromEntries(
  Object.entries(VALUE_BUILDERS).map(([type, build]) => [type, (out: IndexEntries, key: string, e: Extracted, ownBase: string) => build(new ObjectSink(out, ownBase), keysOf(key), e.value, e.type)]),
);
