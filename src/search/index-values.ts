import type { Extracted } from './fhirpath-extract.js';
import { dateRange, fold, referenceKey, ucumCanonical, MAX_TIME, MIN_TIME, type Interval } from './normalize.js';
import type { ParamType } from './registry.js';

/**
 * Turns extracted FHIR elements into the normalized index entries stored in IndexedDoc.x
 * (DESIGN.md "Search"). Field layout, for parameter `p`:
 *   token      x.p: ['system|code', 'code', '|code' (no system)]; x['p__t'] folded display/text;
 *              x['p__ot'] 'typeSystem|typeCode|value' for identifiers (:of-type)
 *   reference  x.p: ['Type/id' | absolute URL | canonical]; x['p__i'] identifier tokens (:identifier)
 *   string     x.p: folded strings (prefix/contains); x['p__e'] exact strings
 *   uri        x.p: strings;   number x.p: numbers;   date x.p: [{s, e}] half-open epoch-ms ranges
 *   quantity   x.p: [{n, c, s, cn?, cc?}] value, unit code, system, UCUM-canonical value and unit
 *   composite  x.p: [{c0: […], c1: […]}] component index values per repeating element
 */
export type IndexEntries = Record<string, unknown[]>;

/**
 * Past this many values a key's duplicates are tracked in a Set: a GenomicReport from a VCF lists
 * every variant as a `result`, and a linear `includes` per value made indexing it quadratic.
 */
const LINEAR_DEDUPE = 16;
const seen = new WeakMap<unknown[], Set<unknown>>();

function push(out: IndexEntries, key: string, v: unknown): void {
  const arr = (out[key] ??= []);
  if (typeof v === 'object' && v !== null) {
    arr.push(v);
    return;
  }
  if (arr.length < LINEAR_DEDUPE) {
    if (arr.includes(v)) return;
  } else {
    let set = seen.get(arr);
    if (!set) seen.set(arr, (set = new Set(arr)));
    if (set.has(v)) return;
    set.add(v);
  }
  arr.push(v);
}

function tokenCoding(out: IndexEntries, key: string, system: unknown, code: unknown, text?: unknown): void {
  if (typeof code === 'string' || typeof code === 'number' || typeof code === 'boolean') {
    const c = String(code);
    push(out, key, typeof system === 'string' && system ? `${system}|${c}` : `|${c}`);
    push(out, key, c);
  }
  if (typeof text === 'string' && text) push(out, `${key}__t`, fold(text));
}

export function tokenEntries(out: IndexEntries, key: string, e: Extracted): void {
  const v = e.value;
  if (v === null || v === undefined) return;
  if (typeof v !== 'object') {
    push(out, key, String(v));
    return;
  }
  const o = v as Record<string, unknown>;
  if (Array.isArray(o.coding) || 'text' in o) {
    for (const c of (o.coding as Array<Record<string, unknown>>) ?? []) tokenCoding(out, key, c.system, c.code, c.display);
    if (typeof o.text === 'string') push(out, `${key}__t`, fold(o.text));
    return;
  }
  if ('value' in o && ('system' in o || 'type' in o || 'use' in o || 'assigner' in o || e.type === 'Identifier')) {
    // Identifier (or ContactPoint: its system is "phone"/"email", not a URI, so the value alone matters)
    const isContact = e.type === 'ContactPoint' || ['phone', 'fax', 'email', 'pager', 'url', 'sms', 'other'].includes(String(o.system));
    if (isContact) push(out, key, String(o.value));
    else tokenCoding(out, key, o.system, o.value);
    const type = o.type as { coding?: Array<Record<string, unknown>>; text?: string } | undefined;
    for (const c of type?.coding ?? []) push(out, `${key}__ot`, `${c.system ?? ''}|${c.code ?? ''}|${o.value}`);
    if (type?.text) push(out, `${key}__t`, fold(type.text));
    return;
  }
  if ('code' in o || 'system' in o) tokenCoding(out, key, o.system, o.code, o.display ?? o.unit);
  else if ('value' in o && typeof o.value !== 'object') push(out, key, String(o.value));
}

