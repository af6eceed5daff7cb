import type { ElementDefinition, StructureDefinition } from '@medplum/fhirtypes';
import { parseFhirPath, type FhirPathAtom } from '@medplum/core';
import { igDefinitionType, igPackage, stripVersion } from './ig-package.js';
import { valueSetCheck, type ValueSetCheck } from './terminology.js';
import { NATIVE_CONSTRAINTS, type NativeConstraint } from './native-constraints.js';
import { prepareSlicing, type SliceIndex } from './slice-index.js';
import type { RulePlan } from './rule-plan.js';
import type { ProfileChecker } from './compile-checker.js';
import { referenceTargets, type ReferenceTargets } from './reference-targets.js';
import { knownExtensions } from '../invariants/extensions.js';

/**
 * Compiles a StructureDefinition snapshot, once, into a tree of element rules that the checker
 * walks alongside the resource (https://hl7.org/fhir/R4/profiling.html). Element ids drive the
 * tree: `Observation.component:gene-studied.code` is the `code` child of the `gene-studied`
 * slice of `Observation.component`.
 */
export interface ConstraintRule {
  key: string;
  human: string;
  expression: string;
  atom?: FhirPathAtom;
  /** Base-FHIR constraints implemented directly (native-constraints.ts); the others run as FHIRPath. */
  native?: NativeConstraint;
}

export interface ElementRule {
  id: string;
  /** Last path segment: `component`, `value[x]`. */
  name: string;
  sliceName?: string;
  min: number;
  /**
   * The minimum the profile adds: `min` where it is above base R4's, else 0. Base R4's own
   * (Observation.code, a component's code, Extension.url) is the structure layer's, which says
   * "Missing required element" wherever the element sits; the profile saying it again as its
   * cardinality was the same problem twice. Slices count their own minimum (`min`).
   */
  ownMin: number;
  max: number;
  /** Max of the base element (narrowed by the profile when `max` is lower). */
  baseMax: number;
  /** Allowed type codes (`CodeableConcept`, `string`, `Extension` …). */
  types: string[];
  /** Profiles on the types (extension URLs for extension slices, datatype profiles). */
  typeProfiles: string[];
  fixed?: { key: string; value: unknown };
  pattern?: { key: string; value: unknown };
  binding?: ValueSetCheck;
  /** Reference types the profile narrows the element to, when narrower than base R4's (reference-targets.ts). */
  targets?: ReferenceTargets;
  constraints: ConstraintRule[];
  children: ElementRule[];
  slicing?: { discriminator: Array<{ type: string; path: string }>; rules: string };
  slices: ElementRule[];
  /** Slices only: what identifies the slice, for diagnostics (slice-index.ts). */
  hint?: string;
  /** Sliced elements whose slices are told apart by one code or URL (slice-index.ts). */
  sliceIndex?: SliceIndex;
  /**
   * `Extension.extension` of an extension definition: a relative url there names a sub-extension
   * of this definition, so one that matches no slice is defined nowhere (an absolute url is
   * another extension, which open slicing admits).
   */
  subExtensions?: boolean;
  /** Nothing to check on this element's values (min 0, max as in the base, no rules): skipped. */
  inert?: boolean;
  /** What the checker precomputes about the rule on first use (rule-plan.ts). */
  plan?: RulePlan;
}

export interface CompiledProfile {
  url: string;
  /** Short name for diagnostics, e.g. `Variant`. */
  name: string;
  type: string;
  root: ElementRule;
  /**
   * FHIRPath constraints not evaluated: unparsable, or needing descendants()/children()/resolve(),
   * which the engine answers empty for. Not reported to clients; none in the IG 3.0.0 snapshots
   * (test/profiles/invariants.test.ts holds every key of them to a broken copy).
   */
  unparsed: string[];
  /** The checker generated for this profile on first use (compile-checker.ts). */
  checker?: ProfileChecker;
}

/**
 * Base-FHIR invariants that layer 4 (src/validation/invariants/) already checks on every resource,
 * profiled or not: evaluating them again here would report each violation twice (qty-3: on every
 * Quantity and its specialisations, invariants/datatypes.ts).
 * Parameters inv-1 (invariants/parameters.ts) is not listed: keys are unique only within a
 * definition, Task has an inv-1 of its own that the IG's Task profiles need, and no IG profile
 * is on Parameters (only IG profiles are compiled), so it is never evaluated here.
 */
const SKIPPED_CONSTRAINTS = new Set(['ele-1', 'ext-1', 'ref-1', 'ref-2', 'obs-3', 'obs-6', 'obs-7', 'dom-2', 'dom-4', 'qty-3']);

const cache = new Map<string, CompiledProfile | null>();

/** Splits an element id on dots that are not inside a slice name (`a:b.c` -> [`a:b`, `c`]). */
function lastSegment(id: string): { parentId: string; segment: string } {
  const dot = id.lastIndexOf('.');
  return dot < 0 ? { parentId: '', segment: id } : { parentId: id.slice(0, dot), segment: id.slice(dot + 1) };
}

const toMax = (m: string | undefined): number => (m === undefined || m === '*' ? Infinity : Number(m));

