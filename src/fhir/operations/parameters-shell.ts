import type { Parameters } from '@medplum/fhirtypes';
import { validateResource } from '../../validation/validate.js';
import { isEmptyElement } from '../../validation/invariants/empty-element.js';
import { throwIfInvalid } from '../rest/validate-incoming.js';

/**
 * A Parameters body is checked against the R4 schema before an operation reads it, so a malformed
 * one (`"parameter": {…}`, `[null]`, `"x"`) answers 400 naming `Parameters.parameter…` rather than
 * failing inside the operation. What is checked is a shell: a parameter's `resource` is left to
 * the operation (`$validate` reports on it; its issues are the answer, not a refusal), and a value
 * longer than LONG, at any depth (a VCF in `valueBase64Binary`, `valueString` or
 * `valueAttachment.data`) is shortened to its first
 * characters: the schema's base64 pattern overflows the regular expression stack on tens of MB,
 * and the operation decodes such values itself. Only the shape is refused here (`structure`,
 * `required`: what the operations' readers cannot walk); a value's format, the invariants and
 * ele-1 (empty strings, objects and arrays, such as `"parameter": []`: malformed too, but
 * walkable) stay with the operation, whose message says what the input means ("No resource to
 * validate").
 */
const LONG = 64 * 1024;
/** Stands in for a parameter's resource: the smallest valid one. */
const PLACEHOLDER = { resourceType: 'Binary', contentType: 'application/octet-stream' };

export function throwIfMalformedParameters(body: unknown): void {
  if (body === null || typeof body !== 'object' || (body as { resourceType?: unknown }).resourceType !== 'Parameters') return;
  throwIfInvalid(validateResource(shellOf(body as Parameters)).filter((i) => (i.code === 'structure' || i.code === 'required') && !isEmptyElement(i)));
}

function shellOf(p: Parameters): Parameters {
  if (!Array.isArray(p.parameter)) return p;
  return { ...p, parameter: p.parameter.map(shellParameter) };
}

function shellParameter(x: unknown): never {
  if (x === null || typeof x !== 'object' || Array.isArray(x)) return x as never;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(x)) {
    if (k === 'resource' && v !== null && typeof v === 'object' && !Array.isArray(v)) out[k] = PLACEHOLDER;
    else if (k === 'part' && Array.isArray(v)) out[k] = v.map(shellParameter);
    else out[k] = shortened(v);
  }
  return out as never;
}

/** A value with every string longer than LONG cut to its first characters, at any depth (`valueAttachment.data`). */
function shortened(v: unknown): unknown {
  if (typeof v === 'string') return v.length > LONG ? v.slice(0, 4) : v;
  if (v === null || typeof v !== 'object') return v;
  if (Array.isArray(v)) return v.map(shortened);
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v)) out[k] = shortened(x);
  return out;
}
