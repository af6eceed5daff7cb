import type { Issue } from '../../fhir/outcome.js';
import { isValueKey } from './value-key.js';

/**
 * Parameters inv-1 (https://hl7.org/fhir/R4/parameters.html#invs): "A parameter must have one and
 * only one of (value, resource, part)", on Parameters.parameter and on every part at any depth
 * (part is a parameter too). Without it a reader of the parameter must guess which form was meant.
 * FHIRPath `exists()` semantics: an empty `part` array is no part (ele-1 reports it), and a
 * primitive value given by its `_value…` extension only is a value.
 */
type Json = Record<string, unknown>;
const hasOwn = Object.prototype.hasOwnProperty;

const present = (v: unknown): boolean => v !== undefined && v !== null && !(Array.isArray(v) && v.length === 0);

function formsOf(p: Json): string[] {
  const forms: string[] = [];
  for (const k in p) {
    if (hasOwn.call(p, k) && isValueKey(k) && present(p[k])) {
      forms.push('value[x]');
      break;
    }
  }
  if (present(p.resource)) forms.push('resource');
  if (present(p.part)) forms.push('part');
  return forms;
}

export function checkParameters(node: Json, path: string): Issue[] {
  const issues: Issue[] = [];
  const visit = (list: unknown, at: string): void => {
    if (!Array.isArray(list)) return; // another shape is a structure error, reported by layer 2
    list.forEach((p, i) => {
      if (!p || typeof p !== 'object' || Array.isArray(p)) return;
      const here = `${at}[${i}]`;
      const forms = formsOf(p as Json);
      if (forms.length !== 1) {
        const found = forms.length ? `found ${forms.join(' and ')}` : 'found none';
        issues.push({ severity: 'error', code: 'invariant', diagnostics: `${here} must have one and only one of value[x], resource and part; ${found} (inv-1)`, expression: [here] });
      }
      visit((p as Json).part, `${here}.part`);
    });
  };
  visit(node.parameter, `${path}.parameter`);
  return issues;
}
