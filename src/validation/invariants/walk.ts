import type { Issue } from '../../fhir/outcome.js';
import { defInfo, isPrimitive, type DefInfo } from '../element-model.js';
import { checkReference } from './references.js';
import { DATE_TYPES, isCalendarDate } from './dates.js';

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
 */
export interface WalkContext {
  issues: Issue[];
  limit: number;
  /** ids of the resources contained in the container being walked (for ref-1). */
  containedIds: ReadonlySet<string>;
  onResource(resource: unknown, path: string, slot: string): void;
}

type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json => v !== null && typeof v === 'object' && !Array.isArray(v);

function add(ctx: WalkContext, code: Issue['code'], diagnostics: string, path: string): void {
  if (ctx.issues.length < ctx.limit) ctx.issues.push({ severity: 'error', code, diagnostics, expression: [path] });
}

export function walkResource(resource: Json, resourceType: string, path: string, ctx: WalkContext): void {
  const def = defInfo(resourceType);
  if (def) walkObject(resource, def, path, ctx);
}

function walkObject(node: Json, def: DefInfo, path: string, ctx: WalkContext): void {
  checkChoices(node, def, path, ctx);
  checkRequired(node, def, path, ctx);
  for (const [key, value] of Object.entries(node)) {
    if (ctx.issues.length >= ctx.limit) return;
    if (key === 'resourceType') continue;
    const isExtPart = key.startsWith('_');
    const name = isExtPart ? key.slice(1) : key;
    const info = def.props.get(name);
    if (!info) continue; // unknown element: reported by the schema layer
    const here = `${path}.${key}`;
    if (Array.isArray(value)) {
      if (value.length === 0) {
        add(ctx, 'invariant', `${here} must not be an empty array (ele-1)`, here);
        continue;
      }
      const partner = node[isExtPart ? name : `_${name}`];
      // The length is compared once, from the value side when there is one.
      checkPairing(value, Array.isArray(partner) ? partner : undefined, here, !(isExtPart && Array.isArray(partner)), ctx);
      value.forEach((item, i) => walkValue(item, isExtPart ? 'Element' : info.type, `${here}[${i}]`, ctx));
    } else {
      walkValue(value, isExtPart ? 'Element' : info.type, here, ctx);
    }
  }
}

function walkValue(value: unknown, type: string, path: string, ctx: WalkContext): void {
  if (value === null) return; // pairing decides whether a null is allowed
  if (isPrimitive(type)) {
    if (DATE_TYPES.has(type) && typeof value === 'string' && !isCalendarDate(value)) {
      add(ctx, 'value', `'${value}' is not a valid ${type}: no such day in the calendar`, path);
    }
    return;
  }
  if (!isObject(value)) return; // wrong JSON type: reported by the schema layer
  if (type === 'Resource') {
    ctx.onResource(value, path, type);
    return;
  }
  if (Object.keys(value).length === 0) {
    add(ctx, 'invariant', `${path} must not be an empty object (ele-1)`, path);
    return;
  }
  if (type === 'Reference') checkReference(value, path, ctx.containedIds, (d, at) => add(ctx, 'invariant', d, at));
  const def = defInfo(type);
  if (def) walkObject(value, def, path, ctx);
}

/**
 * `"given": ["Joe", null], "_given": [null, {"extension": […]}]`: both arrays equally long, and a
 * null on one side only where the other side has something.
 */
function checkPairing(values: unknown[], partner: unknown[] | undefined, path: string, compareLength: boolean, ctx: WalkContext): void {
  if (partner && partner.length !== values.length) {
    if (!compareLength) return;
    add(ctx, 'structure', `${path} and its primitive/extension counterpart must have the same length (${values.length} vs ${partner.length})`, path);
    return;
  }
  values.forEach((v, i) => {
    if (v === null && (partner?.[i] === null || partner?.[i] === undefined)) {
      add(ctx, 'structure', `${path}[${i}] is null without a counterpart value or extension`, `${path}[${i}]`);
    }
  });
}

/** A required primitive may be given as `status`, or as `_status` alone (extension, no value). */
function checkRequired(node: Json, def: DefInfo, path: string, ctx: WalkContext): void {
  for (const name of def.required) {
    if (name.endsWith('[x]')) {
      const members = def.choices.find(([prefix]) => prefix === name.slice(0, -3))?.[1] ?? [];
      if (members.length && !members.some((m) => m in node || `_${m}` in node)) {
        add(ctx, 'required', `Missing required element '${name}' in ${path}`, `${path}.${name.slice(0, -3)}`);
      }
    } else if (!(name in node) && !(`_${name}` in node)) {
      add(ctx, 'required', `Missing required element '${name}' in ${path}`, `${path}.${name}`);
    }
  }
}

function checkChoices(node: Json, def: DefInfo, path: string, ctx: WalkContext): void {
  for (const [prefix, members] of def.choices) {
    const present = members.filter((m) => m in node || `_${m}` in node);
    if (present.length > 1) {
      add(ctx, 'structure', `Only one form of ${prefix}[x] is allowed in ${path}, found ${present.join(' and ')}`, `${path}.${present[1]}`);
    }
  }
}
