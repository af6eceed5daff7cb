import { evalFhirPathTyped, toTypedValue, type TypedValue } from '@medplum/core';
import type { Issue, Severity } from '../../fhir/outcome.js';
import { compiledProfile, type CompiledProfile, type ElementRule } from './compile-profile.js';
import { choiceType, choiceValues, Found, foundIn, isObject, NO_VALUES, rootFound, ruleAtPath, valuesAtPath } from './instance-values.js';
import { deepEqual, describeValue, matchesPattern } from './pattern.js';
import { disallowedChoiceType, planOf } from './rule-plan.js';
import { checkBinding } from './check-binding.js';
import { serverRuleIssues } from './server-rules.js';
import { stripVersion } from './ig-package.js';
import { matchSlice } from './slice-index.js';
import { compileChecker } from './compile-checker.js';
import { disallowedTarget, TARGET_RULE } from './reference-targets.js';
import { containedIdsOf, type ContainedIds } from '../invariants/references.js';

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
  failed: Set<string> | undefined;
  /** The resource's contained resources (id → type), read on first use: what its local references name. */
  contained: ContainedIds | undefined;
}

const MAX_ISSUES = 100;

/** `marker`: Issue.rule, for the issues a caller must tell apart (reference targets: reference-targets.ts). */
export function report(run: CheckRun, code: Issue['code'], expr: string, rule: ElementRule, message: string, marker?: string): void {
  if (run.issues.length >= MAX_ISSUES) return;
  const issue: Issue = {
    severity: run.severity,
    code,
    diagnostics: `Profile ${run.label}: ${rule.id}: ${message}`,
    expression: [expr],
  };
  if (marker !== undefined) issue.rule = marker;
  run.issues.push(issue);
}

export function cardinality(run: CheckRun, rule: ElementRule, count: number, expr: string): void {
  if (count >= rule.min && count <= rule.max) return;
  const what = rule.sliceName === undefined ? 'cardinality' : `slice '${rule.sliceName}'${rule.hint ?? ''}`;
  if (count < rule.min) report(run, 'processing', expr, rule, `${what} requires at least ${rule.min} (found ${count})`);
  else report(run, 'processing', expr, rule, `${what} allows at most ${rule.max} (found ${count})`);
}

/**
 * The count above which a choice element breaks its profile's cardinality. Every R4 choice is
 * 0..1, and more than one value can only be several forms (`valueString` and `valueInteger`):
 * the invariant layer's "Only one form of value[x]", not said again per profile and slice. Only a
 * choice the profile forbids (max 0) is the profile's to report.
 */
export const choiceMax = (rule: ElementRule): number => (rule.max >= 1 ? Infinity : rule.max);

/** `Observation.component`: where an element's values are, for cardinality and slice issues. */
export const whereOf = (at: Found, found: readonly Found[], bare: string): string => `${at.expr}.${found.length ? found[0].prop : bare}`;

/** Checks the children of `rule` inside one instance object (the resource, a component …) located at `at`. */
export function checkChildren(run: CheckRun, rule: ElementRule, obj: Record<string, unknown>, at: Found): void {
  for (const child of planOf(rule).active) {
    const plan = planOf(child);
    if (plan.choiceBase !== undefined) {
      const found = choiceValues(obj, plan.choiceBase, at);
      const count = found.length;
      if (count === 0 && child.min === 0) continue;
      if (count < child.ownMin || count > choiceMax(child)) cardinality(run, child, count, whereOf(at, found, plan.bare));
      if (plan.valueWork) for (const f of found) checkValue(run, child, f);
      if (child.slices.length) checkSlices(run, child, found, at, plan.bare);
      continue;
    }
    // Not a choice: the values are obj[name], or obj[_name] when only extensions are given.
    let v = obj[child.name];
    let extensionOnly = false;
    if (v === undefined || v === null) {
      v = obj[plan.extName];
      extensionOnly = true;
    }
    const count = v === undefined ? 0 : Array.isArray(v) ? v.length : 1;
    if (count === 0 && child.min === 0) continue;
    if (count < child.ownMin || count > child.max) cardinality(run, child, count, `${at.expr}.${child.name}`);
    const sliced = child.slices.length > 0;
    if (extensionOnly && (child.fixed || child.pattern)) reportNoValue(run, child, v, at);
    // Values given by extensions only are not checked (checkValue), only counted in slices.
    if (!sliced && (extensionOnly || !plan.valueWork)) continue;
    const found = count === 0 ? NO_VALUES : foundIn(v, child.name, at, extensionOnly);
    if (plan.valueWork && !extensionOnly) for (const f of found) checkValue(run, child, f);
    if (sliced) checkSlices(run, child, found, at, plan.bare);
  }
}

