import type { ElementRule } from './compile-profile.js';
import { igDefinitionType, stripVersion } from './ig-package.js';
import { compilePattern } from './pattern.js';

/**
 * What the checker (check-profile.ts) needs to know about an element rule on every value it
 * meets, derived once from the compiled rule instead of per request: every Variant Observation
 * visits ~150 rules, most of them for elements the instance does not have.
 */
export interface RulePlan {
  /** `_status`: where a primitive's id and extensions sit (https://hl7.org/fhir/R4/json.html#primitive). */
  extName: string;
  /** `value` for a choice element `value[x]`, else undefined. */
  choiceBase: string | undefined;
  /** The element name without `[x]`, for locating an absent element. */
  bare: string;
  /** Children that can report something (inert ones, compile-profile.ts, never do). */
  active: ElementRule[];
  /** Whether checking a value of this rule can report or recurse at all. */
  valueWork: boolean;
  /** matchesPattern(value, rule.pattern.value), specialised to this pattern. */
  matchesPattern: ((value: unknown) => boolean) | undefined;
  /** Every discriminator is one this checker cannot decide (profile, or type on a non-choice): no slice ever matches. */
  undecidable: boolean;
  /** choice property -> '' when its type is allowed, else the type named in the diagnostic (bounded cache). */
  choiceTypes: Map<string, string>;
}

const CHOICE_CACHE_LIMIT = 64;

function makePlan(rule: ElementRule): RulePlan {
  const choice = rule.name.endsWith('[x]');
  const vendoredProfile = rule.typeProfiles.some((p) => igDefinitionType(stripVersion(p)) !== undefined);
  const active = rule.children.filter((c) => !c.inert);
  const ds = rule.slicing?.discriminator ?? [];
  return {
    extName: `_${rule.name}`,
    choiceBase: choice ? rule.name.slice(0, -3) : undefined,
    bare: rule.name.replace('[x]', ''),
    active,
    valueWork:
      (choice && rule.types.length > 0) ||
      rule.fixed !== undefined ||
      rule.pattern !== undefined ||
      rule.binding !== undefined ||
      rule.targets !== undefined ||
      rule.constraints.length > 0 ||
      active.length > 0 ||
      vendoredProfile,
    matchesPattern: rule.pattern ? compilePattern(rule.pattern.value) : undefined,
    undecidable: ds.length > 0 && ds.every((d) => d.type === 'profile' || (d.type === 'type' && !choice)),
    choiceTypes: new Map(),
  };
}

export function planOf(rule: ElementRule): RulePlan {
  return (rule.plan ??= makePlan(rule));
}

/**
 * Whether a choice property (`valueCodeableConcept`) names one of the rule's types, case
 * insensitively as choiceType (instance-values.ts) reads it: '' if so, else the type it names.
 */
export function disallowedChoiceType(rule: ElementRule, plan: RulePlan, prop: string): string {
  const hit = plan.choiceTypes.get(prop);
  if (hit !== undefined) return hit;
  const suffix = prop.slice(rule.name.length - 3);
  const lower = suffix.toLowerCase();
  const verdict = rule.types.some((t) => t.toLowerCase() === lower) ? '' : suffix;
  if (plan.choiceTypes.size < CHOICE_CACHE_LIMIT) plan.choiceTypes.set(prop, verdict);
  return verdict;
}
