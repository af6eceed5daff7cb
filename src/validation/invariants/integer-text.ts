import type { Issue } from '../../fhir/outcome.js';
import { carriesNumberText, numberTextAt } from '../../fhir/json-decimals.js';
import { defInfo, type ElementInfo } from '../element-model.js';
import { toExpression } from '../expression.js';

/**
 * An integer is written without a fraction or exponent (R4 integer: `-?([0]|([1-9][0-9]*))`):
 * `"valueInteger": 1.0` is JSON for the number 1, which the schema layer cannot tell from `1`, but
 * its text is kept for decimals (json-decimals.ts) and would be echoed. Only a resource parsed with
 * such texts is walked (carriesNumberText), by type with the R4 element model.
 */
const INTEGER_TYPES = new Set(['integer', 'positiveInt', 'unsignedInt']);
type Json = Record<string, unknown>;

export function integerTextIssues(resource: unknown): Issue[] {
  if (!carriesNumberText(resource)) return [];
  const out: Issue[] = [];
  const r = resource as Json;
  if (typeof r.resourceType === 'string') walkObject(r, r.resourceType, r.resourceType, [], out);
  return out;
}

function walkObject(node: Json, defName: string, root: string, segs: (string | number)[], out: Issue[]): void {
  const def = defInfo(defName);
  if (!def) return;
  for (const key in node) {
    const info = def.props.get(key);
    if (!info) continue;
    const value = node[key];
    segs.push(key);
    if (Array.isArray(value)) {
      for (let i = 0; i < value.length; i++) {
        segs.push(i);
        walkValue(value, String(i), value[i], info, root, segs, out);
        segs.pop();
      }
    } else walkValue(node, key, value, info, root, segs, out);
    segs.pop();
  }
}

function walkValue(holder: object, key: string, value: unknown, info: ElementInfo, root: string, segs: (string | number)[], out: Issue[]): void {
  if (typeof value === 'number') {
    const text = INTEGER_TYPES.has(info.type) ? numberTextAt(holder, key) : undefined;
    if (text !== undefined) {
      const at = toExpression(root, segs);
      out.push({ severity: 'error', code: 'value', diagnostics: `${at} is an ${info.type}: write it as ${JSON.stringify(value)}, not ${text} (no fraction or exponent)`, expression: [at] });
    }
    return;
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return;
  const v = value as Json;
  if (info.type === 'Resource') {
    if (typeof v.resourceType === 'string') walkObject(v, v.resourceType, root, segs, out);
    return;
  }
  walkObject(v, info.type, root, segs, out);
}
