import { readDefinitions } from './official-types.js';

/**
 * The element model of R4, read from the StructureDefinition snapshots: for every JSON Schema
 * definition (resource, data type, backbone element) the JSON property names it may carry, the
 * FHIR type behind each, whether it repeats, and its choice groups (value[x] → valueQuantity …).
 * The run-time invariant walker needs this (types of elements, choice groups), and the schema
 * reduction uses it to drop properties Medplum added to core types (Meta.project, Meta.author …).
 */
interface ElementDefinition {
  path: string;
  min?: number;
  max?: string;
  type?: { code: string; targetProfile?: string[] }[];
  contentReference?: string;
  constraint?: unknown[];
  mapping?: unknown[];
  binding?: { strength?: string; valueSet?: string };
}
interface StructureDefinition {
  resourceType: string;
  name: string;
  kind: string;
  fhirVersion?: string;
  derivation?: string;
  snapshot?: { element: ElementDefinition[] };
}

/** prop → FHIR type name (`[]` suffix when it repeats); backbones carry their schema def name. */
export interface DefModel {
  props: Record<string, string>;
  /** choice prefix → its JSON property names (https://hl7.org/fhir/R4/formats.html#choice) */
  choices?: Record<string, string[]>;
  /**
   * Required (min ≥ 1) primitive elements and choices (`value[x]`). The HL7 JSON Schema leaves them
   * out of `required`, since `_status` alone (with an extension) may stand for `status`.
   */
  required?: string[];
  /**
   * Reference elements that may point at some resource types only (`Reference(Patient | Group)`):
   * prop → those types. Absent: any (`Reference(Any)`, `Reference(Resource)`).
   */
  targets?: Record<string, string[]>;
}
export type ElementModel = Record<string, DefModel>;

type Schema = Record<string, unknown>;
const REF_PREFIX = '#/definitions/';
const upperFirst = (s: string): string => s.charAt(0).toUpperCase() + s.slice(1);

export function officialStructures(): StructureDefinition[] {
  return ['profiles-types.json', 'profiles-resources.json']
    .flatMap((f) => readDefinitions<{ entry: { resource: StructureDefinition }[] }>(f).entry.map((e) => e.resource))
    .filter((s) => s.resourceType === 'StructureDefinition' && s.fhirVersion === '4.0.1' && s.derivation !== 'constraint')
    .filter((s) => s.kind === 'resource' || s.kind === 'complex-type');
}

/**
 * Medplum adds elements to core types in its copies of the R4 snapshots and schema (Meta.project,
 * Meta.author …). They are the only non-root elements without both the ele-1 constraint and any
 * mapping, apart from the `id` of resources and the inline-resource slots (Bundle.entry.resource).
 */
export function medplumAdditions(): string[] {
  return officialStructures().flatMap((sd) =>
    (sd.snapshot?.element ?? []).slice(1).filter((e) => {
      if (e.constraint?.length || e.mapping?.length || e.path.endsWith('.id')) return false;
      return !(e.type ?? []).some((t) => t.code === 'Resource');
    }).map((e) => e.path));
}

export function refName(prop: Schema): string | undefined {
  const ref = (prop.$ref ?? (prop.items as Schema | undefined)?.$ref ?? ((prop.items as Schema | undefined)?.anyOf as Schema[] | undefined)?.[0]?.$ref) as string | undefined;
  return ref?.startsWith(REF_PREFIX) ? ref.slice(REF_PREFIX.length) : undefined;
}

/**
 * The schema definition holding an element's last segment, found by following $refs from the
 * type root (Observation.component.code → Observation_Component), with its properties; undefined
 * where the schema lacks a segment (a Medplum snapshot element that R4 does not have).
 */
export function ownerDefinition(defs: Record<string, Schema>, root: string, segments: string[]): { def: string; props: Record<string, Schema> } | undefined {
  let def: string | undefined = root;
  for (const seg of segments.slice(1, -1)) {
    const prop: Schema | undefined = (defs[def]?.properties as Record<string, Schema> | undefined)?.[seg];
    def = prop ? refName(prop) : undefined;
    if (!def) return undefined;
  }
  const props = defs[def]?.properties as Record<string, Schema> | undefined;
  return props ? { def, props } : undefined;
}

/**
 * Choice groups come from the snapshots' `[x]` elements, located in the schema by following its
 * $refs from the type root (Observation.component.value[x] → Observation_Component). A few of
 * Medplum's snapshots are not R4 (EvidenceVariable carries R5 elements): paths that do not exist
 * in the schema are skipped, and only members the schema has are kept.
 */
