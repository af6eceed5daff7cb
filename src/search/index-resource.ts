import type { Resource } from '@medplum/fhirtypes';
import type { SearchIndex } from '../storage/types.js';
import { beginRoot, compileVisitor, endRoot, mayStart, rootSteps, type RootStep, type Sink, type Visitor } from './fhirpath-visitor.js';
import { CUSTOM_INDEXERS } from './genomics-params.js';
import { splitTop } from './fhirpath-extract.js';
import { UNION_ALIASES } from './aliases.js';
import { Acc, fieldOf, ListSink, type Field, type ValueSink } from './index-sink.js';
import { compositePart, keysOf, VALUE_BUILDERS, type ValueBuilder } from './index-values.js';
import { SharedPairs } from './shared-strings.js';
import { codingEntry } from './coding-cache.js';
import { termSystems } from './code-systems.js';
import { GROUP_INDEXERS } from './observation-components.js';
import { paramByUrl, paramsFor, UNSUPPORTED, type ParamDef } from './registry.js';

/**
 * Computes the search index of a resource at write time (DESIGN.md "Search"): every parameter
 * of its type, evaluated once, normalized by index-values.ts. `_id` and `_lastUpdated` are not
 * stored here: the query compiler maps them to the IndexedDoc's own `id` and `lu` fields.
 * Each type's plan is compiled once: per parameter, a visitor of its expression bound to the
 * builder of its type and to its field names, so indexing a resource allocates little beyond
 * the values it stores.
 */
interface PlanItem {
  code: string;
  run: (r: Record<string, unknown>, out: ValueSink) => void;
  /**
   * What the item needs of a resource to yield anything: for each list, one of its first steps
   * (rootSteps) must find an element. Undefined: always run.
   */
  needs?: RootStep[][];
}

const NOT_INDEXED = new Set(['_id', '_lastUpdated', ...UNSUPPORTED]);
const plans = new Map<string, PlanItem[]>();

/** (a name Object.prototype has, `constructor` …, would be found on any resource: never skipped) */
function needsOf(needs: RootStep[][] | undefined): RootStep[][] | undefined {
  return needs?.some((list) => !list.length || list.some((s) => s.field in Object.prototype)) ? undefined : needs;
}

function simpleItem(def: ParamDef, type: string): PlanItem | undefined {
  const build = VALUE_BUILDERS[def.type];
  if (!build || !def.expression) return undefined;
  const keys = keysOf(def.code);
  // (every element the expression selects is the parameter's, whatever value it gives: `:missing`)
  const sink: Sink<ValueSink> = (v, t, out) => {
    out.present(keys);
    build(out, keys, v, t);
  };
  const steps = rootSteps(def.expression, type);
  const needs = needsOf(steps?.length ? [steps] : undefined);
  const terms = def.type === 'token' ? termSystems(def.expression, type) : [];
  if (!terms.some((x) => x.system)) return { code: def.code, run: compileVisitor(def.expression, type, sink), needs };
  // A `code` element with an implied system (code-systems.ts) is indexed as a Coding of that
  // system: `system|code` and `code`, never `|code` (it has a system, only not written down).
  const visitors = terms.map(({ term, system }) => {
    if (!system) return compileVisitor(term, type, sink);
    const coded: Sink<ValueSink> = (v, t, out) => {
      out.present(keys);
      if (typeof v !== 'string') return build(out, keys, v, t);
      const e = codingEntry(system, v);
      out.add(keys.k, e.token);
      out.add(keys.k, e.code);
    };
    return compileVisitor(term, type, coded);
  });
  return { code: def.code, run: (r, out) => { for (let i = 0; i < visitors.length; i++) visitors[i](r, out); }, needs };
}

const collect: Sink<unknown[]> = (v, _t, acc) => { acc.push(v); };
const V = keysOf('v');
const PART_NAMES = ['c0', 'c1', 'c2', 'c3', 'c4', 'c5'];

/** `a$b` of two token values (escaped), shared: an Observation's code and answer recur. */
const joined = new SharedPairs(16_384);
const joinPair = (a: string, b: string): string => `${compositePart(a)}$${compositePart(b)}`;

/** Token$token composites are stored as joined strings (every form combination): compact and indexable. */
function joinTokens(out: ValueSink, field: Field, a: unknown[], b: unknown[]): void {
  for (const x of a) {
    if (typeof x !== 'string') continue;
    for (const y of b) if (typeof y === 'string') out.add(field, joined.get(x, y, joinPair));
  }
}

