import { fhirError } from '../fhir/errors.js';
import type { Issue } from '../fhir/outcome.js';
import { getParam, RESULT_PARAMS, typeModifierProblem, UNSUPPORTED, UNSUPPORTED_RESULT, type ParamDef } from './registry.js';

/**
 * Parses FHIR search parameters (https://hl7.org/fhir/R4/search.html) into an AST. Nothing here
 * touches the store: chains and `_has` stay symbolic and are resolved by the executor.
 * Repeated parameters are ANDed, comma-separated values ORed (search.html#combining).
 */
export interface ParamClause {
  kind: 'param';
  /** The key as written (for messages and the self link). */
  key: string;
  def: ParamDef;
  modifier?: string;
  /** OR-ed raw values (still escaped). */
  values: string[];
}
export interface ChainClause {
  kind: 'chain';
  key: string;
  def: ParamDef;
  /** Resource types the chain goes through (from `:Type` or the parameter's targets). */
  targetTypes: string[];
  /** The rest of the chain, e.g. `identifier` or `organization.name:exact`. */
  rest: string;
  value: string;
}
export interface HasClause {
  kind: 'has';
  key: string;
  /** `_has:Observation:subject:code` -> type Observation, via subject, then `code`. */
  type: string;
  via: string;
  rest: string;
  value: string;
}
export type Clause = ParamClause | ChainClause | HasClause;

export interface ParsedSearch {
  resourceType?: string;
  clauses: Clause[];
  /** Result parameters (`_sort`, `_count` …) as given, last value wins except includes. */
  result: Record<string, string[]>;
  issues: Issue[];
  /** Parameters actually used, for the self link. */
  used: Array<[string, string]>;
}

/** Splits on `sep` where it is not escaped with a backslash (search.html#escaping). */
export function splitEscaped(s: string, sep: string): string[] {
  const out: string[] = [];
  let cur = '';
  for (let i = 0; i < s.length; i++) {
    if (s[i] === '\\' && i + 1 < s.length) {
      cur += s[i] + s[i + 1];
      i++;
    } else if (s[i] === sep) {
      out.push(cur);
      cur = '';
    } else cur += s[i];
  }
  out.push(cur);
  return out;
}

export function unescape(s: string): string {
  return s.replace(/\\([\\,$|])/g, '$1');
}

const TYPE_MODIFIER = /^[A-Z][A-Za-z]+$/;

/**
 * How a parameter the server cannot apply is handled: `false` ignores it with a warning (a search
 * answers the rest), `true` throws at the first one (`Prefer: handling=strict`), 'refuse' reports
 * every one as an error without throwing (a conditional request refuses the whole request: an
 * ignored criterion would widen the match).
 */
export type Handling = boolean | 'refuse';

export function warnOrThrow(strict: Handling, issues: Issue[], key: string, msg: string): void {
  if (strict === true) throw fhirError('INVALID_SEARCH', msg, key);
  if (strict === 'refuse') issues.push({ severity: 'error', code: 'invalid', diagnostics: `${msg}; the request was refused`, expression: [key] });
  else issues.push({ severity: 'warning', code: 'not-supported', diagnostics: `${msg}; it was ignored`, expression: [key] });
}

/** Parses one `key=value` (a single repeat) for `type`. */
export function parseClause(type: string, key: string, value: string): Clause | undefined {
  if (key.startsWith('_has:')) {
    const parts = key.split(':');
    if (parts.length < 4) throw fhirError('INVALID_SEARCH', `${key}: _has needs _has:Type:reference:parameter`, key);
    const [, hasType, via, ...rest] = parts;
    const viaDef = getParam(hasType, via);
    if (!viaDef || viaDef.type !== 'reference') {
      throw fhirError('INVALID_SEARCH', `${key}: ${hasType} has no reference parameter "${via}"`, key);
    }
    const targetProblem = type === 'Resource' ? undefined : typeModifierProblem(viaDef, type);
    if (targetProblem) throw fhirError('INVALID_SEARCH', `${key}: ${targetProblem}`, key);
    return { kind: 'has', key, type: hasType, via, rest: rest.join(':'), value };
  }
  const dot = key.indexOf('.');
  const head = dot < 0 ? key : key.slice(0, dot);
  const [code, modifier, ...more] = head.split(':') as [string, string | undefined, ...string[]];
  const def = getParam(type, code);
  if (!def) return undefined;
  // R4 modifiers do not combine (search.html#modifiers): reading `subject:identifier:not` as
  // `subject:identifier` would answer the opposite of the question
  if (more.length) throw fhirError('INVALID_SEARCH', `${key}: a parameter takes one modifier (:${[modifier, ...more].join(', :')} given)`, key);
  if (dot >= 0) {
    if (def.type !== 'reference') throw fhirError('INVALID_SEARCH', `${key}: only reference parameters can be chained`, key);
    const targets = modifier ? [modifier] : def.target ?? [];
    if (modifier && !TYPE_MODIFIER.test(modifier)) throw fhirError('INVALID_SEARCH', `${key}: bad chain type "${modifier}"`, key);
    return { kind: 'chain', key, def, targetTypes: targets, rest: key.slice(dot + 1), value };
  }
  return { kind: 'param', key, def, modifier, values: splitEscaped(value, ',') };
}