interface SnapshotFacts {
  groups: Record<string, Record<string, string[]>>;
  typeOf: Map<string, string>;
  required: Record<string, string[]>;
  targets: Record<string, Record<string, string[]>>;
}

const CORE_SD = 'http://hl7.org/fhir/StructureDefinition/';

/** The resource types a Reference type allows, or undefined for any (a target outside core R4, or Resource). */
function targetTypes(t: { code: string; targetProfile?: string[] }): string[] | undefined {
  if (t.code !== 'Reference' || !t.targetProfile?.length) return undefined;
  const names = t.targetProfile.map((p) => (p.startsWith(CORE_SD) ? p.slice(CORE_SD.length) : undefined));
  if (names.some((n) => n === undefined || n === 'Resource' || n === 'DomainResource')) return undefined;
  return [...new Set(names as string[])].sort();
}

function snapshotFacts(defs: Record<string, Schema>): SnapshotFacts {
  const out: Record<string, Record<string, string[]>> = {};
  const typeOf = new Map<string, string>();
  const required: Record<string, string[]> = {};
  const targets: Record<string, Record<string, string[]>> = {};
  for (const sd of officialStructures()) {
    if (!defs[sd.name]) continue;
    for (const e of sd.snapshot?.element ?? []) {
      const isChoice = e.path.endsWith('[x]');
      const isRequiredPrimitive = (e.min ?? 0) >= 1 && /^[a-z]/.test(e.type?.[0]?.code ?? '') && e.path.includes('.');
      const refTargets = (e.type ?? []).map(targetTypes).find((x) => x !== undefined);
      if (!isChoice && !isRequiredPrimitive && !refTargets) continue;
      const segments = e.path.split('.');
      const owner = ownerDefinition(defs, sd.name, segments);
      if (!owner) continue;
      const { def, props } = owner;
      const last = segments.at(-1)!;
      if (refTargets) {
        const prop = isChoice ? `${last.slice(0, -3)}Reference` : last;
        if (prop in props) (targets[def] ??= {})[prop] = refTargets;
      }
      if (!isChoice && !isRequiredPrimitive) continue;
      if ((e.min ?? 0) >= 1 && (isChoice || last in props) && !(required[def] ??= []).includes(last)) required[def]!.push(last);
      if (!isChoice) continue;
      const prefix = last.slice(0, -3);
      const members: string[] = [];
      for (const t of e.type ?? []) {
        const member = prefix + upperFirst(t.code);
        if (!(member in props)) continue;
        members.push(member);
        typeOf.set(`${def}.${member}`, t.code);
      }
      if (members.length > 1) (out[def] ??= {})[prefix] = members;
    }
  }
  return { groups: out, typeOf, required, targets };
}

/** Inline (choice-type) primitives have no $ref: name them by their pattern or JSON type. */
function primitiveByPattern(defs: Record<string, Schema>): Map<string, string> {
  const byPattern = new Map<string, string>();
  for (const [name, def] of Object.entries(defs)) {
    if (/^[a-z]/.test(name) && typeof def.pattern === 'string' && !byPattern.has(def.pattern)) byPattern.set(def.pattern, name);
  }
  return byPattern;
}

export function buildElementModel(defs: Record<string, Schema>): ElementModel {
  const { groups, typeOf, required, targets } = snapshotFacts(defs);
  const byPattern = primitiveByPattern(defs);
  const model: ElementModel = {};
  for (const [defName, def] of Object.entries(defs)) {
    const props = def.properties as Record<string, Schema> | undefined;
    if (!props) continue;
    const dm: DefModel = { props: {} };
    for (const [name, prop] of Object.entries(props)) {
      if (name === 'resourceType' || name.startsWith('_')) continue;
      const items = prop.items as Schema | undefined;
      // repeating primitives: `items: { anyOf: [the type, null] }` (reduce-schema.ts)
      const inner = (prop.type === 'array' ? ((items?.anyOf as Schema[] | undefined)?.[0] ?? items) : prop) as Schema;
      let type = typeOf.get(`${defName}.${name}`) ?? refName(prop);
      type ??= typeof inner.pattern === 'string' ? byPattern.get(inner.pattern) : undefined;
      if (!type && Array.isArray(inner.enum)) type = 'code'; // required bindings are inlined as enums
      type ??= typeof inner.type === 'string' ? inner.type : 'Element';
      if (type === 'ResourceList') type = 'Resource';
      dm.props[name] = type + (prop.type === 'array' ? '[]' : '');
    }
    if (groups[defName]) dm.choices = groups[defName];
    if (required[defName]?.length) dm.required = required[defName];
    if (targets[defName]) dm.targets = targets[defName];
    model[defName] = dm;
  }
  return model;
}
