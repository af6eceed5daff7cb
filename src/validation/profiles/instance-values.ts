import type { ElementRule } from './compile-profile.js';

/**
 * Reads an element's values out of a JSON instance, the way FHIR JSON lays them out
 * (https://hl7.org/fhir/R4/json.html): arrays for repeating elements, `valueQuantity`-style
 * property names for choice elements `value[x]`, `_name` for primitive extensions.
 */
export interface Found {
  /** JSON property the value came from (`valueCodeableConcept` for `value[x]`). */
  prop: string;
  value: unknown;
  /** FHIRPath-style location: `Observation.component[2].valueCodeableConcept`. */
  expr: string;
  /** Only `_name` was present (a primitive with extensions and no value). */
  extensionOnly?: boolean;
}

export function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function push(out: Found[], prop: string, v: unknown, expr: string, extensionOnly = false): void {
  if (Array.isArray(v)) v.forEach((item, i) => out.push({ prop, value: item, expr: `${expr}.${prop}[${i}]`, extensionOnly }));
  else out.push({ prop, value: v, expr: `${expr}.${prop}`, extensionOnly });
}

export function valuesOf(obj: Record<string, unknown>, rule: ElementRule, expr: string): Found[] {
  const out: Found[] = [];
  if (rule.name.endsWith('[x]')) {
    const base = rule.name.slice(0, -3);
    for (const key of Object.keys(obj)) {
      if (key.length > base.length && key.startsWith(base) && /[A-Z]/.test(key[base.length])) push(out, key, obj[key], expr);
    }
    return out;
  }
  const v = obj[rule.name];
  if (v !== undefined && v !== null) push(out, rule.name, v, expr);
  else if (obj[`_${rule.name}`] !== undefined) push(out, rule.name, obj[`_${rule.name}`], expr, true);
  return out;
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
