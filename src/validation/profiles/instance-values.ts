import type { ElementRule } from './compile-profile.js';

// Reads an element's values out of a JSON instance, the way FHIR JSON lays them out
// (https://hl7.org/fhir/R4/json.html): arrays for repeating elements, `valueQuantity`-style
// property names for choice elements `value[x]`, `_name` for primitive extensions.

/**
 * One value found for an element. Its FHIRPath-style location
 * (`Observation.component[2].valueCodeableConcept`) is built only when asked for, i.e. when an
 * issue names it: a Variant Observation has ~100 values and normally no issue.
 */
export class Found {
  private location: string | undefined;
  constructor(
    /** JSON property the value came from (`valueCodeableConcept` for `value[x]`). */
    readonly prop: string,
    readonly value: unknown,
    /** The value holding this one (undefined for the resource itself). */
    readonly parent: Found | undefined,
    /** Position in the property's array, -1 when the property holds a single value. */
    readonly index: number,
    /** Only `_name` was present (a primitive with extensions and no value). */
    readonly extensionOnly: boolean,
    location?: string,
  ) {
    this.location = location;
  }

  /** FHIRPath-style location: `Observation.component[2].valueCodeableConcept`. */
  get expr(): string {
    if (this.location === undefined) {
      const at = `${this.parent!.expr}.${this.prop}`;
      this.location = this.index < 0 ? at : `${at}[${this.index}]`;
    }
    return this.location;
  }
}

/** The resource (or a nested value checked against another profile) located at `expr`. */
export const rootFound = (value: unknown, expr: string): Found => new Found('', value, undefined, -1, false, expr);

export function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export const NO_VALUES: readonly Found[] = Object.freeze([]);

/** The values of `v` (the value of key `prop`, at `at`): array items one by one. */
export function foundIn(v: unknown, prop: string, at: Found, extensionOnly: boolean): Found[] {
  if (!Array.isArray(v)) return [new Found(prop, v, at, -1, extensionOnly)];
  const out: Found[] = new Array(v.length);
  for (let i = 0; i < v.length; i++) out[i] = new Found(prop, v[i], at, i, extensionOnly);
  return out;
}

/**
 * Every `value[x]` form of a choice element inside `obj` (which sits at `parent`), in key order,
 * array items one by one. Returns a shared empty list when there are none.
 */
export function choiceValues(obj: Record<string, unknown>, choiceBase: string, parent: Found): readonly Found[] {
  let out: Found[] | undefined;
  const n = choiceBase.length;
  for (const key of Object.keys(obj)) {
    if (key.length > n && key.startsWith(choiceBase)) {
      const c = key.charCodeAt(n);
      if (c >= 65 && c <= 90) (out ??= []).push(...foundIn(obj[key], key, parent, false)); // [A-Z]
    }
  }
  return out ?? NO_VALUES;
}

/** The FHIR type of a choice value from its property name (`valueCodeableConcept` -> `CodeableConcept`). */
export function choiceType(rule: ElementRule, prop: string): string | undefined {
  if (!rule.name.endsWith('[x]')) return undefined;
  const suffix = prop.slice(rule.name.length - 3);
  return rule.types.find((t) => t.toLowerCase() === suffix.toLowerCase()) ?? suffix;
}

/** Values at a dotted path (`code`, `code.coding`, `url`, `$this`) below an instance value. */
export function valuesAtPath(value: unknown, path: string): unknown[] {
  let current: unknown[] = [value];
  if (path === '$this') return current;
  for (const step of path.split('.')) {
    const next: unknown[] = [];
    for (const c of current) {
      if (!isObject(c)) continue;
      const v = c[step];
      if (Array.isArray(v)) next.push(...v);
      else if (v !== undefined) next.push(v);
    }
    current = next;
  }
  return current;
}

/** The rule reached from `rule` by a dotted discriminator path. */
export function ruleAtPath(rule: ElementRule, path: string): ElementRule | undefined {
  if (path === '$this') return rule;
  let current: ElementRule | undefined = rule;
  for (const step of path.split('.')) {
    current = current?.children.find((c) => c.name === step || c.name === `${step}[x]`);
  }
  return current;
}
