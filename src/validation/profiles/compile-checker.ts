import type { CompiledProfile, ElementRule } from './compile-profile.js';
import { checkBinding } from './check-binding.js';
import {
  cardinality,
  checkConstraint,
  choiceMax,
  checkNestedProfile,
  checkSlices,
  checkTarget,
  reportClosed,
  reportFixed,
  reportPattern,
  reportType,
  reportUndefinedSub,
  reportNoValue,
  whereOf,
  type CheckRun,
} from './check-profile.js';
import { Found, foundIn, NO_VALUES } from './instance-values.js';
import { deepEqual } from './pattern.js';
import { disallowedChoiceType, planOf } from './rule-plan.js';
import { matchSlice, type SliceIndex } from './slice-index.js';

/**
 * The profile checker of check-profile.ts, specialised to one compiled profile as JavaScript
 * (`new Function`, generated from the vendored StructureDefinitions only): one function per rule
 * with its element names, cardinalities and slice tables written in. Beyond dropping the
 * interpreter's loops over rules, every generated property read sees the instances of one rule
 * only (the components of one slice, say), so V8 keeps it monomorphic; the interpreter's single
 * `obj[child.name]` saw every shape of every element.
 *
 * The generated code does what checkChildren / checkValue / checkSlices do, in the same order,
 * and calls their helpers for everything that reports (so the issues are written in one place),
 * for bindings, constraints, nested profiles and slicings without a slice index. The golden test
 * (test/validation/golden.test.ts) holds it to the interpreter's output.
 */
export type ProfileChecker = (run: CheckRun, resource: Record<string, unknown>, top: Found) => void;

/** What generated code calls (built on first use: check-profile.ts and this module import each other). */
const helpers = () => ({
  NONE: NO_VALUES,
  Found,
  foundIn,
  card: cardinality,
  whereOf,
  disallowed: disallowedChoiceType,
  planOf,
  reportType,
  reportFixed,
  reportPattern,
  reportClosed,
  reportUndefinedSub,
  reportNoValue,
  deepEqual,
  checkBinding,
  checkConstraint,
  checkNestedProfile,
  checkSlices,
  checkTarget,
  matchSlice,
  hasOwn: Object.prototype.hasOwnProperty,
});

const str = JSON.stringify;

/**
 * matchSlice (slice-index.ts) written out for one slice index, as a function `name(it)`: its
 * reads then see the items of this one sliced element only.
 */
function matchSliceFunction(name: string, index: SliceIndex, ref: string): string {
  if (index.path === 'url') return `function ${name}(it) { if (it === null || typeof it !== "object" || Array.isArray(it)) return -1; const u = it.url; return typeof u === "string" ? (${ref}.positionOf.get(u) ?? -1) : -1; }`;
  if (!index.bySystem) return `function ${name}(it) { return H.matchSlice(it, ${ref}); }`;
  const codings = index.path === 'code' ? 'const cc = it.code; const cs = cc !== null && typeof cc === "object" && !Array.isArray(cc) ? cc.coding : undefined;' : 'const cs = it.coding;';
  return `function ${name}(it) {
  if (it === null || typeof it !== "object" || Array.isArray(it)) return -1;
  ${codings}
  if (!Array.isArray(cs)) return -1;
  let best = -1;
  for (let i = 0; i < cs.length; i++) {
    const c = cs[i];
    if (c === null || typeof c !== "object" || Array.isArray(c) || typeof c.system !== "string" || typeof c.code !== "string") continue;
    const at = ${ref}.bySystem.get(c.system)?.get(c.code);
    if (at !== undefined && (best < 0 || at < best)) best = at;
  }
  return best;
}`;
}

class Generator {
  readonly rules: ElementRule[] = [];
  readonly patterns: Array<(value: unknown) => boolean> = [];
  readonly code: string[] = [];
  /** Slice tables to fill once every function exists: table index -> function names (or null). */
  readonly tableNames: Array<Array<string | null>> = [];
  private readonly ids = new Map<ElementRule, number>();
  private readonly childrenFns = new Map<ElementRule, string>();
  private readonly valueFns = new Map<ElementRule, string>();
  private readonly slicesFns = new Map<ElementRule, string>();

  id(rule: ElementRule): number {
    let i = this.ids.get(rule);
    if (i === undefined) {
      i = this.rules.length;
      this.rules.push(rule);
      this.ids.set(rule, i);
    }
    return i;
  }

