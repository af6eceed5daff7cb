import { dateRange } from '../../search/normalize.js';
import { ext1 } from '../profiles/native-constraints.js';

/**
 * The invariants of R4's general-purpose datatypes (https://hl7.org/fhir/R4/datatypes.html), on
 * every value of that type wherever it sits: a Range whose low is above its high, or a Period that
 * ends before it starts, is not data anyone can act on. Each rule reads the value's own elements
 * only. Keys are element-model definition names (`Timing_Repeat` is Timing.repeat).
 */
type Json = Record<string, unknown>;
export interface DatatypeProblem {
  key: string;
  /** Where, below the value (`low`), when one element is to blame. */
  at?: string;
  message: string;
}

type Rule = (x: Json) => DatatypeProblem | undefined;

const SECONDS = /T\d\d:\d\d:\d\d/;
const has = (x: Json, k: string) => x[k] !== undefined && x[k] !== null;
const num = (v: unknown) => (typeof v === 'number' ? v : undefined);

/** Two quantities are comparable when neither names a unit or both name the same one. */
function comparable(a: Json, b: Json): boolean {
  const unit = (q: Json) => (typeof q.code === 'string' ? `${String(q.system)}|${q.code}` : typeof q.unit === 'string' ? q.unit : undefined);
  const ua = unit(a);
  const ub = unit(b);
  return ua === undefined || ub === undefined || ua === ub;
}

const quantity: Rule = (x) => (has(x, 'code') && !has(x, 'system') ? { key: 'qty-3', at: 'system', message: 'a unit code needs its system (qty-3)' } : undefined);

const RULES: Record<string, Rule> = {
  Range: (x) => {
    const low = x.low as Json | undefined;
    const high = x.high as Json | undefined;
    if (!low || !high || typeof low !== 'object' || typeof high !== 'object') return undefined;
    const lo = num(low.value);
    const hi = num(high.value);
    if (lo === undefined || hi === undefined || !comparable(low, high) || lo <= hi) return undefined;
    return { key: 'rng-2', message: `low (${lo}) must not be above high (${hi}) (rng-2)` };
  },
  Period: (x) => {
    if (typeof x.start !== 'string' || typeof x.end !== 'string') return undefined;
    const start = dateRange(x.start);
    const end = dateRange(x.end);
    if (!start || !end) return undefined;
    // Different precisions are compared as the ranges they stand for: only an end wholly before the
    // start is wrong. Seconds and their fractions are one precision to FHIRPath: instants compare.
    const instants = SECONDS.test(x.start) && SECONDS.test(x.end);
    if (instants ? !(end.s < start.s) : !(end.e <= start.s)) return undefined; // (e is exclusive)
    return { key: 'per-1', message: `end (${x.end}) must not be before start (${x.start}) (per-1)` };
  },
  Quantity: quantity,
  // Quantity's specialisations carry its rules (https://hl7.org/fhir/R4/datatypes.html#Age …)
  Age: quantity,
  Count: quantity,
  Distance: quantity,
  Duration: quantity,
  Ratio: (x) => {
    const n = has(x, 'numerator');
    const d = has(x, 'denominator');
    if (n !== d) return { key: 'rat-1', message: 'numerator and denominator must both be present, or both absent (rat-1)' };
    if (!n && !has(x, 'extension')) return { key: 'rat-1', message: 'a Ratio without numerator and denominator must carry an extension (rat-1)' };
    return undefined;
  },
  // ext-1 on every extension (and modifierExtension), whether or not a profile claims the resource:
  // a value beside sub-extensions, or neither, leaves what the extension says undefined
  Extension: (x) => (ext1(x, undefined) ? undefined : {
    key: 'ext-1',
    message: Array.isArray(x.extension) && x.extension.length ? 'an extension has sub-extensions or a value[x], not both (ext-1)' : 'an extension needs sub-extensions or a value[x] (ext-1)',
  }),
  Attachment: (x) => (has(x, 'data') && !has(x, 'contentType') ? { key: 'att-1', at: 'contentType', message: 'an Attachment with data must say its contentType (att-1)' } : undefined),
  ContactPoint: (x) => (has(x, 'value') && !has(x, 'system') ? { key: 'cpt-2', at: 'system', message: 'a ContactPoint with a value must say its system (cpt-2)' } : undefined),
  Timing_Repeat: (x) => {
    const pairs: Array<[string, string, string]> = [
      ['duration', 'durationUnit', 'tim-1'], ['period', 'periodUnit', 'tim-2'],
      ['periodMax', 'period', 'tim-6'], ['durationMax', 'duration', 'tim-7'], ['countMax', 'count', 'tim-8'],
    ];
    for (const [a, b, key] of pairs) if (has(x, a) && !has(x, b)) return { key, at: b, message: `${a} needs ${b} (${key})` };
    const d = num(x.duration);
    if (d !== undefined && d < 0) return { key: 'tim-4', at: 'duration', message: 'duration must not be negative (tim-4)' };
    const p = num(x.period);
    if (p !== undefined && p < 0) return { key: 'tim-5', at: 'period', message: 'period must not be negative (tim-5)' };
    const when = Array.isArray(x.when) ? x.when : [];
    if (has(x, 'offset') && (!when.length || when.some((w) => w === 'C' || w === 'CM' || w === 'CD' || w === 'CV'))) {
      return { key: 'tim-9', at: 'offset', message: 'offset needs a when that is not a meal (C, CM, CD, CV) (tim-9)' };
    }
    if (has(x, 'timeOfDay') && when.length) return { key: 'tim-10', message: 'timeOfDay and when must not both be given (tim-10)' };
    return undefined;
  },
};

/** Whether values of this definition have rules here. */
export function hasDatatypeRules(type: string): boolean {
  return Object.prototype.hasOwnProperty.call(RULES, type);
}

export function datatypeProblem(type: string, value: Json): DatatypeProblem | undefined {
  return RULES[type]?.(value);
}
