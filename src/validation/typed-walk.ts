import { defInfo, type ElementInfo } from './element-model.js';
import { toExpression } from './expression.js';

/**
 * A walk of a resource by FHIR type with the R4 element model: `visit` sees every known element's
 * value (each item of a repeating one) with its holder, key, element info and FHIRPath location.
 * Contained and other nested resources are walked with their own type; `_status` (a primitive's
 * Element part) is walked as Element; elements the model does not know are skipped (the
 * validator refuses them). Shared by the link slots of transactions (url-slots.ts) and the
 * integer-text rule (invariants/integer-text.ts).
 */
export type Json = Record<string, unknown>;
export type TypedVisit = (holder: Json | unknown[], key: string | number, value: unknown, info: ElementInfo, path: () => string) => void;

const hasOwn = Object.prototype.hasOwnProperty;
const ELEMENT: ElementInfo = { type: 'Element', array: false, primitive: false, date: false };

export function walkTyped(resource: unknown, visit: TypedVisit): void {
  if (!isObject(resource) || typeof resource.resourceType !== 'string') return;
  walkObject(resource, resource.resourceType, resource.resourceType, [], visit);
}

function isObject(v: unknown): v is Json {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function walkObject(node: Json, defName: string, root: string, segs: (string | number)[], visit: TypedVisit): void {
  const def = defInfo(defName);
  if (!def) return;
  for (const key in node) {
    if (!hasOwn.call(node, key) || key === 'resourceType') continue;
    const ext = key.charCodeAt(0) === 95; // '_status': the primitive's Element part
    const info = ext ? (def.props.has(key.slice(1)) ? ELEMENT : undefined) : def.props.get(key);
    if (!info) continue;
    const value = node[key];
    segs.push(key);
    if (Array.isArray(value)) {
      for (let i = 0; i < value.length; i++) {
        segs.push(i);
        walkValue(value, i, value[i], info, root, segs, visit);
        segs.pop();
      }
    } else {
      walkValue(node, key, value, info, root, segs, visit);
    }
    segs.pop();
  }
}

function walkValue(holder: Json | unknown[], key: string | number, value: unknown, info: ElementInfo, root: string, segs: (string | number)[], visit: TypedVisit): void {
  visit(holder, key, value, info, pathOf(root, segs));
  if (!isObject(value)) return;
  if (info.type === 'Resource') {
    if (typeof value.resourceType === 'string') walkObject(value, value.resourceType, root, segs, visit);
    return;
  }
  walkObject(value, info.type, root, segs, visit);
}

// (the walk's own segment stack: nearly every visit asks for no path, so none is copied)
function pathOf(root: string, segs: readonly (string | number)[]): () => string {
  return () => toExpression(root, segs);
}
