import type { Resource } from '@medplum/fhirtypes';
import type { SearchIndex } from '../storage/types.js';
import { compileVisitor, withRoot, type Sink, type Visitor } from './fhirpath-extract.js';
import { CUSTOM_INDEXERS } from './genomics-params.js';
import { UNION_ALIASES } from './aliases.js';
import { Acc, fieldOf, ListSink, type ValueSink } from './index-sink.js';
import { keysOf, joinForms, VALUE_BUILDERS, type ValueBuilder } from './index-values.js';
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
}

const NOT_INDEXED = new Set(['_id', '_lastUpdated', ...UNSUPPORTED]);
const plans = new Map<string, PlanItem[]>();

function simpleItem(def: ParamDef, type: string): PlanItem | undefined {
  const build = VALUE_BUILDERS[def.type];
  if (!build || !def.expression) return undefined;
  const keys = keysOf(def.code);
  const sink: Sink<ValueSink> = (v, t, out) => build(out, keys, v, t);
  return { code: def.code, run: compileVisitor(def.expression, type, sink) };
}

const collect: Sink<unknown[]> = (v, _t, acc) => { acc.push(v); };
const V = keysOf('v');
const PART_NAMES = ['c0', 'c1', 'c2', 'c3', 'c4', 'c5'];

/** Composite: one entry per repeating element, with each component's values (search.html#composite). */
function compositeItem(def: ParamDef, type: string): PlanItem | undefined {
  if (!def.expression || !def.component?.length || def.component.length > PART_NAMES.length) return undefined;
  const base = compileVisitor(def.expression, type, collect);
  const parts: Array<{ visit: Visitor<ValueSink>; fromRoot: boolean }> = [];
  for (const c of def.component) {
    const sub = paramByUrl(c.definition);
    const build: ValueBuilder | undefined = sub && VALUE_BUILDERS[sub.type];
    if (!build) return undefined;
    const sink: Sink<ValueSink> = (v, t, tmp) => build(tmp, V, v, t);
    // `%resource.x` (MolecularSequence coordinates) reads the resource, not the repeating element
    const fromRoot = c.expression.startsWith('%resource.');
    const visit = fromRoot ? compileVisitor(`${type}.${c.expression.slice(10)}`, type, sink) : compileVisitor(`Element.${c.expression}`, 'Element', sink);
    parts.push({ visit, fromRoot });
  }
  const allTokens = def.component.length === 2 && def.component.every((c) => paramByUrl(c.definition)?.type === 'token');
  const field = fieldOf(def.code);
  return {
    code: def.code,
    run: (r, out) => {
      const elements: unknown[] = [];
      base(r, elements);
      for (const el of elements) {
        const entry: Record<string, unknown[]> = {};
        let complete = true;
        for (let i = 0; i < parts.length; i++) {
          const p = parts[i];
          const tmp = new ListSink(V.k);
          p.visit(p.fromRoot ? r : el, tmp);
          if (tmp.values.length) entry[PART_NAMES[i]] = tmp.values;
          else complete = false;
        }
        if (!complete) continue;
        out.touch(field);
        if (allTokens) for (const j of joinForms(entry.c0, entry.c1)) out.add(field, j);
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

/** One collector, reused: computeIndex runs to completion before it can be called again. */
let spare: Acc | undefined = new Acc();

export function computeIndex(resource: Resource): SearchIndex {
  const acc = spare ?? new Acc();
  spare = undefined;
  const r = resource as unknown as Record<string, unknown>;
  const plan = planFor(resource.resourceType);
  try {
    return withRoot(r, () => {
      for (let i = 0; i < plan.length; i++) {
        try {
          plan[i].run(r, acc);
        } catch {
          // Validation runs first, so only shapes outside the R4 model get here; one parameter that
          // cannot be read must not make the resource unwritable (it is simply not indexed for it).
        }
      }
      // Fields with values only: a composite whose components all came out empty leaves none.
      return acc.finish();
    });
  } finally {
    spare = acc;
  }
}
