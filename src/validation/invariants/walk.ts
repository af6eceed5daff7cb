import type { Issue } from '../../fhir/outcome.js';
import { defInfo, type DefInfo } from '../element-model.js';
import { toExpression } from '../expression.js';
import { checkReference, referenceNeedsReport, wrongTarget, type ContainedIds } from './references.js';
import { isCalendarDate } from './dates.js';
import { narrativeProblem } from './narrative.js';
import { datatypeProblem, hasDatatypeRules } from './datatypes.js';
import { extensionProblem } from './extensions.js';
import { emptyArray, emptyObject } from './empty-element.js';
import { contextProblem, elementSite, rootSite, type Site } from './extension-context.js';

/**
 * Validation layer 4, the generic part: one walk over a resource, guided by the R4 element model,
 * checking the rules the JSON Schema cannot express:
 * - ele-1: no empty objects or arrays (https://hl7.org/fhir/R4/element.html#invs; empty strings
 *   are caught by the schema's patterns), malformed content like an empty string (./empty-element.ts);
 * - choice types: at most one of value[x]'s forms (https://hl7.org/fhir/R4/formats.html#choice);
 * - primitive value / `_element` pairing in arrays: same length, `null` only where the other side
 *   has content (https://hl7.org/fhir/R4/json.html#primitive);
 * - required primitives and choices, which the HL7 schema leaves out of `required`;
 * - dates that exist on the calendar; references (./references.ts); narratives (./narrative.ts);
 *   the general datatypes' invariants, rng-2, per-1, qty-3 … (./datatypes.ts); extension value
 *   types (./extensions.ts) and where extensions are used (./extension-context.ts).
 * Nested resources are handed to `onResource`, which validates them with their own type.
 * Hot path (every write): the location is kept as a segment stack and only turned into an
 * expression string when there is something to report.
 */
export interface WalkContext {
  issues: Issue[];
  limit: number;
  /** the resources contained in the container being walked (for ref-1 and local references' types). */
  containedIds: ContainedIds;
  onResource(resource: unknown, path: string, slot: string): void;
}

type Json = Record<string, unknown>;

interface Walk extends WalkContext {
  root: string;
  /** The resource's type: the root of extension contexts. */
  type: string;
  segs: (string | number)[];
}

const hasOwn = Object.prototype.hasOwnProperty;

const here = (w: Walk, ...more: (string | number)[]): string => toExpression(w.root, more.length ? [...w.segs, ...more] : w.segs);

function add(w: Walk, code: Issue['code'], diagnostics: (at: string) => string, at: string): void {
  if (w.issues.length < w.limit) w.issues.push({ severity: 'error', code, diagnostics: diagnostics(at), expression: [at] });
}

function addIssue(w: Walk, issue: Issue): void {
  if (w.issues.length < w.limit) w.issues.push(issue);
}

function isEmptyObject(o: Json): boolean {
  for (const k in o) if (hasOwn.call(o, k)) return false;
  return true;
}

/**
 * What the walk needs to know about one JSON property of a definition (`status`, `_status`,
 * `valueQuantity`), derived once per definition and property instead of per value.
 */
interface KeyPlan {
  /** The element name (`status` for `_status`). */
  name: string;
  /** The definition the element belongs to. */
  owner: string;
  /** Where extensions of the values sit (./extension-context.ts), on first use. */
  site: Site | undefined;
  isExtPart: boolean;
  /** Choice prefix (`value` for `valueQuantity`), undefined for other elements. */
  prefix: string | undefined;
  /** FHIR type of the values (`Element` for `_status`). */
  type: string;
  isDate: boolean;
  isXhtml: boolean;
  /** Reference elements: the types they may point at (undefined: any). */
  targets: ReadonlySet<string> | undefined;
  /** Arrays are checked for value/extension pairing (primitives and their `_` side). */
  paired: boolean;
  /** The other half of the pair: `_given` for `given` and back. */
  partnerKey: string;
  /** Definition of the values' type, when they are objects of a modelled type (null: none). */
  def: DefInfo | null | undefined;
}

