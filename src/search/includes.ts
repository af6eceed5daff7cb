import { fhirError } from '../fhir/errors.js';
import type { Issue } from '../fhir/outcome.js';
import type { IndexedDoc, ResourceStore, StoreTx, VersionRecord } from '../storage/types.js';
import { QUERY_TIME_LIMIT_MS } from '../storage/time-limit.js';
import { indexFields } from './aliases.js';
import { andAll } from './build-filter.js';
import type { Filter } from './compile.js';
import { KEY_ORDER } from './paging.js';
import { compareValues } from './sort-order.js';
import { getParam, paramsFor, typeModifierProblem, type ParamDef } from './registry.js';
import { resourceTypes } from '../fhir/resource-types.js';

/**
 * `_include` and `_revinclude` (https://hl7.org/fhir/R4/search.html#include), with `:iterate`
 * and `*`. References are read from the stored index (no resource is parsed to follow them).
 * Bounded: at most MAX_INCLUDES resources and MAX_ITERATIONS rounds of `:iterate`.
 * Included resources come in (resourceType, id) order, every round together: the same Bundle on
 * both stores, whatever order references are listed or resources were written in. They are
 * ordered here, after reading: a forward include reads by id in that order (`{t, id}` hands it
 * out), a reverse include unsorted, since on MongoDB a sort of up to MAX_INCLUDES matches of a
 * reference field would be a blocking sort of that many whole documents (so when there are more
 * than MAX_INCLUDES, which ones a reverse include keeps depends on the store: a warning says so).
 */
export const MAX_INCLUDES = 5000;
const MAX_ITERATIONS = 4;

interface Spec {
  source: string;
  param: string;
  target?: string;
  iterate: boolean;
  rev: boolean;
}

function parseSpecs(result: Record<string, string[]>): Spec[] {
  const specs: Spec[] = [];
  for (const [key, values] of Object.entries(result)) {
    const [base, mod] = key.split(':');
    if (base !== '_include' && base !== '_revinclude') continue;
    if (mod !== undefined && mod !== 'iterate' && mod !== 'recurse') throw fhirError('INVALID_SEARCH', `Unknown modifier ${key}`, key);
    for (const v of values) {
      const [source, param, target] = v.split(':');
      if (v === '*') {
        specs.push({ source: '*', param: '*', iterate: mod !== undefined, rev: base === '_revinclude' });
        continue;
      }
      if (!source || !param) throw fhirError('INVALID_SEARCH', `${key}=${v}: expected Type:parameter[:targetType]`, key);
      if (param !== '*' && getParam(source, param)?.type !== 'reference') {
        throw fhirError('INVALID_SEARCH', `${key}=${v}: ${source} has no reference parameter "${param}"`, key);
      }
      const targetProblem = target === undefined ? undefined : typeModifierProblem(param === '*' ? undefined : getParam(source, param), target);
      if (targetProblem) throw fhirError('INVALID_SEARCH', `${key}=${v}: ${targetProblem}`, key);
      specs.push({ source, param, target, iterate: mod !== undefined, rev: base === '_revinclude' });
    }
  }
  return specs;
}

/**
 * The `_include`/`_revinclude` values that cannot include anything from the types a search finds
 * (`Patient?_include=Observation:subject`: no match is an Observation; `Practitioner?_revinclude=Observation:subject`:
 * Observation.subject never points at a Practitioner). They are well formed, so parseSpecs takes
 * them, but ignoring one unseen would answer a Bundle without what was asked for as if there were
 * none: execute.ts says so, as it does for a parameter it ignores. `:iterate` ones are left alone
 * (a later round's types are not known here), as is every search of all types.
 */
export function vacuousIncludes(result: Record<string, string[]>, types: string[] | undefined): Array<{ key: string; message: string }> {
  if (!types) return [];
  const searched = types.length <= 3 ? ` (${types.join(', ')})` : '';
  const out: Array<{ key: string; message: string }> = [];
  for (const k of ['_include', '_revinclude']) {
    for (const v of result[k] ?? []) {
      const [source, param, target] = v.split(':');
      if (v === '*' || !source || !param) continue;
      if (k === '_include') {
        if (!types.includes(source)) out.push({ key: k, message: `${k}=${v} includes nothing: the search finds no ${source}${searched}` });
        continue;
      }
      const reach = target ? [target] : param === '*' ? undefined : getParam(source, param)?.target;
      if (reach && !reach.some((t) => types.includes(t))) {
        out.push({ key: k, message: `${k}=${v} includes nothing: ${source}.${param}${target ? ` (${target})` : ''} does not point at the types searched${searched}` });
      }
    }
  }
  return out;
}

/**
 * The `_include` values a search of `type` takes (CapabilityStatement.rest.resource.searchInclude):
 * each of its reference parameters as `Type:param`, and `*`; read from the same definitions
 * parseSpecs checks, so the statement lists exactly what is accepted.
 */
export function includeValues(type: string): string[] {
  return [...refParams(type).map((p) => `${type}:${p}`), '*'];
}

