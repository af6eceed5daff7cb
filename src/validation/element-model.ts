import { readFileSync } from 'node:fs';

/**
 * The R4 element model generated into schemas/r4/element-model.json (scripts/generate-r4-schemas.ts):
 * for each JSON Schema definition (resource, data type, backbone element) the FHIR type of each
 * element, whether it repeats, and the choice groups. The invariant walker and the error messages
 * use it to know what an element is (a Reference, a date, a nested resource …).
 */
export interface ElementInfo {
  /** FHIR type (`Reference`, `dateTime`, `Resource`) or backbone definition (`Observation_Component`). */
  type: string;
  array: boolean;
  /** Precomputed for the invariant walker's hot loop. */
  primitive: boolean;
  date: boolean;
  /** The resource types a Reference element may point at; undefined: any. */
  targets?: ReadonlySet<string>;
}

export interface DefInfo {
  /** The definition's name (`Observation`, `Observation_Component`). */
  name: string;
  props: Map<string, ElementInfo>;
  /** choice prefix → member JSON property names */
  choices: [string, string[]][];
  /** Required primitives and choices (`value[x]`), which the JSON Schema cannot require. */
  required: string[];
  /** choice member (valueString) → its prefix (value) */
  choiceOf: Map<string, string>;
  /** What the invariant walk derives from this definition, on first use (invariants/walk.ts). */
  walkPlan: unknown;
}

const DATE_TYPES = new Set(['date', 'dateTime', 'instant']);

interface RawDef { props: Record<string, string>; choices?: Record<string, string[]>; required?: string[]; targets?: Record<string, string[]> }

let defs: Map<string, DefInfo> | undefined;

function load(): Map<string, DefInfo> {
  if (defs) return defs;
  const file = new URL('../../schemas/r4/element-model.json', import.meta.url);
  const raw = (JSON.parse(readFileSync(file, 'utf8')) as { definitions: Record<string, RawDef> }).definitions;
  defs = new Map();
  for (const [name, def] of Object.entries(raw)) {
    const props = new Map<string, ElementInfo>();
    for (const [prop, t] of Object.entries(def.props)) {
      const array = t.endsWith('[]');
      const type = array ? t.slice(0, -2) : t;
      const targets = def.targets?.[prop];
      props.set(prop, { type, array, primitive: isPrimitive(type), date: DATE_TYPES.has(type), ...(targets ? { targets: new Set(targets) } : {}) });
    }
    const choices = Object.entries(def.choices ?? {});
    const choiceOf = new Map(choices.flatMap(([prefix, members]) => members.map((m): [string, string] => [m, prefix])));
    defs.set(name, { name, props, choices, required: def.required ?? [], choiceOf, walkPlan: undefined });
  }
  return defs;
}

export function defInfo(name: string): DefInfo | undefined {
  return load().get(name);
}

/** Every definition of the model, in the generated file's order. */
export function definitionNames(): IterableIterator<string> {
  return load().keys();
}

/** Primitive types start lower-case in FHIR (https://hl7.org/fhir/R4/datatypes.html#primitive). */
export function isPrimitive(type: string): boolean {
  return /^[a-z]/.test(type);
}

/**
 * The element reached by following JSON pointer segments from a resource type, or undefined when
 * the path leaves the model (unknown element, nested resource). Array indexes are skipped;
 * `_name` resolves to the primitive's Element part.
 */
export function elementAt(resourceType: string, segments: readonly string[]): ElementInfo | undefined {
  let def = resourceType;
  let info: ElementInfo | undefined;
  for (const seg of segments) {
    if (/^\d+$/.test(seg)) continue;
    if (info) def = info.type;
    const prop = seg.startsWith('_') ? seg.slice(1) : seg;
    const found = defInfo(def)?.props.get(prop);
    if (!found) return undefined;
    info = seg.startsWith('_') ? { type: 'Element', array: found.array, primitive: false, date: false } : found;
  }
  return info;
}