  /** `function c<i>(run, obj, at)`: checkChildren(run, rule, obj, at). */
  children(rule: ElementRule): string {
    let name = this.childrenFns.get(rule);
    if (name) return name;
    name = `c${this.id(rule)}`;
    this.childrenFns.set(rule, name);
    const body = planOf(rule).active.map((child) => this.child(child));
    this.code.push(`function ${name}(run, obj, at) {\n${body.join('\n')}\n}`);
    return name;
  }

  private child(child: ElementRule): string {
    const plan = planOf(child);
    const r = `R[${this.id(child)}]`;
    const sliced = child.slices.length > 0;
    const tooFew = child.ownMin > 0 ? `n < ${child.ownMin}` : '';
    const max = plan.choiceBase !== undefined ? choiceMax(child) : child.max;
    const tooMany = Number.isFinite(max) ? `n > ${max}` : '';
    const badCount = [tooFew, tooMany].filter(Boolean).join(' || ');
    const value = plan.valueWork ? this.value(child) : undefined;
    const slices = sliced ? this.slices(child) : undefined;
    const lines: string[] = ['  {'];
    if (plan.choiceBase !== undefined) {
      // Every `value[x]` form present, in key order (choiceValues).
      const base = plan.choiceBase;
      lines.push(
        '    let found = H.NONE;',
        `    for (const k in obj) { if (k.length > ${base.length} && k.charCodeAt(0) === ${base.charCodeAt(0)} && H.hasOwn.call(obj, k) && k.startsWith(${str(base)})) {`,
        `      const up = k.charCodeAt(${base.length}); if (up < 65 || up > 90) continue;`,
        '      const v = obj[k]; if (found === H.NONE) found = [];',
        '      if (Array.isArray(v)) { for (let i = 0; i < v.length; i++) found.push(new H.Found(k, v[i], at, i, false)); } else found.push(new H.Found(k, v, at, -1, false));',
        '    } }',
        '    const n = found.length;',
        // a required element is checked when absent too (its cardinality)
        `    ${child.min > 0 ? '{' : 'if (n !== 0) {'}`,
      );
      if (badCount) lines.push(`      if (${badCount}) H.card(run, ${r}, n, H.whereOf(at, found, ${str(plan.bare)}));`);
      if (value) lines.push(`      for (let i = 0; i < n; i++) ${value}(run, found[i]);`);
      if (slices) lines.push(`      ${slices}(run, found, at);`);
      lines.push('    }', '  }');
      return lines.join('\n');
    }
    lines.push(
      `    let v = obj[${str(child.name)}]; let eo = false;`,
      `    if (v === undefined || v === null) { v = obj[${str(plan.extName)}]; eo = true; }`,
      '    const n = v === undefined ? 0 : Array.isArray(v) ? v.length : 1;',
      `    ${child.min > 0 ? '{' : 'if (n !== 0) {'}`,
    );
    if (badCount) lines.push(`      if (${badCount}) H.card(run, ${r}, n, at.expr + ${str('.' + child.name)});`);
    if (child.fixed || child.pattern) lines.push(`      if (eo) H.reportNoValue(run, ${r}, v, at);`);
    if (slices) {
      lines.push(`      const found = n === 0 ? H.NONE : H.foundIn(v, ${str(child.name)}, at, eo);`);
      if (value) lines.push(`      if (!eo) for (let i = 0; i < n; i++) ${value}(run, found[i]);`);
      lines.push(`      ${slices}(run, found, at);`);
    } else if (value) {
      // Values given by extensions only are not checked (checkValue returns at once for them).
      lines.push(
        '      if (!eo) {',
        `        if (Array.isArray(v)) { for (let i = 0; i < n; i++) ${value}(run, new H.Found(${str(child.name)}, v[i], at, i, false)); }`,
        `        else ${value}(run, new H.Found(${str(child.name)}, v, at, -1, false));`,
        '      }',
      );
    }
    lines.push('    }', '  }');
    return lines.join('\n');
  }

