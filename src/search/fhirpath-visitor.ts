import { parseFhirPath, toTypedValue } from '@medplum/core';
import { choiceType, parseTerm, runSteps, sameType, termsFor, whereMatches, type Step } from './fhirpath-extract.js';
import { referenceType } from './normalize.js';

/**
 * SearchParameter expressions compiled into visitors: chains of closures that walk a resource and
 * hand each result, with its FHIR type when known, to a sink, without building the intermediate
 * collections compileExtractor does (fhirpath-extract.ts). Results come in the same order: a
 * FHIRPath path is a sequence of order-preserving flat maps, so walking it depth-first visits its
 * results in the order the collection would hold them.
 */

/** Receives each extracted element (with its FHIR type when known) and the caller's context. */
export type Sink<C> = (value: unknown, type: string | undefined, cx: C) => void;
/** Runs an expression over a resource, handing every result to the sink it was compiled with. */
export type Visitor<C> = (resource: unknown, cx: C) => void;

/** One compiled step: takes an element (and its type) and hands what it selects to the next step. */
type Link<C> = (v: unknown, type: string | undefined, cx: C) => void;

/**
 * The resource being indexed and, once asked for, its keys that could be a choice element's
 * (`valueQuantity`: an upper-case letter after the first): most parameters of a resource are
 * absent, and each absent one looks for a choice form among the resource's keys.
 */
let root: object | undefined;
let rootChoiceKeys: string[] | undefined;

/**
 * Makes `r` the root being indexed (its keys are then scanned once), until endRoot. Returns the
 * previous root, for endRoot to restore.
 */
export function beginRoot(r: object): object | undefined {
  const prev = root;
  root = r;
  rootChoiceKeys = undefined;
  return prev;
}
export function endRoot(prev: object | undefined): void {
  root = prev;
  rootChoiceKeys = undefined;
}

const UPPER_AFTER_FIRST = /^.+[A-Z]/;
function choiceKeys(o: object): string[] {
  const out: string[] = [];
  for (const k in o) if (UPPER_AFTER_FIRST.test(k)) out.push(k);
  return out;
}

function fieldLink<C>(name: string, next: Link<C>): Link<C> {
  /** Hands on the value(s) at choice key `k`, if `k` is a choice form of `name`. */
  const choice = (o: Record<string, unknown>, k: string, cx: C) => {
    const type = choiceType(k, name);
    if (type === undefined) return;
    const cv = o[k];
    if (Array.isArray(cv)) for (let j = 0; j < cv.length; j++) next(cv[j], type, cx);
    else next(cv, type, cx);
  };
  return (o, _type, cx) => {
    if (o === null || typeof o !== 'object') return;
    const v = (o as Record<string, unknown>)[name];
    if (v !== undefined) {
      if (Array.isArray(v)) for (let i = 0; i < v.length; i++) next(v[i], undefined, cx);
      else next(v, undefined, cx);
      return;
    }
    // choice element: value[x] is stored as valueQuantity, valueString …
    // (the root's candidate keys are listed once per resource, not once per expression)
    if (o === root) {
      const keys = (rootChoiceKeys ??= choiceKeys(o));
      for (let i = 0; i < keys.length; i++) choice(o as Record<string, unknown>, keys[i], cx);
      return;
    }
    for (const k in o) choice(o as Record<string, unknown>, k, cx);
  };
}

function stepLink<C>(step: Step, next: Link<C>): Link<C> {
  switch (step.kind) {
    case 'field': return fieldLink(step.name, next);
    case 'as': {
      const want = step.type;
      return (v, type, cx) => { if (!type || type === want || (type.length === want.length && sameType(type, want))) next(v, want, cx); };
    }
    case 'where': {
      const { name, literal } = step;
      return (v, type, cx) => { if (whereMatches(v, name, literal)) next(v, type, cx); };
    }
    case 'refIs': {
      // (`resolve() is Patient`: another server's Patient is a Patient too, indexed by its URL)
      const want = step.type;
      return (v, type, cx) => {
        const ref = (v as { reference?: unknown } | null | undefined)?.reference;
        if (typeof ref === 'string' && referenceType(ref) === want) next(v, type, cx);
      };
    }
    case 'index': throw new Error('index steps run on collections');
  }
}