/** Composite: one entry per repeating element, with each component's values (search.html#composite). */
function compositeItem(def: ParamDef, type: string): PlanItem | undefined {
  if (!def.expression || !def.component?.length || def.component.length > PART_NAMES.length) return undefined;
  const base = compileVisitor(def.expression, type, collect);
  const parts: Array<{ visit: Visitor<ValueSink>; fromRoot: boolean }> = [];
  // On the resource itself (`Observation`: code-value-quantity …), every part must find its element;
  // else the base must.
  const baseSteps = rootSteps(def.expression, type);
  let needs: RootStep[][] | undefined = baseSteps?.length ? [baseSteps] : baseSteps ? [] : undefined;
  for (const c of def.component) {
    const sub = paramByUrl(c.definition);
    const build: ValueBuilder | undefined = sub && VALUE_BUILDERS[sub.type];
    if (!build) return undefined;
    const sink: Sink<ValueSink> = (v, t, tmp) => build(tmp, V, v, t);
    // `%resource.x` (MolecularSequence coordinates) reads the resource, not the repeating element
    const fromRoot = c.expression.startsWith('%resource.');
    // every term of a union is relative to the element (`value.as(Quantity) | value.as(Range)`:
    // prefixing the first alone left the second unresolved, and Ranges and Periods unindexed)
    const partExpression = fromRoot ? `${type}.${c.expression.slice(10)}` : splitTop(c.expression, '|').map((t) => `Element.${t.trim()}`).join(' | ');
    const partType = fromRoot ? type : 'Element';
    const visit = compileVisitor(partExpression, partType, sink);
    parts.push({ visit, fromRoot });
    if (baseSteps?.length === 0 && needs) {
      const partSteps = rootSteps(partExpression, partType);
      needs = partSteps?.length ? [...needs, partSteps] : undefined;
    }
  }
  // (never empty here: there is at least one component)
  const allTokens = def.component.length === 2 && def.component.every((c) => paramByUrl(c.definition)?.type === 'token');
  const field = fieldOf(def.code);
  return {
    code: def.code,
    needs: needsOf(needs),
    run: (r, out) => {
      const elements: unknown[] = [];
      base(r, elements);
      for (const el of elements) {
        // Parts are read last first: an element is indexed only when every part has values, and the
        // answer parts (`value.as(Quantity)` …) are the ones that are mostly missing.
        const values: unknown[][] = [];
        let complete = true;
        for (let i = parts.length - 1; i >= 0 && complete; i--) {
          const p = parts[i];
          const tmp = new ListSink(V.k, out.ownBase);
          p.visit(p.fromRoot ? r : el, tmp);
          if (tmp.values.length) values[i] = tmp.values;
          else complete = false;
        }
        if (!complete) continue;
        const entry: Record<string, unknown[]> = {};
        for (let i = 0; i < parts.length; i++) entry[PART_NAMES[i]] = values[i];
        out.touch(field);
        if (allTokens) joinTokens(out, field, entry.c0, entry.c1);
        else out.add(field, entry);
      }
    },
  };
}

export function planFor(type: string): PlanItem[] {
  let plan = plans.get(type);
  if (plan) return plan;
  plan = [];
  const custom = CUSTOM_INDEXERS[type] ?? {};
  const group = GROUP_INDEXERS[type];
  if (group) plan.push({ code: group.codes.join(','), run: group.run });
  for (const def of paramsFor(type)) {
    if (NOT_INDEXED.has(def.code) || UNION_ALIASES[type]?.[def.code] || group?.codes.includes(def.code)) continue;
    const c = custom[def.code];
    const keys = keysOf(def.code);
    const item = c
      ? { code: def.code, run: (r: Record<string, unknown>, out: ValueSink) => c(r, out, keys) }
      : def.type === 'composite' ? compositeItem(def, type) : simpleItem(def, type);
    if (item) plan.push(item);
  }
  plans.set(type, plan);
  return plan;
}

/**
 * The plan items that can yield anything for a resource with these keys: most parameters of a type
 * read elements a given resource does not have (a Variant has a dozen of an Observation's thirty).
 * Resources of one kind have the same keys in the same order, so the filtered plan is kept per key
 * sequence, in a trie per type (bounded: past MAX_KEY_NODES, resources get the whole plan).
 */
interface KeyNode {
  next: Map<string, KeyNode> | undefined;
  plan: PlanItem[] | undefined;
}
const keyTries = new Map<string, KeyNode>();
let keyNodes = 0;
const MAX_KEY_NODES = 20_000;

function mayYield(item: PlanItem, keys: string[]): boolean {
  return !item.needs || item.needs.every((list) => list.some((step) => mayStart(step, keys)));
}

function planForResource(type: string, r: Record<string, unknown>): PlanItem[] {
  let node: KeyNode | undefined = keyTries.get(type);
  if (!node) keyTries.set(type, (node = { next: undefined, plan: undefined }));
  for (const k in r) {
    let next: KeyNode | undefined = node.next?.get(k);
    if (next === undefined) {
      if (keyNodes >= MAX_KEY_NODES) return planFor(type);
      keyNodes++;
      next = { next: undefined, plan: undefined };
      (node.next ??= new Map()).set(k, next);
    }
    node = next;
  }
  if (node.plan === undefined) {
    const keys: string[] = [];
    for (const k in r) keys.push(k);
    node.plan = planFor(type).filter((item) => mayYield(item, keys));
  }
  return node.plan;
}

/** One collector, reused: indexing runs to completion before it can be called again. */
let spare: Acc | undefined = new Acc();

/** `ownBase`: the server's BASE_URL, which makes `{ownBase}/Patient/p1` local (normalize.ts referenceKey). */
export function computeIndex(resource: Resource, ownBase: string): SearchIndex {
  return indexWith(resource, ownBase, undefined);
}

/**
 * computeIndex, and the fields `more` writes (kept even when empty), after the search fields and
 * in the same document: indexResource's gx-* fields (genomic-index.ts).
 */
export function indexWith(resource: Resource, ownBase: string, more: ((put: (name: string, values: unknown[]) => void) => void) | undefined): SearchIndex {
  const acc = spare ?? new Acc();
  spare = undefined;
  acc.ownBase = ownBase;
  const r = resource as unknown as Record<string, unknown>;
  const plan = planForResource(resource.resourceType, r);
  try {
    const prev = beginRoot(r);
    try {
      for (let i = 0; i < plan.length; i++) {
        try {
          plan[i].run(r, acc);
        } catch {
          // Validation runs first, so only shapes outside the R4 model get here; one parameter that
          // cannot be read must not make the resource unwritable (it is simply not indexed for it).
        }
      }
    } finally {
      endRoot(prev);
    }
    if (more) more((name, values) => acc.setKept(fieldOf(name), values));
    // Fields with values only: a composite whose components all came out empty leaves none.
    return acc.finish();
  } catch (e) {
    acc.finish(); // left empty for the next resource
    throw e;
  } finally {
    spare = acc;
  }
}