/** A result parameter (search.html#return): it shapes the answer and selects nothing. */
export function isResultParam(key: string): boolean {
  return RESULT_PARAMS.has(key) || key.startsWith('_include') || key.startsWith('_revinclude');
}

/**
 * `system` is a search over several types (`GET /fhir?_type=…`), the only one `_type` belongs to
 * (search.html#_type): on `Observation?_type=Patient` it would otherwise be ignored unseen while
 * the self link claimed it.
 */
export function parseSearch(resourceType: string | undefined, query: Record<string, string[]>, strict: Handling, system = false): ParsedSearch {
  const out: ParsedSearch = { resourceType, clauses: [], result: {}, issues: [], used: [] };
  for (const [key, values] of Object.entries(query)) {
    if (UNSUPPORTED_RESULT.has(key)) {
      if (key === '_contained' && values.every((v) => v === 'false')) out.used.push([key, 'false']);
      else warnOrThrow(strict, out.issues, key, `Search parameter ${key} is not supported`);
      continue;
    }
    if (key === '_type' && !system) {
      warnOrThrow(strict, out.issues, key, `_type applies to a search across types (${resourceType ? `GET /fhir?_type=${resourceType}` : 'GET /fhir?_type=…'}), not to a search of ${resourceType ?? 'one type'}`);
      continue;
    }
    if (isResultParam(key)) {
      const base = key.split(':')[0];
      const k = base === '_include' || base === '_revinclude' ? key : base;
      out.result[k] = [...(out.result[k] ?? []), ...values];
      if (key === '_cursor') continue;
      if (k === key && values.length && base !== '_include' && base !== '_revinclude' && key !== '_type') {
        // the last value is the one used (`_count=3&_count=5` pages by 5): the self link says so
        out.used = out.used.filter(([u]) => u !== key);
        out.used.push([key, values[values.length - 1]]);
      } else for (const v of values) out.used.push([key, v]);
      continue;
    }
    const code = key.split(/[:.]/)[0];
    if (UNSUPPORTED.has(code)) {
      warnOrThrow(strict, out.issues, key, `Search parameter ${code} is not supported`);
      continue;
    }
    for (const value of values) {
      // MongoDB refuses a regex holding U+0000 (a driver error, 500); no search value means one
      if (value.includes('\u0000')) throw fhirError('INVALID_SEARCH', `Invalid value for search parameter ${key}: a value cannot contain U+0000`, key);
      const clause = resourceType ? parseClause(resourceType, key, value) : parseSystemClause(key, value);
      if (!clause) {
        warnOrThrow(strict, out.issues, key, `Unknown search parameter "${code}" for ${resourceType ?? 'a system search'}`);
        break;
      }
      const unknown = unknownLink(clause);
      if (unknown) {
        warnOrThrow(strict, out.issues, key, `Unknown search parameter "${unknown.code}" for ${unknown.type} in ${key}`);
        break;
      }
      if (clause.kind === 'param' && clause.def.type === 'special' && clause.def.code === 'near') {
        warnOrThrow(strict, out.issues, key, 'Search parameter "near" is not supported');
        break;
      }
      out.clauses.push(clause);
      out.used.push([key, value]);
    }
  }
  return out;
}

/**
 * The parameter a chain or `_has` ends in when no type it goes through has it (`subject.bogus`):
 * an unknown parameter like any other, so it is ignored with a warning, or refused under strict
 * handling (search.html#errors), not a 400 of its own. A chain is known when one of its targets
 * knows the rest.
 */
function unknownLink(c: Clause, depth = 0): { type: string; code: string } | undefined {
  if (c.kind === 'param' || depth > 8) return undefined;
  const name = c.rest.split(/[.:]/)[0];
  if (c.kind === 'has') {
    const sub = parseClause(c.type, c.rest, c.value);
    return sub ? unknownLink(sub, depth + 1) : { type: c.type, code: name };
  }
  let first: { type: string; code: string } | undefined;
  for (const target of c.targetTypes) {
    const sub = parseClause(target, c.rest, c.value);
    const missing = sub ? unknownLink(sub, depth + 1) : { type: target, code: name };
    if (!missing) return undefined;
    first ??= missing;
  }
  return first;
}

/** System-level search (`GET /fhir?_type=…`): only Resource-level parameters apply. */
function parseSystemClause(key: string, value: string): Clause | undefined {
  return parseClause('Resource', key, value);
}