export function checkValue(run: CheckRun, rule: ElementRule, f: Found): void {
  if (f.extensionOnly) return;
  const value = f.value;
  const plan = planOf(rule);
  if (plan.choiceBase !== undefined && rule.types.length) {
    const type = disallowedChoiceType(rule, plan, f.prop);
    if (type !== '') {
      reportType(run, rule, f, type);
      return;
    }
  }
  if (rule.fixed && !deepEqual(value, rule.fixed.value)) reportFixed(run, rule, f);
  if (rule.pattern && !plan.matchesPattern!(value)) reportPattern(run, rule, f);
  if (rule.binding) checkBinding(run, rule, f);
  if (rule.targets) checkTarget(run, rule, f);
  for (const c of rule.constraints) checkConstraint(run, rule, c, f);
  if (!isObject(value)) return;
  if (plan.active.length) checkChildren(run, rule, value, f);
  for (const p of rule.typeProfiles) checkNestedProfile(run, p, value, f);
}

export function reportType(run: CheckRun, rule: ElementRule, f: Found, type: string): void {
  report(run, 'processing', f.expr, rule, `type ${type} is not allowed here (allowed: ${rule.types.join(', ')})`);
}

export function reportFixed(run: CheckRun, rule: ElementRule, f: Found): void {
  report(run, 'processing', f.expr, rule, `must be exactly ${rule.fixed!.key} ${describeValue(rule.fixed!.value)} (found ${describeValue(f.value)})`);
}

export function reportPattern(run: CheckRun, rule: ElementRule, f: Found): void {
  report(run, 'processing', f.expr, rule, `must match ${rule.pattern!.key} ${describeValue(rule.pattern!.value)} (found ${describeValue(f.value)})`);
}

/**
 * A primitive given only as `_name` (extensions, no value) where the profile fixes its value or
 * gives it a pattern: the element is there (its cardinality holds), its value is not, so it
 * cannot match (`_status` with a data-absent-reason where GenomicStudyAnalysis needs "completed").
 */
export function reportNoValue(run: CheckRun, rule: ElementRule, v: unknown, at: Found): void {
  if (v === null || v === undefined) return; // `"_status": null`: the structure layer's
  const [key, expected] = rule.fixed ? ['must be exactly', rule.fixed] : ['must match', rule.pattern!];
  for (const f of foundIn(v, rule.name, at, true)) report(run, 'processing', f.expr, rule, `${key} ${expected.key} ${describeValue(expected.value)} (found no value, only extensions)`);
}

export function reportClosed(run: CheckRun, sliced: ElementRule, f: Found): void {
  report(run, 'processing', f.expr, sliced, `matches none of the slices (${sliced.slices.map((s) => s.sliceName).join(', ')}) and the slicing is closed`);
}

/** A sub-extension with a relative url that its extension definition does not define (ElementRule.subExtensions). */
export function reportUndefinedSub(run: CheckRun, sliced: ElementRule, f: Found): void {
  const url = isObject(f.value) ? f.value.url : undefined;
  if (typeof url !== 'string' || url === '' || url.includes(':')) return; // none or empty: the structure layer's; absolute: another extension
  report(run, 'processing', f.expr, sliced, `sub-extension url '${url}' is not defined by this extension (it defines ${sliced.slices.map((s) => s.sliceName).join(', ')})`);
}

/** A reference to a type outside those the profile narrows the element to (reference-targets.ts). */
export function checkTarget(run: CheckRun, rule: ElementRule, f: Found): void {
  const value = f.value;
  const base = planOf(rule).choiceBase;
  if (!isObject(value) || (base !== undefined && f.prop !== `${base}Reference`)) return;
  const wrong = disallowedTarget(rule.targets!, value, (run.contained ??= containedIdsOf(run.resource.contained)));
  if (wrong) report(run, 'processing', f.expr, rule, `refers to a ${wrong}, which this profile does not allow (Reference(${[...rule.targets!.allowed].join(' | ')}))`, TARGET_RULE);
}

