import type { Resource } from '@medplum/fhirtypes';
import type { SearchIndex } from '../storage/types.js';
import { compileExtractor, type Extractor } from './fhirpath-extract.js';
import { CUSTOM_INDEXERS } from './genomics-params.js';
import { UNION_ALIASES } from './aliases.js';
import { ENTRY_BUILDERS, joinForms, type IndexEntries } from './index-values.js';
import { GROUP_INDEXERS } from './observation-components.js';
import { paramByUrl, paramsFor, UNSUPPORTED, type ParamDef } from './registry.js';

/**
 * Computes the search index of a resource at write time (DESIGN.md "Search"): every parameter
 * of its type, evaluated once, normalized by index-values.ts. `_id` and `_lastUpdated` are not
 * stored here: the query compiler maps them to the IndexedDoc's own `id` and `lu` fields.
 */
interface PlanItem {
  code: string;
  run: (r: Record<string, unknown>, out: IndexEntries) => void;
}

const NOT_INDEXED = new Set(['_id', '_lastUpdated', ...UNSUPPORTED]);
const plans = new Map<string, PlanItem[]>();

function simpleItem(def: ParamDef, type: string): PlanItem | undefined {
  const build = ENTRY_BUILDERS[def.type];
  if (!build || !def.expression) return undefined;
  const extract = compileExtractor(def.expression, type);
  return { code: def.code, run: (r, out) => { for (const e of extract(r)) build(out, def.code, e); } };
}

/** Composite: one entry per repeating element, with each component's values (search.html#composite). */
function compositeItem(def: ParamDef, type: string): PlanItem | undefined {
  if (!def.expression || !def.component?.length) return undefined;
  const base = compileExtractor(def.expression, type);
  const parts: Array<{ extract: Extractor; build: NonNullable<(typeof ENTRY_BUILDERS)['token']>; fromRoot: boolean }> = [];
  for (const c of def.component) {
    const sub = paramByUrl(c.definition);
    const build = sub && ENTRY_BUILDERS[sub.type];
    if (!build) return undefined;
    // `%resource.x` (MolecularSequence coordinates) reads the resource, not the repeating element
    const fromRoot = c.expression.startsWith('%resource.');
    const extract = fromRoot ? compileExtractor(`${type}.${c.expression.slice(10)}`, type) : compileExtractor(`Element.${c.expression}`, 'Element');
    parts.push({ extract, build, fromRoot });
  }
  const allTokens = def.component.length === 2 && def.component.every((c) => paramByUrl(c.definition)?.type === 'token');
  return {
    code: def.code,
    run: (r, out) => {
      for (const el of base(r)) {
        const entry: Record<string, unknown[]> = {};
        let complete = true;
        parts.forEach((p, i) => {
          const tmp: IndexEntries = {};
          for (const v of p.extract(p.fromRoot ? r : el.value)) p.build(tmp, 'v', v);
          if (tmp.v?.length) entry[`c${i}`] = tmp.v;
          else complete = false;
        });
        if (!complete) continue;
        const arr = (out[def.code] ??= []);
        if (allTokens) for (const j of joinForms(entry.c0, entry.c1)) arr.includes(j) || arr.push(j);
        else arr.push(entry);
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
    const item = c
      ? { code: def.code, run: (r: Record<string, unknown>, out: IndexEntries) => c(r, out, def.code) }
      : def.type === 'composite' ? compositeItem(def, type) : simpleItem(def, type);
    if (item) plan.push(item);
  }
  plans.set(type, plan);
  return plan;
}

export function computeIndex(resource: Resource): SearchIndex {
  const out: IndexEntries = {};
  const r = resource as unknown as Record<string, unknown>;
  for (const item of planFor(resource.resourceType)) {
    try {
      item.run(r, out);
    } catch {
      // Validation runs first, so only shapes outside the R4 model get here; one parameter that
      // cannot be read must not make the resource unwritable (it is simply not indexed for it).
    }
  }
  // Returned as built: the embedded store serializes it at once (it is not kept as objects), and
  // a composite whose components all came out empty leaves an empty array to drop.
  for (const k in out) if (!out[k].length) delete out[k];
  return out;
}