function termVisitor<C>(steps: Step[], sink: Sink<C>): Visitor<C> {
  // `x[n]` indexes the collection so far, not one element's children: run such terms as collections.
  if (steps.some((s) => s.kind === 'index')) {
    return (r, cx) => { for (const e of runSteps(r, steps)) sink(e.value, e.type, cx); };
  }
  let link: Link<C> = sink;
  for (let i = steps.length - 1; i >= 0; i--) link = stepLink(steps[i], link);
  const first = link;
  return (r, cx) => first(r, undefined, cx);
}

/**
 * Expressions beyond the compiled subset that R4 parameters use, with their FHIRPath value worked
 * out by hand for the shapes valid resources have; anything else still goes to the engine.
 */
const SPECIAL: Record<string, <C>(sink: Sink<C>, engine: Visitor<C>) => Visitor<C>> = {
  // Patient-deceased: true when deceasedBoolean is true or a deceasedDateTime is given, else false
  // (`exists()` of nothing is false, and `false and {}` is false).
  'Patient.deceased.exists() and Patient.deceased != false': (sink, engine) => (r, cx) => {
    let key: string | undefined;
    let n = 0;
    for (const k in r as object) if (k.startsWith('deceased')) { key = k; n++; }
    const v = key === undefined ? undefined : (r as Record<string, unknown>)[key];
    if (n === 0) sink(false, 'boolean', cx);
    else if (n === 1 && key === 'deceasedBoolean' && typeof v === 'boolean') sink(v, 'boolean', cx);
    else if (n === 1 && key === 'deceasedDateTime' && typeof v === 'string') sink(true, 'boolean', cx);
    else engine(r, cx);
  },
};

/** The first step of a term on the resource it runs on: an element, and the type it is cast to. */
export interface RootStep {
  field: string;
  /** `(X.value as Quantity)`: a choice form of another type (`valueString`) yields nothing. */
  as?: string;
}

/**
 * The elements an expression starts from on the resource (`Observation.subject.where(…)`:
 * `subject`), one per term; undefined when a term starts otherwise or needs the engine; [] for
 * the resource itself (`Observation`, a composite's base). Such an expression yields nothing for
 * a resource with none of these elements (nor a choice form of one of the right type, `value` as
 * `valueQuantity`): index-resource.ts skips it for such resources.
 */
export function rootSteps(expression: string, resourceType: string): RootStep[] | undefined {
  const terms = termsFor(expression, resourceType);
  const out: RootStep[] = [];
  for (const term of terms) {
    const t = parseTerm(term);
    if (!t || t.steps.some((s) => s.kind === 'index')) return undefined;
    if (t.steps.length === 0) return terms.length === 1 ? [] : undefined;
    const [first, second] = t.steps;
    if (first.kind !== 'field') return undefined;
    out.push(second?.kind === 'as' ? { field: first.name, as: second.type } : { field: first.name });
  }
  return out;
}

/** Whether a resource with `keys` may give `step` anything (see rootSteps). */
export function mayStart(step: RootStep, keys: string[]): boolean {
  const f = step.field;
  for (const k of keys) {
    if (k === f) return true;
    // a choice element: value[x] present as valueQuantity …
    const type = choiceType(k, f);
    if (type !== undefined && (step.as === undefined || sameType(type, step.as))) return true;
  }
  return false;
}

/**
 * Builds a visitor of `expression` for resources of `resourceType` (other types' terms dropped)
 * that hands each result to `sink`, in the order the expression yields them. Compiled terms walk
 * the resource without building intermediate collections.
 */
export function compileVisitor<C>(expression: string, resourceType: string, sink: Sink<C>): Visitor<C> {
  const terms = termsFor(expression, resourceType);
  const fast = terms.map(parseTerm);
  if (fast.every((f) => f !== undefined)) {
    const visitors = (fast as Array<{ root: string; steps: Step[] }>).map((f) => termVisitor(f.steps, sink));
    if (visitors.length === 1) return visitors[0];
    return (r, cx) => { for (let i = 0; i < visitors.length; i++) visitors[i](r, cx); };
  }
  const parsed = terms.map((term) => parseFhirPath(term));
  const engine: Visitor<C> = (r, cx) => {
    for (const p of parsed) for (const tv of p.eval({ variables: {} }, [toTypedValue(r)])) sink(tv.value, tv.type, cx);
  };
  const special = terms.length === 1 ? SPECIAL[terms[0]] : undefined;
  return special ? special(sink, engine) : engine;
}
