import { evalFhirPathTyped, toTypedValue, type TypedValue } from '@medplum/core';
import type { Issue, Severity } from '../../fhir/outcome.js';
import { compiledProfile, type CompiledProfile, type ElementRule } from './compile-profile.js';
import { choiceType, isObject, ruleAtPath, valuesAtPath, valuesOf, type Found } from './instance-values.js';
import { deepEqual, describeValue, matchesPattern } from './pattern.js';
import { checkBinding } from './check-binding.js';
import { stripVersion } from './ig-package.js';
import { itemKeys } from './slice-index.js';

/**
 * Walks a resource alongside a compiled profile (compile-profile.ts) and reports every rule it
 * breaks: cardinality, allowed types, fixed/pattern values, slices (https://hl7.org/fhir/R4/profiling.html#slicing),
 * required bindings and the FHIRPath constraints of the snapshot.
 */
export interface CheckRun {
  profile: CompiledProfile;
  /** `Variant (http://…/variant)`: named in every diagnostic. */
  label: string;
  severity: Severity;
  issues: Issue[];
  resource: Record<string, unknown>;
  /** The resource as a FHIRPath input, built on first use (most profiles need none). */
  typed?: TypedValue;
  /** Nested datatype/extension profiles currently being checked (guards recursion). */
  stack: string[];
  /** `key@expression` of constraints already reported (a slice repeats its base element's constraints). */
  failed: Set<string>;
}

const MAX_ISSUES = 100;

export function report(run: CheckRun, code: Issue['code'], expr: string, rule: ElementRule, message: string): void {
  if (run.issues.length >= MAX_ISSUES) return;
  run.issues.push({
    severity: run.severity,
    code,
    diagnostics: `Profile ${run.label}: ${rule.id}: ${message}`,
    expression: [expr],
  });
}

function cardinality(run: CheckRun, rule: ElementRule, count: number, expr: string): void {
  if (count >= rule.min && count <= rule.max) return;
  const what = rule.sliceName === undefined ? 'cardinality' : `slice '${rule.sliceName}'${rule.hint ?? ''}`;
  if (count < rule.min) report(run, 'processing', expr, rule, `${what} requires at least ${rule.min} (found ${count})`);
  else report(run, 'processing', expr, rule, `${what} allows at most ${rule.max} (found ${count})`);
}

/** Checks the children of `rule` inside one instance object (the resource, a component …). */
export function checkChildren(run: CheckRun, rule: ElementRule, obj: Record<string, unknown>, expr: string): void {
  for (const child of rule.children) {
    if (child.inert) continue;
    const found = valuesOf(obj, child, expr);
    if (found.length === 0 && child.min === 0) continue;
    const where = found.length ? `${expr}.${found[0].prop}` : `${expr}.${child.name.replace('[x]', '')}`;
    cardinality(run, child, found.length, where);
    for (const f of found) checkValue(run, child, f);
    if (child.slices.length) checkSlices(run, child, found, where);
  }
}

function checkValue(run: CheckRun, rule: ElementRule, f: Found): void {
  if (f.extensionOnly) return;
  const { value, expr } = f;
  if (rule.name.endsWith('[x]') && rule.types.length) {
    const type = choiceType(rule, f.prop);
    if (!rule.types.includes(type ?? '')) {
      report(run, 'processing', expr, rule, `type ${type} is not allowed here (allowed: ${rule.types.join(', ')})`);
      return;
    }
  }
  if (rule.fixed && !deepEqual(value, rule.fixed.value)) {
    report(run, 'processing', expr, rule, `must be exactly ${rule.fixed.key} ${describeValue(rule.fixed.value)} (found ${describeValue(value)})`);
  }
  if (rule.pattern && !matchesPattern(value, rule.pattern.value)) {
    report(run, 'processing', expr, rule, `must match ${rule.pattern.key} ${describeValue(rule.pattern.value)} (found ${describeValue(value)})`);
  }
  if (rule.binding) checkBinding(run, rule, f);
  for (const c of rule.constraints) checkConstraint(run, rule, c, f);
  if (!isObject(value)) return;
  if (rule.children.length) checkChildren(run, rule, value, expr);
  for (const p of rule.typeProfiles) checkNestedProfile(run, p, value, expr);
}

/** An element typed with a vendored extension or datatype profile is checked against it too. */
function checkNestedProfile(run: CheckRun, canonical: string, value: Record<string, unknown>, expr: string): void {
  const url = stripVersion(canonical);
  if (url === run.profile.url || run.stack.includes(url)) return;
  const nested = compiledProfile(url);
  if (!nested) return;
  run.stack.push(url);
  const outer = run.label;
  run.label = `${outer} > ${nested.name} (${nested.url})`;
  for (const c of nested.root.constraints) checkConstraint(run, nested.root, c, { prop: '', value, expr });
  checkChildren(run, nested.root, value, expr);
  run.label = outer;
  run.stack.pop();
}

