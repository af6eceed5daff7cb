import type { Parameters } from '@medplum/fhirtypes';
import { validateResource } from '../../validation/validate.js';
import { throwIfInvalid } from '../rest/validate-incoming.js';

/**
 * A Parameters body is checked against the R4 schema before an operation reads it, so a malformed
 * one (`"parameter": {…}`, `[null]`, `"x"`) answers 400 naming `Parameters.parameter…` rather than
 * failing inside the operation. What is checked is a shell: a parameter's `resource` is left to
 * the operation (`$validate` reports on it; its issues are the answer, not a refusal), and a value
 * longer than LONG (a VCF in `valueBase64Binary` or `valueString`) is shortened to its first
 * characters: the schema's base64 pattern overflows the regular expression stack on tens of MB,
 * and the operation decodes such values itself. Only the shape is refused here (`structure`,
 * `required`: what the operations' readers cannot walk); a value's format and the invariants
 * (empty strings, base64) stay with the operation, whose message says what the input means.
 */
const LONG = 64 * 1024;
/** Stands in for a parameter's resource: the smallest valid one. */
const PLACEHOLDER = { resourceType: 'Binary', contentType: 'application/octet-stream' };

export function throwIfMalformedParameters(body: unknown): void {
  if (body === null || typeof body !== 'object' || (body as { resourceType?: unknown }).resourceType !== 'Parameters') return;
  throwIfInvalid(validateResource(shellOf(body as Parameters)).filter((i) => i.code === 'structure' || i.code === 'required'));
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
    else if (typeof v === 'string' && v.length > LONG) out[k] = v.slice(0, 4);
    else out[k] = v;
  }
  return out as never;
}