/** An element typed with a vendored extension or datatype profile is checked against it too. */
export function checkNestedProfile(run: CheckRun, canonical: string, value: Record<string, unknown>, at: Found): void {
  const url = stripVersion(canonical);
  if (url === run.profile.url || run.stack.includes(url)) return;
  const nested = compiledProfile(url);
  if (!nested) return;
  run.stack.push(url);
  const outer = run.label;
  run.label = `${outer} > ${nested.name} (${nested.url})`;
  for (const c of nested.root.constraints) checkConstraint(run, nested.root, c, at);
  checkChildren(run, nested.root, value, at);
  run.label = outer;
  run.stack.pop();
}

export function checkConstraint(run: CheckRun, rule: ElementRule, c: ElementRule['constraints'][number], f: Found): void {
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
  run.failed ??= new Set();
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

/** Whether an item belongs to a slice, by the discriminators (sliced elements without a slice index). */
function sliceMatch(slice: ElementRule, sliced: ElementRule, f: Found): Match {
  let result: Match = 'yes';
  for (const d of sliced.slicing?.discriminator ?? []) {
    const m = discriminatorMatch(slice, d, f, sliced);
    if (m === 'no') return 'no';
    if (m === 'unknown') result = 'unknown';
  }
  return result;
}

export function checkSlices(run: CheckRun, sliced: ElementRule, found: readonly Found[], at: Found, bare: string): void {
  const slices = sliced.slices;
  const plan = planOf(sliced);
  const index = sliced.sliceIndex;
  const closed = sliced.slicing?.rules === 'closed';
  const counts = new Array<number>(slices.length).fill(0);
  let undecidable: Set<ElementRule> | undefined;
  for (const f of found) {
    let matched = -1;
    if (index) {
      // One code or URL tells the slices apart: the first slice (in order) keyed by any of the item's keys.
      matched = matchSlice(f.value, index);
    } else if (plan.undecidable) {
      undecidable ??= new Set(slices);
    } else {
      for (let i = 0; i < slices.length; i++) {
        const m = sliceMatch(slices[i], sliced, f);
        if (m === 'unknown') (undecidable ??= new Set()).add(slices[i]);
        if (m !== 'yes') continue;
        matched = i;
        break;
      }
    }
    if (matched >= 0) {
      counts[matched]++;
      if (planOf(slices[matched]).valueWork) checkValue(run, slices[matched], f);
    } else if (closed && !f.extensionOnly) {
      reportClosed(run, sliced, f);
    } else if (sliced.subExtensions && !undecidable) {
      reportUndefinedSub(run, sliced, f);
    }
  }
  let where: string | undefined;
  for (let i = 0; i < slices.length; i++) {
    const slice = slices[i];
    if (undecidable?.has(slice)) continue;
    const count = counts[i];
    if (count >= slice.min && count <= slice.max) continue;
    where ??= whereOf(at, found, bare);
    cardinality(run, slice, count, where);
  }
}

/** Checks a whole resource against one compiled profile. */
export function checkResource(profile: CompiledProfile, resource: Record<string, unknown>, severity: Severity, note = ''): Issue[] {
  const label = `${profile.name} (${profile.url})${note}`;
  const run: CheckRun = { profile, label, severity, issues: [], resource, stack: [profile.url], failed: undefined, contained: undefined };
  const rt = String(resource.resourceType);
  if (rt !== profile.type) {
    report(run, 'processing', rt, profile.root, `applies to ${profile.type} resources, not ${rt}`);
    return run.issues;
  }
  const top = rootFound(resource, rt);
  // The root element's own rules (its constraints: dom-3, dom-5 …), then its children, as generated code (compile-checker.ts).
  profile.checker ??= compileChecker(profile);
  profile.checker(run, resource, top);
  // the rules the server adds to some profiles (server-rules.ts) belong to the same check
  run.issues.push(...serverRuleIssues(profile, resource, severity, note));
  return run.issues;
}