function checkConstraint(run: CheckRun, rule: ElementRule, c: ElementRule['constraints'][number], f: Found): void {
  if (c.native) {
    if (!c.native(f.value, run.resource)) failConstraint(run, rule, c, f);
    return;
  }
  if (!c.atom) return;
  let result: TypedValue[];
  try {
    run.typed ??= toTypedValue(run.resource);
    const input = f.value === run.resource ? run.typed : toTypedValue(f.value);
    result = evalFhirPathTyped(c.atom, [input], { '%resource': run.typed, '%rootResource': run.typed });
  } catch {
    return; // an expression the engine cannot run on this input is not the instance's fault
  }
  // A constraint holds unless it evaluates to false (empty = not applicable).
  if (result.length === 1 && result[0].value === false) failConstraint(run, rule, c, f);
}

function failConstraint(run: CheckRun, rule: ElementRule, c: ElementRule['constraints'][number], f: Found): void {
  const seen = `${c.key}@${f.expr}`;
  if (run.issues.length >= MAX_ISSUES || run.failed.has(seen)) return;
  run.failed.add(seen);
  const expression = c.expression.length > 160 ? c.expression.slice(0, 157) + '...' : c.expression;
  run.issues.push({
    severity: run.severity,
    code: 'invariant',
    diagnostics: `Profile ${run.label}: ${rule.id}: constraint ${c.key} failed: ${c.human} (${expression})`,
    expression: [f.expr],
  });
}

type Match = 'yes' | 'no' | 'unknown';

function discriminatorMatch(slice: ElementRule, d: { type: string; path: string }, f: Found, sliced: ElementRule): Match {
  if (d.type === 'type') {
    // Type slices of a choice element are named after the property: `value[x]:valueCodeableConcept`.
    if (sliced.name.endsWith('[x]')) return f.prop === slice.sliceName || choiceType(sliced, f.prop) === slice.types[0] ? 'yes' : 'no';
    return 'unknown';
  }
  if (d.type === 'profile') return 'unknown'; // needs the referenced resource (resolve()): not available here
  const target = ruleAtPath(slice, d.path);
  const actual = valuesAtPath(f.value, d.path);
  if (d.type === 'exists') {
    if (target?.min && target.min > 0) return actual.length ? 'yes' : 'no';
    if (target?.max === 0) return actual.length ? 'no' : 'yes';
    return 'unknown';
  }
  const expected = target?.fixed?.value ?? target?.pattern?.value;
  if (expected !== undefined) return actual.some((v) => matchesPattern(v, expected)) ? 'yes' : 'no';
  if (d.path === 'url' && slice.typeProfiles[0]) return actual.includes(stripVersion(slice.typeProfiles[0])) ? 'yes' : 'no';
  if (target?.binding) {
    return actual.some((v) => isObject(v) && ((v.coding as unknown[]) ?? [v]).some((c) => isObject(c) && target.binding?.has(c.system as string, c.code as string) === 'member'))
      ? 'yes'
      : 'no';
  }
  return 'unknown';
}

function sliceMatch(slice: ElementRule, sliced: ElementRule, f: Found, keys: string[] | undefined): Match {
  if (keys) return keys.some((k) => sliced.sliceIndex?.bySliceKey.get(k) === slice) ? 'yes' : 'no';
  let result: Match = 'yes';
  for (const d of sliced.slicing?.discriminator ?? []) {
    const m = discriminatorMatch(slice, d, f, sliced);
    if (m === 'no') return 'no';
    if (m === 'unknown') result = 'unknown';
  }
  return result;
}

function checkSlices(run: CheckRun, sliced: ElementRule, found: Found[], expr: string): void {
  const counts = new Map<ElementRule, number>();
  const undecidable = new Set<ElementRule>();
  const index = sliced.sliceIndex;
  for (const f of found) {
    let matched = false;
    const keys = index ? itemKeys(f.value, index.path) : undefined;
    for (const slice of sliced.slices) {
      const m = sliceMatch(slice, sliced, f, keys);
      if (m === 'unknown') undecidable.add(slice);
      if (m !== 'yes') continue;
      counts.set(slice, (counts.get(slice) ?? 0) + 1);
      checkValue(run, slice, f);
      matched = true;
      break;
    }
    if (!matched && sliced.slicing?.rules === 'closed' && !f.extensionOnly) {
      report(run, 'processing', f.expr, sliced, `matches none of the slices (${sliced.slices.map((s) => s.sliceName).join(', ')}) and the slicing is closed`);
    }
  }
  for (const slice of sliced.slices) {
    if (undecidable.has(slice)) continue;
    cardinality(run, slice, counts.get(slice) ?? 0, expr);
  }
}

/** Checks a whole resource against one compiled profile. */
export function checkResource(profile: CompiledProfile, resource: Record<string, unknown>, severity: Severity, note = ''): Issue[] {
  const label = `${profile.name} (${profile.url})${note}`;
  const run: CheckRun = { profile, label, severity, issues: [], resource, stack: [profile.url], failed: new Set() };
  const rt = String(resource.resourceType);
  if (rt !== profile.type) {
    report(run, 'processing', rt, profile.root, `applies to ${profile.type} resources, not ${rt}`);
    return run.issues;
  }
  checkValue(run, { ...profile.root, children: [], typeProfiles: [] }, { prop: '', value: resource, expr: rt });
  checkChildren(run, profile.root, resource, rt);
  return run.issues;
}