function toRule(e: ElementDefinition, segment: string, unparsed: string[]): ElementRule {
  const colon = segment.indexOf(':');
  const rule: ElementRule = {
    id: e.id ?? e.path,
    name: colon < 0 ? segment : segment.slice(0, colon),
    sliceName: colon < 0 ? undefined : segment.slice(colon + 1),
    min: e.min ?? 0,
    ownMin: (e.min ?? 0) > (e.base?.min ?? 0) ? (e.min ?? 0) : 0,
    max: toMax(e.max),
    baseMax: toMax(e.base?.max ?? e.max),
    types: (e.type ?? []).map((t) => t.code),
    typeProfiles: (e.type ?? []).flatMap((t) => t.profile ?? []),
    constraints: [],
    children: [],
    slices: [],
    // Every rule gets every field, in one order: one object shape keeps the checker's property reads monomorphic.
    fixed: undefined,
    pattern: undefined,
    binding: undefined,
    targets: undefined,
    slicing: undefined,
    hint: undefined,
    sliceIndex: undefined,
    subExtensions: undefined,
    inert: undefined,
    plan: undefined,
  };
  for (const [k, v] of Object.entries(e)) {
    if (k.startsWith('fixed')) rule.fixed = { key: k, value: v };
    else if (k.startsWith('pattern')) rule.pattern = { key: k, value: v };
  }
  if (e.binding?.strength === 'required' && e.binding.valueSet) rule.binding = valueSetCheck(e.binding.valueSet);
  rule.targets = referenceTargets(e);
  for (const c of e.constraint ?? []) {
    if (c.severity !== 'error' || !c.expression || SKIPPED_CONSTRAINTS.has(c.key)) continue;
    // Keys are only unique within a definition: the native versions stand for base FHIR's own.
    const native = c.source?.startsWith('http://hl7.org/fhir/StructureDefinition/') ? NATIVE_CONSTRAINTS[c.key] : undefined;
    if (native) {
      rule.constraints.push({ key: c.key, human: c.human, expression: c.expression, native });
      continue;
    }
    if (/\b(descendants|children|resolve)\(\)/.test(c.expression)) {
      unparsed.push(`${c.key}: ${c.expression}`); // the engine returns empty for these: the check would be meaningless
      continue;
    }
    try {
      rule.constraints.push({ key: c.key, human: c.human, expression: c.expression, atom: parseFhirPath(c.expression) });
    } catch {
      unparsed.push(`${c.key}: ${c.expression}`);
    }
  }
  if (e.slicing) {
    rule.slicing = {
      discriminator: (e.slicing.discriminator ?? []).map((d) => ({ type: d.type, path: d.path })),
      rules: e.slicing.rules ?? 'open',
    };
  }
  return rule;
}

/** Compiles one StructureDefinition (exported for tests; the server uses compiledProfile's cache). */
export function compileStructureDefinition(sd: StructureDefinition): CompiledProfile {
  const elements = sd.snapshot?.element ?? [];
  const byId = new Map<string, ElementRule>();
  const unparsed: string[] = [];
  let root: ElementRule | undefined;
  for (const e of elements) {
    const id = e.id ?? e.path;
    const { parentId, segment } = lastSegment(id);
    const rule = toRule(e, segment, unparsed);
    byId.set(id, rule);
    if (!parentId) {
      root = rule;
      continue;
    }
    if (rule.sliceName !== undefined) {
      // `…component:gene-studied` is a slice of `…component` (same parent).
      const sliced = byId.get(`${parentId}.${rule.name}`);
      if (sliced) sliced.slices.push(rule);
      continue;
    }
    byId.get(parentId)?.children.push(rule);
  }
  if (!root) throw new Error(`StructureDefinition ${sd.url} has no snapshot`);
  if (sd.type === 'Extension') {
    markSubExtensions(root);
    leaveValueToInvariants(root, sd.url);
  }
  prepareSlicing(root);
  markInert(root);
  return { url: sd.url, name: sd.name ?? sd.id ?? sd.url, type: sd.type, root, unparsed };
}

/** `Extension.extension` (and that of a complex sub-extension), where sliced: see ElementRule.subExtensions. */
function markSubExtensions(rule: ElementRule): void {
  for (const c of rule.children) {
    if (c.name !== 'extension' || !c.slices.length) continue;
    c.subExtensions = true;
    for (const s of c.slices) markSubExtensions(s);
  }
}

/**
 * The value type of a known extension (every IG one: invariants/extensions.ts reads the same
 * snapshot) is judged by the invariant layer wherever the extension sits, profiled resource or
 * not; the profile checking it again said the same thing twice, once per layer (a valueString
 * where CodeableConcept goes; a value on a complex extension, `value[x]` max 0). The profile keeps
 * what that layer does not check: a value the extension requires (min 1), and its sub-extensions'.
 */
function leaveValueToInvariants(root: ElementRule, url: string): void {
  const value = root.children.find((c) => c.name === 'value[x]');
  if (!value || !knownExtensions().has(url)) return;
  value.types = [];
  value.max = value.baseMax;
}

/** Marks elements that can never produce an issue, so the checker skips them. */
function markInert(rule: ElementRule): void {
  for (const c of rule.children) markInert(c);
  for (const s of rule.slices) markInert(s);
  rule.inert =
    rule.min === 0 &&
    rule.max === rule.baseMax &&
    !rule.fixed &&
    !rule.pattern &&
    !rule.binding &&
    !rule.targets &&
    rule.constraints.length === 0 &&
    rule.children.length === 0 &&
    rule.slices.length === 0 &&
    !rule.typeProfiles.some((p) => igDefinitionType(stripVersion(p)) !== undefined) &&
    !(rule.name.endsWith('[x]') && rule.types.length > 0);
}

/** The compiled plan for a vendored profile (canonical URL, with or without `|version`). */
export function compiledProfile(canonical: string): CompiledProfile | undefined {
  const url = stripVersion(canonical);
  if (!cache.has(url)) {
    const sd = igPackage().structureDefinitions.get(url);
    cache.set(url, sd ? compileStructureDefinition(sd) : null);
  }
  return cache.get(url) ?? undefined;
}

/** Whether a canonical URL names one of the vendored IG StructureDefinitions. */
export function isIgProfile(canonical: string): boolean {
  return igDefinitionType(stripVersion(canonical)) !== undefined;
}