export function referenceEntries(out: IndexEntries, key: string, e: Extracted): void {
  const v = e.value;
  if (typeof v === 'string') {
    push(out, key, v);
    const bar = v.indexOf('|');
    if (bar > 0) push(out, key, v.slice(0, bar)); // canonical with |version
    return;
  }
  if (!v || typeof v !== 'object') return;
  const o = v as { reference?: string; identifier?: Record<string, unknown> };
  if (typeof o.reference === 'string' && !o.reference.startsWith('#')) {
    const k = referenceKey(o.reference);
    if (k) push(out, key, k);
    if (!k || /^[a-z]+:/.test(o.reference)) push(out, key, o.reference.replace(/\/_history\/[^/]+$/, ''));
  }
  if (o.identifier) tokenEntries(out, `${key}__i`, { value: o.identifier, type: 'Identifier' });
}

const NAME_PARTS = ['text', 'family', 'given', 'prefix', 'suffix', 'line', 'city', 'district', 'state', 'postalCode', 'country'];

export function stringEntries(out: IndexEntries, key: string, e: Extracted): void {
  const add = (s: unknown): void => {
    if (typeof s !== 'string' || !s) return;
    push(out, key, fold(s));
    push(out, `${key}__e`, s);
  };
  const v = e.value;
  if (typeof v === 'string') return add(v);
  if (!v || typeof v !== 'object') return;
  const o = v as Record<string, unknown>;
  for (const p of NAME_PARTS) {
    const pv = o[p];
    if (Array.isArray(pv)) pv.forEach(add);
    else add(pv);
  }
  if (typeof o.display === 'string') add(o.display);
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

export function dateEntries(out: IndexEntries, key: string, e: Extracted): void {
  const v = e.value as Record<string, unknown> | string;
  if (v && typeof v === 'object' && ('event' in v || 'repeat' in v)) {
    // Timing: every event, and the bounds of the repeat
    for (const ev of (v.event as string[]) ?? []) dateEntries(out, key, { value: ev });
    const bounds = (v.repeat as Record<string, unknown> | undefined)?.boundsPeriod;
    if (bounds) dateEntries(out, key, { value: bounds });
    return;
  }
  const i = intervalOf(v);
  if (i) push(out, key, i);
}

export function numberEntries(out: IndexEntries, key: string, e: Extracted): void {
  const v = e.value;
  if (typeof v === 'number') push(out, key, v);
  else if (v && typeof v === 'object' && typeof (v as { value?: unknown }).value === 'number') push(out, key, (v as { value: number }).value);
}

export function quantityEntries(out: IndexEntries, key: string, e: Extracted): void {
  const o = e.value as Record<string, unknown> | undefined;
  if (!o || typeof o !== 'object' || typeof o.value !== 'number') return;
  const code = typeof o.code === 'string' ? o.code : typeof o.unit === 'string' ? o.unit : typeof o.currency === 'string' ? o.currency : undefined;
  const entry: Record<string, unknown> = { n: o.value };
  if (code) entry.c = code;
  if (typeof o.unit === 'string' && o.unit !== code) entry.u = o.unit;
  if (typeof o.system === 'string') entry.s = o.system;
  const canon = code && (o.system === undefined || o.system === 'http://unitsofmeasure.org') ? ucumCanonical(code, o.value) : undefined;
  if (canon) {
    entry.cn = canon.value;
    entry.cc = canon.code;
  }
  push(out, key, entry);
}

export function uriEntries(out: IndexEntries, key: string, e: Extracted): void {
  if (typeof e.value === 'string') push(out, key, e.value);
}

/** Escapes a composite part so that `a$b` joins cannot collide (same escaping as search values). */
export function compositePart(s: string): string {
  return s.indexOf('$') < 0 && s.indexOf('\\') < 0 ? s : s.replace(/[\\$]/g, '\\$&');
}

/** Token$token composites are stored as joined strings (every form combination): compact and indexable. */
export function joinForms(a: unknown[], b: unknown[]): string[] {
  const out: string[] = [];
  for (const x of a) {
    if (typeof x !== 'string') continue;
    const px = compositePart(x);
    for (const y of b) if (typeof y === 'string') out.push(`${px}$${compositePart(y)}`);
  }
  return out;
}

export const ENTRY_BUILDERS: Partial<Record<ParamType, (out: IndexEntries, key: string, e: Extracted) => void>> = {
  token: tokenEntries,
  reference: referenceEntries,
  string: stringEntries,
  date: dateEntries,
  number: numberEntries,
  quantity: quantityEntries,
  uri: uriEntries,
};
