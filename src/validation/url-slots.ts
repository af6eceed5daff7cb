import { defInfo, type ElementInfo } from './element-model.js';
import { toExpression } from './expression.js';

/**
 * The places of a resource that may hold a link to another resource, found by FHIR type with the
 * R4 element model (https://hl7.org/fhir/R4/http.html#trules names them): `Reference.reference`,
 * elements of type uri, url, oid, uuid or canonical, and the narrative (xhtml). A string, markdown,
 * code or id element equal to a URL is data, never a link, and is not visited. Contained and
 * other nested resources are walked with their own type. Elements the model does not know are
 * skipped (the validator refuses them before anything here runs).
 */
export type SlotKind = 'reference' | 'uri' | 'xhtml';

export interface Slot {
  kind: SlotKind;
  value: string;
  /** The object holding the value and its key (an array and an index for repeating uris). */
  holder: Record<string, unknown> | unknown[];
  key: string | number;
  /** For `reference`: the Reference object, and the types its element allows (undefined: any). */
  ref?: Record<string, unknown>;
  targets?: ReadonlySet<string>;
  /** FHIRPath location, built on demand (`Observation.component[0].valueReference`); valid during the visit only. */
  path(): string;
}

/** `Patient?identifier=…`: a conditional reference (https://hl7.org/fhir/R4/http.html#trules), a search standing for one resource. */
export function isConditionalReference(value: string): boolean {
  return CONDITIONAL.test(value);
}
const CONDITIONAL = /^[A-Z][A-Za-z]+\?./;

const URI_TYPES = new Set(['uri', 'url', 'oid', 'uuid', 'canonical']);
const hasOwn = Object.prototype.hasOwnProperty;

type Json = Record<string, unknown>;

/** Calls `visit` for every link slot of `resource`; `visit` may replace `holder[key]`. */
export function visitUrlSlots(resource: unknown, visit: (slot: Slot) => void): void {
  if (!isObject(resource) || typeof resource.resourceType !== 'string') return;
  const root = resource.resourceType;
  walkObject(resource, resource.resourceType, root, [], visit);
}

function isObject(v: unknown): v is Json {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function walkObject(node: Json, defName: string, root: string, segs: (string | number)[], visit: (slot: Slot) => void): void {
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

const ELEMENT: ElementInfo = { type: 'Element', array: false, primitive: false, date: false };

function walkValue(
  holder: Json | unknown[], key: string | number, value: unknown, info: ElementInfo, root: string, segs: (string | number)[], visit: (slot: Slot) => void,
): void {
  if (typeof value === 'string') {
    const kind = URI_TYPES.has(info.type) ? 'uri' : info.type === 'xhtml' ? 'xhtml' : undefined;
    if (kind) visit({ kind, value, holder, key, path: pathOf(root, segs) });
    return;
  }
  if (!isObject(value)) return;
  if (info.type === 'Resource') {
    if (typeof value.resourceType === 'string') walkObject(value, value.resourceType, root, segs, visit);
    return;
  }
  if (info.type === 'Reference' && typeof value.reference === 'string') {
    visit({ kind: 'reference', value: value.reference, holder: value, key: 'reference', ref: value, targets: info.targets, path: pathOf(root, segs) });
  }
  walkObject(value, info.type, root, segs, visit);
}

// (the walk's own segment stack: nearly every visit asks for no path, so none is copied)
function pathOf(root: string, segs: readonly (string | number)[]): () => string {
  return () => toExpression(root, segs);
}

/**
 * Whether `node` holds any string that could be a conditional reference (upper-case start and a
 * `?`): a walk without the model, several times cheaper, so that the typed walk runs for the few
 * writes that may have one (every standalone write asks).
 */
export function mayHoldConditionalReference(node: unknown): boolean {
  if (typeof node === 'string') {
    const c = node.charCodeAt(0);
    return c >= 65 && c <= 90 && node.indexOf('?') > 0;
  }
  if (node === null || typeof node !== 'object') return false;
  if (Array.isArray(node)) {
    for (let i = 0; i < node.length; i++) if (mayHoldConditionalReference(node[i])) return true;
    return false;
  }
  for (const k in node) if (hasOwn.call(node, k) && mayHoldConditionalReference((node as Json)[k])) return true;
  return false;
}
