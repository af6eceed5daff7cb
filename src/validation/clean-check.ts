import { defInfo } from './element-model.js';
import { MAX_JSON_DEPTH } from './json-shape.js';
import { isCalendarDate } from './invariants/dates.js';
import { targetsOk, type ContainedIds } from './invariants/references.js';
import { extensionProblem } from './invariants/extensions.js';
import { elementSite, extensionsPlacedAt, extensionsPlacedInDef, sharedBackbone, type Site } from './invariants/extension-context.js';
import { narrativeProblem } from './invariants/narrative.js';
import { datatypeProblem, hasDatatypeRules } from './invariants/datatypes.js';
import { referenceNeedsReport } from './invariants/references.js';
import { compileUnit, newUnit, refOf, Unsupported, type ObjectHooks, type Schema } from './schema-compiler.js';

/**
 * One compiled pass that says whether validation layers 1, 2 and the generic part of 4 have
 * nothing at all to say about a resource: JSON shape (json-shape.ts: no forbidden key, not too
 * deep), structure (the R4 JSON Schema, as ajv) and the invariant walk (invariants/walk.ts:
 * ele-1, one form per choice, primitive/extension pairing, required primitives, calendar dates, narratives,
 * datatype invariants,
 * references, extension values and contexts). Nearly every resource written is such a resource; validate.ts then skips those
 * layers and goes straight to the type-specific rules (Observation, MolecularSequence, Parameters) and the profiles. When it
 * says no, the layers run as before and say what is wrong, so the issues are theirs in every case.
 *
 * It answers no for any resource holding another one (contained, Bundle entries, Parameters):
 * those go the layered way, which validates each nested resource on its own.
 *
 * Soundness (test/validation/clean-check.test.ts): yes only when checkJsonShape, ajv and the walk
 * would report nothing. Depth is checked with a margin (MAX_CLEAN_DEPTH): a resource nested
 * nearly as deep as json-shape.ts allows is left to the layers.
 */
export type CleanCheck = (resource: unknown, containedIds: ContainedIds) => boolean;

/**
 * The deepest object a clean answer allows: its arrays are one deeper, still short of
 * MAX_JSON_DEPTH, where json-shape.ts refuses objects and arrays; deeper objects are refused here.
 */
const MAX_CLEAN_DEPTH = MAX_JSON_DEPTH - 2;

/** checkPairing (walk.ts) finds nothing: equal lengths when both sides are arrays, no null without a counterpart. */
function pairingOk(values: unknown[], partner: unknown): boolean {
  const p = Array.isArray(partner) ? partner : undefined;
  if (p !== undefined && p.length !== values.length) return false;
  for (let i = 0; i < values.length; i++) {
    if (values[i] === null && (p === undefined || p[i] === null || p[i] === undefined)) return false;
  }
  return true;
}

/** Target types of Reference elements, by `Definition.element`, for the generated code (rt). */
const TARGETS = new Map<string, ReadonlySet<string>>();
/**
 * Where extensions sit, by index, for the generated code (xp): a primitive's (`_status` of
 * Observation: Observation.status, a code) and those of a backbone element several elements share
 * (Questionnaire.item, Questionnaire.item.item), checked where the element is known. Any other
 * object's own extensions (xc) are checked against every site its definition can hold, as its
 * function is shared by all of them (extension-context.ts): the one site of a resource root or of
 * most backbone elements, every place of a data type.
 */
const SITES: Site[] = [];
const HELPERS = { ex: (x: Record<string, unknown>) => extensionProblem(x) !== undefined, xc: extensionsPlacedInDef, xp: (v: unknown, i: number) => extensionsPlacedAt(v, SITES[i]), rt: (v: unknown, key: string, c: ContainedIds) => targetsOk(v, TARGETS.get(key)!, c), pr: pairingOk, cal: isCalendarDate, r: referenceNeedsReport, xh: (v: string) => narrativeProblem(v) === undefined, dt: (type: string, x: Record<string, unknown>) => datatypeProblem(type, x) !== undefined };

