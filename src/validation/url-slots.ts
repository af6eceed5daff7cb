import { type Json, walkTyped } from './typed-walk.js';

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

/** Calls `visit` for every link slot of `resource`; `visit` may replace `holder[key]`. */
export function visitUrlSlots(resource: unknown, visit: (slot: Slot) => void): void {
  walkTyped(resource, (holder, key, value, info, path) => {
    if (typeof value === 'string') {
      const kind = URI_TYPES.has(info.type) ? 'uri' : info.type === 'xhtml' ? 'xhtml' : undefined;
      if (kind) visit({ kind, value, holder, key, path });
      return;
    }
    if (info.type === 'Reference' && value !== null && typeof value === 'object' && typeof (value as Json).reference === 'string') {
      const ref = value as Json;
      visit({ kind: 'reference', value: ref.reference as string, holder: ref, key: 'reference', ref, targets: info.targets, path });
    }
  });
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