/**
 * The `_revinclude` values a search of `type` takes (searchRevInclude): every type's reference
 * parameter that can point at `type` (vacuousIncludes refuses the others under strict handling), and `*`.
 */
export function revIncludeValues(type: string): string[] {
  const out: string[] = [];
  for (const source of resourceTypes()) {
    for (const d of refDefs(source)) if (!d.target || d.target.includes(type)) out.push(`${source}:${d.code}`);
  }
  return [...out, '*'];
}

function refParams(type: string): string[] {
  return refDefs(type).map((d) => d.code);
}

function refDefs(type: string): ParamDef[] {
  return paramsFor(type).filter((d) => d.type === 'reference');
}

export interface IncludeResult {
  records: VersionRecord[];
  issues: Issue[];
}

/**
 * Resolves includes for the matched docs. `restrict(type)` returns the compartment filter for a type
 * (or undefined when unrestricted), so included resources obey the same compartment as matches.
 */
export async function resolveIncludes(
  store: Pick<ResourceStore | StoreTx, 'search'>, matches: IndexedDoc[], result: Record<string, string[]>,
  restrict: (type: string) => Filter | undefined,
): Promise<IncludeResult> {
  const specs = parseSpecs(result);
  const out: VersionRecord[] = [];
  const issues: Issue[] = [];
  if (!specs.length) return { records: out, issues };
  const seen = new Set(matches.map((d) => `${d.t}/${d.id}`));
  let frontier = matches;
  for (let round = 0; round <= MAX_ITERATIONS && frontier.length; round++) {
    const active = specs.filter((s) => round === 0 || s.iterate);
    if (!active.length) break;
    const wanted = new Map<string, Set<string>>(); // type -> ids (forward includes)
    const revQueries: Array<{ type: string; param: string; refs: string[] }> = [];
    for (const s of active) {
      if (!s.rev) {
        for (const d of frontier) {
          if (s.source !== '*' && d.t !== s.source) continue;
          for (const p of s.param === '*' ? refParams(d.t) : [s.param]) {
            for (const f of indexFields(d.t, p)) {
              for (const r of (d.x[f] as unknown[] | undefined) ?? []) {
                if (typeof r !== 'string' || seen.has(r)) continue;
                const m = /^([A-Z][A-Za-z]+)\/([^/]+)$/.exec(r);
                if (!m || (s.target && m[1] !== s.target)) continue;
                let set = wanted.get(m[1]);
                if (!set) wanted.set(m[1], (set = new Set()));
                set.add(m[2]);
              }
            }
          }
        }
      } else if (s.source !== '*') {
        const refs = frontier.filter((d) => !s.target || d.t === s.target).map((d) => `${d.t}/${d.id}`);
        for (const p of s.param === '*' ? refParams(s.source) : [s.param]) if (refs.length) revQueries.push({ type: s.source, param: p, refs });
      } else {
        // `_revinclude=*`: every reference parameter, of every type, that can point at what was found
        const refsByType = new Map<string, string[]>();
        for (const d of frontier) {
          let list = refsByType.get(d.t);
          if (!list) refsByType.set(d.t, (list = []));
          list.push(`${d.t}/${d.id}`);
        }
        for (const type of resourceTypes()) {
          for (const def of refDefs(type)) {
            const refs = (def.target ?? []).flatMap((t) => refsByType.get(t) ?? []);
            if (refs.length) revQueries.push({ type, param: def.code, refs });
          }
        }
      }
    }
    const next: IndexedDoc[] = [];
    const take = async (type: string, filter: Filter, byId: boolean) => {
      const limit = MAX_INCLUDES - out.length;
      if (limit <= 0) return;
      const r = restrict(type);
      const sort = byId ? KEY_ORDER : undefined;
      const res = await store.search({ types: [type], filter: r ? andAll([filter, r]) : filter, sort, limit: limit + 1, maxTimeMs: QUERY_TIME_LIMIT_MS });
      res.docs.forEach((d, i) => {
        const k = `${d.t}/${d.id}`;
        if (seen.has(k) || out.length >= MAX_INCLUDES) return;
        seen.add(k);
        out.push(res.records[i]);
        next.push(d);
      });
      if (res.docs.length > limit) {
        issues.push({ severity: 'warning', code: 'too-costly', diagnostics: `Included resources were limited to ${MAX_INCLUDES}` });
      }
    };
    for (const [type, ids] of wanted) await take(type, { id: { $in: [...ids] } }, true);
    for (const q of revQueries) {
      const fields = indexFields(q.type, q.param);
      await take(q.type, fields.length === 1 ? { [`x.${fields[0]}`]: { $in: q.refs } } : { $or: fields.map((f) => ({ [`x.${f}`]: { $in: q.refs } })) }, false);
    }
    frontier = next;
  }
  out.sort((a, b) => compareValues(a.resourceType, b.resourceType) || compareValues(a.id, b.id));
  return { records: out, issues };
}
