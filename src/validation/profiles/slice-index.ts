import type { ElementRule } from './compile-profile.js';
import { isObject, ruleAtPath } from './instance-values.js';
import { describeValue } from './pattern.js';
import { splitKeys } from './system-code.js';

/**
 * Compile-time preparation of slicing, so the checker does not re-derive it per request:
 * - `hint`: what identifies each slice, for diagnostics (`code = http://loinc.org|48018-6`);
 * - `sliceIndex`: for the common case of one value/pattern discriminator whose every slice fixes
 *   a single `system|code` (component.code, category.coding) or a URL (extension.url), a map from
 *   that key to the slice. Matching an item is then a map lookup instead of a pattern match per
 *   slice: a Variant has ~40 component slices.
 */
export interface SliceIndex {
  path: string;
  /** key -> position of its slice in the sliced element's slice list. */
  positionOf: Map<string, number>;
  /**
   * The same for coding keys, as system -> code -> position, when every key has exactly one '|':
   * then `${system}|${code}` is a key exactly when (system, code) is in here, and no key string
   * needs to be built per coding.
   */
  bySystem: Map<string, Map<string, number>> | undefined;
}

/** `system|code` of a pattern that is exactly one coding with just system and code (else undefined). */
function codingKey(pattern: unknown): string | undefined {
  if (!isObject(pattern)) return undefined;
  const keys = Object.keys(pattern);
  if (keys.length === 1 && Array.isArray(pattern.coding) && pattern.coding.length === 1) return codingKey(pattern.coding[0]);
  if (keys.length === 2 && typeof pattern.system === 'string' && typeof pattern.code === 'string') return `${pattern.system}|${pattern.code}`;
  return undefined;
}

function sliceKey(slice: ElementRule, path: string): string | undefined {
  const target = ruleAtPath(slice, path);
  const expected = target?.fixed?.value ?? target?.pattern?.value;
  if (expected !== undefined) return typeof expected === 'string' ? expected : codingKey(expected);
  if (path === 'url' && slice.typeProfiles[0]) return slice.typeProfiles[0].split('|')[0];
  return undefined;
}

function buildIndex(sliced: ElementRule): SliceIndex | undefined {
  const ds = sliced.slicing?.discriminator ?? [];
  if (ds.length !== 1 || (ds[0].type !== 'value' && ds[0].type !== 'pattern')) return undefined;
  const path = ds[0].path;
  if (path !== 'url' && path !== 'code' && path !== 'coding') return undefined;
  const positionOf = new Map<string, number>();
  for (const [i, slice] of sliced.slices.entries()) {
    const key = sliceKey(slice, path);
    if (key === undefined || positionOf.has(key)) return undefined;
    positionOf.set(key, i);
  }
  return { path, positionOf, bySystem: path === 'url' ? undefined : splitKeys(positionOf) };
}

function hint(slice: ElementRule, sliced: ElementRule): string {
  const parts: string[] = [];
  for (const d of sliced.slicing?.discriminator ?? []) {
    const target = ruleAtPath(slice, d.path);
    const v = target?.fixed?.value ?? target?.pattern?.value;
    if (v !== undefined) parts.push(`${d.path} = ${describeValue(v)}`);
    else if (d.path === 'url' && slice.typeProfiles[0]) parts.push(`url = ${slice.typeProfiles[0]}`);
  }
  return parts.length ? ` (${parts.join(', ')})` : '';
}

/** Fills `hint` and `sliceIndex` on every sliced rule of a compiled tree. */
export function prepareSlicing(rule: ElementRule): void {
  if (rule.slices.length) {
    rule.sliceIndex = buildIndex(rule);
    for (const s of rule.slices) s.hint = hint(s, rule);
  }
  for (const c of rule.children) prepareSlicing(c);
  for (const s of rule.slices) prepareSlicing(s);
}

/**
 * The position of the slice an item belongs to, or -1: of the slices keyed by any of the item's
 * keys (its url, or the `system|code` of each of its codings with a string system and code), the
 * first in slice order. No key list is built (compile-checker.ts writes this out per index).
 */
export function matchSlice(item: unknown, index: SliceIndex): number {
  if (!isObject(item)) return -1;
  const v = item[index.path];
  if (index.path === 'url') return typeof v === 'string' ? (index.positionOf.get(v) ?? -1) : -1;
  const codings = index.path === 'code' ? (isObject(v) && Array.isArray(v.coding) ? v.coding : undefined) : Array.isArray(v) ? v : undefined;
  if (!codings) return -1;
  let best = -1;
  const bySystem = index.bySystem;
  for (const c of codings) {
    if (!isObject(c) || typeof c.system !== 'string' || typeof c.code !== 'string') continue;
    // With bySystem, a system or code holding '|' finds nothing, as its key (two '|') would not.
    const at = bySystem ? bySystem.get(c.system)?.get(c.code) : index.positionOf.get(`${c.system}|${c.code}`);
    if (at !== undefined && (best < 0 || at < best)) best = at;
  }
  return best;
}
