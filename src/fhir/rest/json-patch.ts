import jsonpatch from 'fast-json-patch';
import type { Resource } from '@medplum/fhirtypes';
import { FhirError, fhirError } from '../errors.js';
import { beforePatchOperation, cloneFhirJson } from '../json-decimals.js';

/**
 * JSON Patch (RFC 6902) on a resource, with fast-json-patch's failures mapped in this one place
 * (https://hl7.org/fhir/R4/http.html#patch, RFC 5789 §2.2): a malformed patch document answers
 * 400; a well-formed one that cannot be applied to this resource (a path that does not exist, a
 * failed `test`) answers 422, as does a result that is not a valid resource (patchInTx).
 */

/** The library's error names for a patch document that is malformed whatever it is applied to. */
const MALFORMED = new Set([
  'SEQUENCE_NOT_AN_ARRAY', 'OPERATION_NOT_AN_OBJECT', 'OPERATION_OP_INVALID', 'OPERATION_PATH_INVALID',
  'OPERATION_FROM_REQUIRED', 'OPERATION_VALUE_REQUIRED', 'OPERATION_VALUE_CANNOT_CONTAIN_UNDEFINED',
]);

function fail(key: 'BAD_REQUEST' | 'UNPROCESSABLE', index: number, why: string): FhirError {
  return fhirError(key, `JSON Patch failed at operation ${index}: ${why}`);
}

/**
 * Applies `ops` to `doc` (which it mutates: the caller parsed it for this). `ops` is not changed:
 * the library inserts an `add`/`replace` value by reference, which a later operation could then
 * change, and the store may run the same patch again (a retried transaction: ResourceStore.transaction).
 */
export function applyJsonPatch(doc: Resource, ops: unknown[]): Resource {
  let out = doc;
  for (let i = 0; i < ops.length; i++) {
    const given = ops[i] as jsonpatch.Operation;
    const op = given !== null && typeof given === 'object' && 'value' in given ? { ...given, value: cloneFhirJson(given.value) } as jsonpatch.Operation : given;
    // RFC 6902 §4.4: `from` MUST NOT be a proper prefix of `path`; the library crashes on it
    // with a TypeError instead of saying so
    // RFC 6901 §3: `~` is only ever `~0` or `~1`; another escape makes the pointer, and so the
    // patch document, malformed (400), not merely inapplicable to this resource
    for (const p of [op?.path, (op as { from?: unknown })?.from]) {
      if (typeof p === 'string' && /~(?![01])/.test(p)) throw fail('BAD_REQUEST', i, `${p} is not a JSON Pointer (~ must be followed by 0 or 1)`);
    }
    if (op?.op === 'move' && typeof op.from === 'string' && typeof op.path === 'string' && op.path.startsWith(`${op.from}/`)) {
      throw fail('BAD_REQUEST', i, `cannot move ${op.from} into its own child ${op.path}`);
    }
    try {
      beforePatchOperation(out, op ?? {}); // decimal texts follow their elements (json-decimals.ts)
      out = jsonpatch.applyOperation(out, op, true, true, true, i).newDocument;
    } catch (err) {
      const e = err as { name?: string; message?: string };
      if (/prototype/i.test(e.message ?? '')) throw fail('BAD_REQUEST', i, 'a path through __proto__, constructor or prototype is not allowed');
      if (e.name !== undefined && MALFORMED.has(e.name)) throw fail('BAD_REQUEST', i, firstLine(e.message));
      if (err instanceof jsonpatch.JsonPatchError) throw fail('UNPROCESSABLE', i, firstLine(e.message));
      // anything else the library throws (a TypeError on a path it did not expect): the message
      // names its internals, so say what it means
      throw fail('UNPROCESSABLE', i, `the operation cannot be applied to this resource (${String(op?.op)} ${String(op?.path)})`);
    }
  }
  return out;
}

const firstLine = (s: string | undefined): string => (s ?? '').split('\n')[0];