/** The walk's rules for the objects of one definition, as code around the schema checks. */
function walkHooks(owner: string | undefined, schema: Schema): ObjectHooks {
  const def = owner === undefined ? undefined : defInfo(owner);
  if (!def || owner === undefined) throw new Unsupported(`no element model for ${owner ?? 'an inline object'}`);
  const props = (schema.properties ?? {}) as Record<string, Schema>;
  const prefixes = def.choices.map(([prefix]) => prefix);
  const q = (prefix: string) => `q${prefixes.indexOf(prefix)}`;
  const prelude = [`  if (d > ${MAX_CLEAN_DEPTH}) return false;`];
  for (const name of def.required) {
    let keys: string[];
    if (!name.endsWith('[x]')) keys = [name, `_${name}`];
    else {
      const members = def.choices.find(([prefix]) => prefix === name.slice(0, -3))?.[1] ?? [];
      if (!members.length) continue; // the walk treats a choice it cannot list as present
      keys = members.flatMap((m) => [m, `_${m}`]);
    }
    prelude.push(`  if (!(${keys.map((k) => `${JSON.stringify(k)} in x`).join(' || ')})) return false;`);
  }
  if (prefixes.length) prelude.push(`  let ${prefixes.map((_, i) => `q${i}`).join(', ')};`);

  const element = (key: string) => {
    if (key === 'resourceType') return undefined; // the walk skips it
    const isExtPart = key.charCodeAt(0) === 95;
    const name = isExtPart ? key.slice(1) : key;
    const info = def.props.get(name);
    if (!info) return undefined; // unknown to the model: the walk skips it (the schema decides)
    const type = isExtPart ? 'Element' : info.type;
    // The walk descends by the model's type, the schema by its $ref: they must be the same definition.
    if (defInfo(type) && refOf(props[key]) !== type) throw new Unsupported(`${owner}.${key}: model ${type}, schema ${refOf(props[key])}`);
    return { name, isExtPart, type, isDate: !isExtPart && info.date, paired: isExtPart || info.primitive, partnerKey: isExtPart ? name : `_${name}`, prefix: def.choiceOf.get(name) };
  };

  return {
    prelude,
    replace(key) {
      const el = element(key);
      // A nested resource: validated on its own by the layered path.
      return el && !el.isExtPart && el.type === 'Resource' ? 'if (v !== undefined) return false;' : undefined;
    },
    before(key) {
      const el = element(key);
      if (!el?.prefix) return '';
      const v = q(el.prefix);
      return `if (${v} === undefined) ${v} = ${JSON.stringify(el.name)}; else if (${v} !== ${JSON.stringify(el.name)}) return false; `;
    },
    after(key) {
      const el = element(key);
      if (!el) return '';
      const inArray = [
        'if (v.length === 0) return false;',
        el.paired ? `if (!pr(v, x[${JSON.stringify(el.partnerKey)}])) return false;` : '',
        el.isDate ? 'for (let i = 0; i < v.length; i++) { const y = v[i]; if (typeof y === "string" && !cal(y)) return false; }' : '',
      ];
      const info = el.isExtPart ? undefined : def.props.get(el.name);
      let targets = '';
      if (info?.targets) {
        const k = `${owner}.${el.name}`;
        TARGETS.set(k, info.targets);
        targets = ` if (!rt(v, ${JSON.stringify(k)}, c)) return false;`;
      }
      const xhtml = !el.isExtPart && el.type === 'xhtml' ? ' if (typeof v === "string" && v !== "" && !xh(v)) return false;' : '';
      let placed = '';
      if (el.isExtPart || sharedBackbone(el.type)) {
        SITES.push(elementSite(owner, el.name));
        placed = ` if (!xp(v, ${SITES.length - 1})) return false;`;
      } else if (el.type === 'Extension' && owner !== 'Element' && !sharedBackbone(owner)) { // (those: xp, where they are held)
        placed = ` if (!xc(v, x, ${JSON.stringify(owner)})) return false;`;
      }
      return `if (Array.isArray(v)) { ${inArray.join(' ')} }${el.isDate ? ' else if (typeof v === "string" && !cal(v)) return false;' : ''}${xhtml}${targets}${placed}`;
    },
    epilogue: [
      '  if (none) return false;',
      ...(owner === 'Reference' ? ['  if (r(x, c)) return false;'] : []),
      ...(owner === 'Extension' ? ['  if (ex(x)) return false;'] : []),
      ...(hasDatatypeRules(owner) ? [`  if (dt(${JSON.stringify(owner)}, x)) return false;`] : []),
    ],
  };
}

/** The clean check of one resource type, or undefined when it cannot be compiled (validate.ts then always takes the layered way). */
export function compileCleanCheck(definitions: Record<string, Schema>, resourceType: string): CleanCheck | undefined {
  const unit = newUnit(definitions);
  unit.hooksFor = walkHooks;
  return compileUnit<ContainedIds>(unit, resourceType, HELPERS);
}