interface DefPlan {
  keys: Map<string, KeyPlan>;
  /** Required elements: the name reported, the element located, the keys any of which satisfies it (null: always satisfied). */
  required: Array<{ name: string; element: string; keys: string[] | null }>;
}

function planOf(def: DefInfo): DefPlan {
  let plan = def.walkPlan as DefPlan | undefined;
  if (plan) return plan;
  const required = def.required.map((name) => {
    if (!name.endsWith('[x]')) return { name, element: name, keys: [name, `_${name}`] };
    const element = name.slice(0, -3);
    const members = def.choices.find(([prefix]) => prefix === element)?.[1] ?? [];
    return { name, element, keys: members.length ? members.flatMap((m) => [m, `_${m}`]) : null };
  });
  plan = { keys: new Map(), required };
  def.walkPlan = plan;
  return plan;
}

/** The plan of a property, or undefined for a property the model does not know (not cached: input-controlled). */
function keyPlan(def: DefInfo, plan: DefPlan, key: string): KeyPlan | undefined {
  const hit = plan.keys.get(key);
  if (hit) return hit;
  const isExtPart = key.charCodeAt(0) === 95; // '_'
  const name = isExtPart ? key.slice(1) : key;
  const info = def.props.get(name);
  if (!info) return undefined;
  const kp: KeyPlan = {
    name,
    owner: def.name,
    site: undefined,
    isExtPart,
    prefix: def.choiceOf.get(name),
    type: isExtPart ? 'Element' : info.type,
    isDate: !isExtPart && info.date,
    isXhtml: !isExtPart && info.type === 'xhtml',
    targets: isExtPart ? undefined : info.targets,
    paired: isExtPart || info.primitive,
    partnerKey: isExtPart ? name : `_${name}`,
    def: undefined,
  };
  plan.keys.set(key, kp);
  return kp;
}

export function walkResource(resource: Json, resourceType: string, path: string, ctx: WalkContext): void {
  const def = defInfo(resourceType);
  if (def) walkObject(resource, def, { issues: ctx.issues, limit: ctx.limit, containedIds: ctx.containedIds, onResource: ctx.onResource, root: path, type: resourceType, segs: [] }, undefined);
}

/** `via`: the element that holds `node` (undefined: the resource's root). */
function walkObject(node: Json, def: DefInfo, w: Walk, via: KeyPlan | undefined): void {
  const plan = planOf(def);
  if (plan.required.length) checkRequired(node, plan, w);
  // Choice forms met so far: prefix, member, prefix, member … (rarely more than two pairs).
  let seenChoice: string[] | undefined;
  for (const key in node) {
    if (!hasOwn.call(node, key) || key === 'resourceType') continue;
    if (w.issues.length >= w.limit) return;
    const kp = keyPlan(def, plan, key);
    if (!kp) continue; // unknown element: reported by the schema layer
    const name = kp.name;
    const prefix = kp.prefix;
    if (prefix !== undefined) {
      seenChoice ??= [];
      let other: string | undefined;
      for (let i = 0; i < seenChoice.length; i += 2) if (seenChoice[i] === prefix) other = seenChoice[i + 1];
      if (other === undefined) seenChoice.push(prefix, name);
      else if (other !== name) add(w, 'structure', () => `Only one form of ${prefix}[x] is allowed in ${here(w)}, found ${other} and ${name}`, here(w, name));
    }
    const value = node[key];
    w.segs.push(key);
    if (Array.isArray(value)) {
      if (value.length === 0) {
        addIssue(w, emptyArray(here(w)));
      } else {
        if (kp.paired) {
          const partner = node[kp.partnerKey];
          // The length is compared once, from the value side when there is one.
          checkPairing(value, Array.isArray(partner) ? partner : undefined, !(kp.isExtPart && Array.isArray(partner)), w);
        }
        for (let i = 0; i < value.length; i++) {
          w.segs.push(i);
          walkValue(value[i], kp, w);
          w.segs.pop();
        }
        if (kp.type === 'Extension') checkContexts(node, value, via, w);
      }
    } else {
      walkValue(value, kp, w);
    }
    w.segs.pop();
  }
}

