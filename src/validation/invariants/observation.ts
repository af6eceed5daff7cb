import type { Issue } from '../../fhir/outcome.js';

/**
 * Observation invariants that matter for genomic data (https://hl7.org/fhir/R4/observation.html#invs):
 * - obs-6: dataAbsentReason only when there is no value[x];
 * - obs-7: when Observation.value[x] is present, no component may repeat Observation.code
 *   (FHIRPath: `value.empty() or component.code.where(coding.intersect(%resource.code.coding).exists()).empty()`);
 *   codings are compared by system and code;
 * - obs-3: a referenceRange has a low, a high or a text.
 */
type Json = Record<string, unknown>;
const VALUE_KEY = /^_?value[A-Z]/;

const hasValue = (node: Json): boolean => Object.keys(node).some((k) => VALUE_KEY.test(k));
const asArray = (v: unknown): Json[] => (Array.isArray(v) ? v.filter((x): x is Json => !!x && typeof x === 'object') : []);

function codingKeys(concept: unknown): Set<string> {
  const keys = new Set<string>();
  if (concept && typeof concept === 'object') {
    for (const c of asArray((concept as Json).coding)) keys.add(`${String(c.system ?? '')}|${String(c.code ?? '')}`);
  }
  return keys;
}

export function checkObservation(obs: Json, path: string): Issue[] {
  const issues: Issue[] = [];
  const invariant = (diagnostics: string, expression: string): void => {
    issues.push({ severity: 'error', code: 'invariant', diagnostics, expression: [expression] });
  };
  if ('dataAbsentReason' in obs && hasValue(obs)) {
    invariant(`${path}.dataAbsentReason must not be present when ${path}.value[x] is (obs-6)`, `${path}.dataAbsentReason`);
  }
  const components = asArray(obs.component);
  if (hasValue(obs)) {
    const own = codingKeys(obs.code);
    components.forEach((comp, i) => {
      const shared = [...codingKeys(comp.code)].find((k) => own.has(k));
      if (shared) {
        invariant(`${path}.component[${i}].code repeats Observation.code (${shared}) while ${path} has a value[x] (obs-7)`, `${path}.component[${i}].code`);
      }
    });
  }
  asArray(obs.referenceRange).forEach((range, i) => {
    if (!('low' in range) && !('high' in range) && !('text' in range)) {
      invariant(`${path}.referenceRange[${i}] must have a low, a high or a text (obs-3)`, `${path}.referenceRange[${i}]`);
    }
  });
  return issues;
}
