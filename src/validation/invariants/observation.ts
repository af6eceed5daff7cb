import type { Issue } from '../../fhir/outcome.js';
import { isValueKey } from './value-key.js';

/**
 * Observation invariants that matter for genomic data (https://hl7.org/fhir/R4/observation.html#invs):
 * - obs-6: dataAbsentReason only when there is no value[x];
 * - obs-7: when Observation.value[x] is present, no component may repeat Observation.code
 *   (FHIRPath: `value.empty() or component.code.where(coding.intersect(%resource.code.coding).exists()).empty()`);
 *   codings are compared by system and code;
 * - obs-3: a referenceRange has a low, a high or a text.
 */
type Json = Record<string, unknown>;
const hasOwn = Object.prototype.hasOwnProperty;

function hasValue(node: Json): boolean {
  for (const k in node) if (hasOwn.call(node, k) && isValueKey(k)) return true;
  return false;
}

/** The object items of an array (obs-7 and obs-3 number them among these only). */
const asArray = (v: unknown): Json[] => (Array.isArray(v) ? v.filter((x): x is Json => !!x && typeof x === 'object') : []);

/**
 * Observation.code's codings, as the `system|code` keys obs-7 compares: when neither part holds
 * a '|', `${s}|${c}` equals the key exactly when s and c equal the parts, so component codings
 * are compared in place; otherwise by building their key.
 */
interface OwnCoding {
  key: string;
  system: string;
  code: string;
  plain: boolean;
}

function ownCodings(concept: unknown): OwnCoding[] {
  const out: OwnCoding[] = [];
  if (!concept || typeof concept !== 'object') return out;
  for (const c of asArray((concept as Json).coding)) {
    const system = String(c.system ?? '');
    const code = String(c.code ?? '');
    out.push({ key: `${system}|${code}`, system, code, plain: !system.includes('|') && !code.includes('|') });
  }
  return out;
}

/** The first of a concept's codings (as `system|code`) that is one of `own`. */
function sharedCoding(concept: unknown, own: readonly OwnCoding[]): string | undefined {
  if (!concept || typeof concept !== 'object') return undefined;
  const codings = (concept as Json).coding;
  if (!Array.isArray(codings)) return undefined;
  for (const c of codings) {
    if (!c || typeof c !== 'object') continue;
    const system = String(c.system ?? '');
    const code = String(c.code ?? '');
    for (const o of own) {
      if (o.plain ? o.code === code && o.system === system : o.key === `${system}|${code}`) return o.key;
    }
  }
  return undefined;
}

export function checkObservation(obs: Json, path: string): Issue[] {
  const issues: Issue[] = [];
  const invariant = (diagnostics: string, expression: string): void => {
    issues.push({ severity: 'error', code: 'invariant', diagnostics, expression: [expression] });
  };
  const valued = hasValue(obs);
  if ('dataAbsentReason' in obs && valued) {
    invariant(`${path}.dataAbsentReason must not be present when ${path}.value[x] is (obs-6)`, `${path}.dataAbsentReason`);
  }
  if (valued && Array.isArray(obs.component)) {
    const own = ownCodings(obs.code);
    let i = 0;
    for (const comp of obs.component as unknown[]) {
      if (!comp || typeof comp !== 'object') continue;
      const shared = own.length ? sharedCoding((comp as Json).code, own) : undefined;
      if (shared) {
        invariant(`${path}.component[${i}].code repeats Observation.code (${shared}) while ${path} has a value[x] (obs-7)`, `${path}.component[${i}].code`);
      }
      i++;
    }
  }
  if (Array.isArray(obs.referenceRange)) asArray(obs.referenceRange).forEach((range, i) => {
    if (!('low' in range) && !('high' in range) && !('text' in range)) {
      invariant(`${path}.referenceRange[${i}] must have a low, a high or a text (obs-3)`, `${path}.referenceRange[${i}]`);
    }
  });
  return issues;
}