function walkValue(value: unknown, kp: KeyPlan, w: Walk): void {
  if (value === null || typeof value !== 'object') {
    if (kp.isDate && typeof value === 'string' && !isCalendarDate(value)) {
      add(w, 'value', () => `'${value}' is not a valid ${kp.type}: no such day in the calendar`, here(w));
    }
    if (kp.isXhtml && typeof value === 'string' && value !== '') { // (empty: ele-1, from the schema)
      const problem = narrativeProblem(value);
      if (problem) add(w, problem.rule === 'xml' ? 'structure' : 'invariant', (at) => `The narrative ${at} ${problem.message}`, here(w));
    }
    return; // nulls: pairing decides; wrong JSON types: the schema layer
  }
  if (Array.isArray(value)) return;
  if (kp.def === undefined) kp.def = defInfo(kp.type) ?? null;
  const def = kp.def;
  if (!def) {
    if (kp.type === 'Resource') w.onResource(value, here(w), kp.type);
    return;
  }
  if (isEmptyObject(value as Json)) {
    addIssue(w, emptyObject(here(w)));
    return;
  }
  if (kp.type === 'Reference' && referenceNeedsReport(value as Json, w.containedIds)) {
    checkReference(value as Json, here(w), w.containedIds, (d, at) => add(w, 'invariant', () => d, at));
  }
  if (kp.targets) {
    const wrong = wrongTarget(value as Json, kp.targets, w.containedIds);
    if (wrong) add(w, 'structure', (at) => `${at} refers to a ${wrong}, which this element does not allow (Reference(${[...kp.targets!].join(' | ')}))`, here(w));
  }
  walkObject(value as Json, def, w, kp);
  if (kp.type === 'Extension') {
    const problem = extensionProblem(value as Json);
    if (problem) add(w, 'structure', (at) => `${at}: ${problem.message}`, here(w, problem.key));
  }
  if (hasDatatypeRules(kp.type)) {
    const problem = datatypeProblem(kp.type, value as Json);
    if (problem) add(w, 'invariant', (at) => `${here(w)}: ${problem.message}`, problem.at ? here(w, problem.at) : here(w));
  }
}

/** Each known extension of `holder` (at `via`) where its definition allows it (./extension-context.ts). */
function checkContexts(holder: Json, exts: unknown[], via: KeyPlan | undefined, w: Walk): void {
  let site: Site | undefined;
  for (let i = 0; i < exts.length; i++) {
    const ext = exts[i];
    if (ext === null || typeof ext !== 'object' || typeof (ext as Json).url !== 'string') continue;
    site ??= via ? (via.site ??= elementSite(via.owner, via.name)) : rootSite(w.type);
    const problem = contextProblem(ext, holder, site, () => route(w));
    if (problem) add(w, 'structure', (at) => `${at}: ${problem}`, here(w, i));
  }
}

/** The holder's path from the resource, without indexes, `_status` read as `status` (the segments end with `extension`). */
function route(w: Walk): string {
  let out = w.type;
  for (let i = 0; i < w.segs.length - 1; i++) {
    const s = w.segs[i];
    if (typeof s === 'string') out += '.' + (s.charCodeAt(0) === 95 ? s.slice(1) : s);
  }
  return out;
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
function checkRequired(node: Json, plan: DefPlan, w: Walk): void {
  for (const req of plan.required) {
    const keys = req.keys;
    let present = keys === null;
    if (keys) for (let i = 0; i < keys.length && !present; i++) present = keys[i] in node;
    if (!present) add(w, 'required', () => `Missing required element '${req.name}' in ${here(w)}`, here(w, req.element));
  }
}