  /** `function v<i>(run, f)`: checkValue(run, rule, f). */
  value(rule: ElementRule): string {
    let name = this.valueFns.get(rule);
    if (name) return name;
    const i = this.id(rule);
    name = `v${i}`;
    this.valueFns.set(rule, name);
    const plan = planOf(rule);
    const r = `R[${i}]`;
    const lines = [`function ${name}(run, f) {`, '  if (f.extensionOnly) return;', '  const value = f.value;'];
    if (plan.choiceBase !== undefined && rule.types.length) {
      lines.push(`  { const t = H.disallowed(${r}, H.planOf(${r}), f.prop); if (t !== '') { H.reportType(run, ${r}, f, t); return; } }`);
    }
    if (rule.fixed) lines.push(`  if (!H.deepEqual(value, ${r}.fixed.value)) H.reportFixed(run, ${r}, f);`);
    if (rule.pattern) {
      this.patterns.push(plan.matchesPattern!);
      lines.push(`  if (!M[${this.patterns.length - 1}](value)) H.reportPattern(run, ${r}, f);`);
    }
    if (rule.binding) lines.push(`  H.checkBinding(run, ${r}, f);`);
    if (rule.targets) lines.push(`  H.checkTarget(run, ${r}, f);`);
    if (rule.constraints.length) lines.push(`  for (const c of ${r}.constraints) H.checkConstraint(run, ${r}, c, f);`);
    const children = plan.active.length ? this.children(rule) : undefined;
    if (children || rule.typeProfiles.length) {
      lines.push('  if (value === null || typeof value !== "object" || Array.isArray(value)) return;');
      if (children) lines.push(`  ${children}(run, value, f);`);
      if (rule.typeProfiles.length) lines.push(`  for (const p of ${r}.typeProfiles) H.checkNestedProfile(run, p, value, f);`);
    }
    lines.push('}');
    this.code.push(lines.join('\n'));
    return name;
  }

  /** `function s<i>(run, found, at)`: checkSlices(run, rule, found, at, bare). */
  private slices(sliced: ElementRule): string {
    let name = this.slicesFns.get(sliced);
    if (name) return name;
    const i = this.id(sliced);
    name = `s${i}`;
    this.slicesFns.set(sliced, name);
    const bare = str(planOf(sliced).bare);
    if (!sliced.sliceIndex) {
      this.code.push(`function ${name}(run, found, at) { H.checkSlices(run, R[${i}], found, at, ${bare}); }`);
      return name;
    }
    this.code.push(matchSliceFunction(`m${i}`, sliced.sliceIndex, `R[${i}].sliceIndex`));
    const t = this.tableNames.length;
    this.tableNames.push([]); // reserve the index: the slices' own checks may add tables of their own
    this.tableNames[t] = sliced.slices.map((s) => (planOf(s).valueWork ? this.value(s) : null));
    const lines = [
      `function ${name}(run, found, at) {`,
      `  const counts = new Array(${sliced.slices.length}).fill(0);`,
      '  for (let j = 0; j < found.length; j++) {',
      '    const f = found[j];',
      `    const pos = m${i}(f.value);`,
      `    if (pos >= 0) { counts[pos]++; const check = T[${t}][pos]; if (check !== null) check(run, f); }`,
    ];
    if (sliced.slicing?.rules === 'closed') lines.push(`    else if (!f.extensionOnly) H.reportClosed(run, R[${i}], f);`);
    else if (sliced.subExtensions) lines.push(`    else H.reportUndefinedSub(run, R[${i}], f);`);
    lines.push('  }', '  let where;');
    sliced.slices.forEach((slice, k) => {
      const bad = [slice.min > 0 ? `counts[${k}] < ${slice.min}` : '', Number.isFinite(slice.max) ? `counts[${k}] > ${slice.max}` : ''].filter(Boolean).join(' || ');
      if (bad) lines.push(`  if (${bad}) H.card(run, R[${this.id(slice)}], counts[${k}], where ??= H.whereOf(at, found, ${bare}));`);
    });
    lines.push('}');
    this.code.push(lines.join('\n'));
    return name;
  }
}

/** The generated checker for a profile: the root's own rules (its value-level checks alone), then its children. */
export function compileChecker(profile: CompiledProfile): ProfileChecker {
  const rootValue: ElementRule = { ...profile.root, children: [], typeProfiles: [], plan: undefined };
  const g = new Generator();
  const value = planOf(rootValue).valueWork ? g.value(rootValue) : undefined;
  const children = planOf(profile.root).active.length ? g.children(profile.root) : undefined;
  // Slice tables: per indexed slicing, the value check of each slice (null when it has nothing to check).
  const tables = `const T = [${g.tableNames.map((names) => `[${names.map((n) => n ?? 'null').join(', ')}]`).join(', ')}];`;
  const entry = `return function check(run, resource, top) {${value ? ` ${value}(run, top);` : ''}${children ? ` ${children}(run, resource, top);` : ''} };`;
  // eslint-disable-next-line @typescript-eslint/no-implied-eval -- generated from the vendored profiles only, never from input
  const make = new Function('H', 'R', 'M', `"use strict";\n${g.code.join('\n')}\n${tables}\n${entry}`) as (...args: unknown[]) => ProfileChecker;
  return make(helpers(), g.rules, g.patterns);
}
