import type { Issue } from '../../fhir/outcome.js';
import { carriesNumberText, numberTextAt } from '../../fhir/json-decimals.js';
import { walkTyped } from '../typed-walk.js';

/**
 * An integer is written without a fraction or exponent (R4 integer: `-?([0]|([1-9][0-9]*))`):
 * `"valueInteger": 1.0` is JSON for the number 1, which the schema layer cannot tell from `1`, but
 * its text is kept for decimals (json-decimals.ts) and would be echoed. Only a resource parsed with
 * such texts is walked (carriesNumberText), by type with the R4 element model.
 */
const INTEGER_TYPES = new Set(['integer', 'positiveInt', 'unsignedInt']);

export function integerTextIssues(resource: unknown): Issue[] {
  if (!carriesNumberText(resource)) return [];
  const out: Issue[] = [];
  walkTyped(resource, (holder, key, value, info, path) => {
    if (typeof value !== 'number' || !INTEGER_TYPES.has(info.type)) return;
    const text = numberTextAt(holder, String(key));
    if (text === undefined) return;
    const at = path();
    out.push({ severity: 'error', code: 'value', diagnostics: `${at} is an ${info.type}: write it as ${JSON.stringify(value)}, not ${text} (no fraction or exponent)`, expression: [at] });
  });
  return out;
}
