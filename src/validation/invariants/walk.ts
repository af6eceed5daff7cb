import type { Issue } from '../../fhir/outcome.js';
import { defInfo, type DefInfo } from '../element-model.js';
import { toExpression } from '../expression.js';
import { checkReference } from './references.js';
import { isCalendarDate } from './dates.js';

/**
 * Validation layer 4, the generic part: one walk over a resource, guided by the R4 element model,
 * checking the rules the JSON Schema cannot express:
 * - ele-1: no empty objects or arrays (https://hl7.org/fhir/R4/element.html#invs; empty strings
 *   are caught by the schema's patterns);
 * - choice types: at most one of value[x]'s forms (https://hl7.org/fhir/R4/formats.html#choice);
 * - primitive value / `_element` pairing in arrays: same length, `null` only where the other side
 *   has content (https://hl7.org/fhir/R4/json.html#primitive);
 * - required primitives and choices, which the HL7 schema leaves out of `required`;
 * - dates that exist on the calendar; references (./references.ts).
 * Nested resources are handed to `onResource`, which validates them with their own type.
 * Hot path (every write): the location is kept as a segment stack and only turned into an
 * expression string when there is something to report.
 */
export interface WalkContext {
  issues: Issue[];
  limit: number;
  /** ids of the resources contained in the container being walked (for ref-1). */
  containedIds: ReadonlySet<string>;
  onResource(resource: unknown, path: string, slot: string): void;
}

type Json = Record<string, unknown>;

interface Walk extends WalkContext {
  root: string;
  segs: (string | number)[];
}

const isObject = (v: unknown): v is Json => v !== null && typeof v === 'object' && !Array.isArray(v);
const hasOwn = Object.prototype.hasOwnProperty;

const here = (w: Walk, ...more: (string | number)[]): string => toExpression(w.root, more.length ? [...w.segs, ...more] : w.segs);

function add(w: Walk, code: Issue['code'], diagnostics: (at: string) => string, at: string): void {
  if (w.issues.length < w.limit) w.issues.push({ severity: 'error', code, diagnostics: diagnostics(at), expression: [at] });
}

function isEmptyObject(o: Json): boolean {
  for (const k in o) if (hasOwn.call(o, k)) return false;
  return true;
}

export function walkResource(resource: Json, resourceType: string, path: string, ctx: WalkContext): void {
  const def = defInfo(resourceType);
  if (def) walkObject(resource, def, { ...ctx, root: path, segs: [] });
}

function walkObject(node: Json, def: DefInfo, w: Walk): void {
  if (def.required.length) checkRequired(node, def, w);
  let seenChoice: Map<string, string> | undefined;
  for (const key in node) {
    if (!hasOwn.call(node, key) || key === 'resourceType') continue;
    if (w.issues.length >= w.limit) return;
    const isExtPart = key.charCodeAt(0) === 95; // '_'
    const name = isExtPart ? key.slice(1) : key;
    const info = def.props.get(name);
    if (!info) continue; // unknown element: reported by the schema layer
    const prefix = def.choiceOf.get(name);
    if (prefix !== undefined) {
      seenChoice ??= new Map();
      const other = seenChoice.get(prefix);
      if (other === undefined) seenChoice.set(prefix, name);
      else if (other !== name) add(w, 'structure', (at) => `Only one form of ${prefix}[x] is allowed in ${here(w)}, found ${other} and ${name}`, here(w, name));
    }
    const value = node[key];
    const type = isExtPart ? 'Element' : info.type;
    w.segs.push(key);
    if (Array.isArray(value)) {
      if (value.length === 0) {
        add(w, 'invariant', (at) => `${at} must not be an empty array (ele-1)`, here(w));
      } else {
        if (!isExtPart ? info.primitive : true) {
          const partner = node[isExtPart ? name : `_${name}`];
          // The length is compared once, from the value side when there is one.
          checkPairing(value, Array.isArray(partner) ? partner : undefined, !(isExtPart && Array.isArray(partner)), w);
        }
        for (let i = 0; i < value.length; i++) {
          w.segs.push(i);
          walkValue(value[i], type, !isExtPart && info.date, w);
          w.segs.pop();
        }
      }
    } else {
      walkValue(value, type, !isExtPart && info.date, w);
    }
    w.segs.pop();
  }
}

function walkValue(value: unknown, type: string, isDate: boolean, w: Walk): void {
  if (value === null || typeof value !== 'object') {
    if (isDate && typeof value === 'string' && !isCalendarDate(value)) {
      add(w, 'value', () => `'${value}' is not a valid ${type}: no such day in the calendar`, here(w));
    }
    return; // nulls: pairing decides; wrong JSON types: the schema layer
  }
  if (Array.isArray(value)) return;
  const def = defInfo(type);
  if (!def) {
    if (type === 'Resource') w.onResource(value, here(w), type);
    return;
  }
  if (isEmptyObject(value as Json)) {
    add(w, 'invariant', (at) => `${at} must not be an empty object (ele-1)`, here(w));
    return;
  }
  if (type === 'Reference') {
    checkReference(value as Json, here(w), w.containedIds, (d, at) => add(w, 'invariant', () => d, at));
  }
  walkObject(value as Json, def, w);
}

/**
 * `"given": ["Joe", null], "_given": [null, {"extension": […]}]`: both arrays equally long, and a
 * null on one side only where the other side has something.
 */
function checkPairing(values: unknown[], partner: unknown[] | undefined, compareLength: boolean, w: Walk): void {
  if (partner && partner.length !== values.length) {
    if (compareLength) {
      add(w, 'structure', (at) => `${at} and its primitive/extension counterpart must have the same length (${values.length} vs ${partner.length})`, here(w));
    }
    return;
  }
  for (let i = 0; i < values.length; i++) {
    if (values[i] === null && (partner?.[i] === null || partner?.[i] === undefined)) {
      add(w, 'structure', (at) => `${at} is null without a counterpart value or extension`, here(w, i));
    }
  }
}

/** A required primitive may be given as `status`, or as `_status` alone (extension, no value). */
function checkRequired(node: Json, def: DefInfo, w: Walk): void {
  for (const name of def.required) {
    let present: boolean;
    let element = name;
    if (name.endsWith('[x]')) {
      element = name.slice(0, -3);
      const members = def.choices.find(([prefix]) => prefix === element)?.[1] ?? [];
      present = !members.length || members.some((m) => m in node || `_${m}` in node);
    } else {
      present = name in node || `_${name}` in node;
    }
    if (!present) add(w, 'required', () => `Missing required element '${name}' in ${here(w)}`, here(w, element));
  }
}
