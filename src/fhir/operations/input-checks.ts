import type { ParametersParameter } from '@medplum/fhirtypes';
import { fhirError } from '../errors.js';
import { isValueKey } from '../../validation/invariants/value-key.js';

/**
 * Input checks every operation shares, so that each refuses the same things with the same words
 * (https://hl7.org/fhir/R4/operations.html#request): an input the OperationDefinition does not
 * declare, and a parameter whose form is not the one its definition asks for (parts under a
 * simple value, a value where a resource goes). Ignoring either would answer a question the client
 * did not ask: `mode` sent as parts would run with no mode, an unknown name would be dropped.
 * Errors are 400 and name the parameter (its `expression`).
 */

/** 400 for an input `name` that `op` does not declare (`known`: the declared inputs). */
export function throwIfUnknownInput(op: string, name: string, known: readonly string[]): void {
  if (!known.includes(name)) throw fhirError('BAD_REQUEST', `Unknown parameter '${name}' for $${op}; known: ${known.join(', ')}`, name);
}

/**
 * 400 unless the parameter has the one form `expected` (Parameters inv-1: one of value[x],
 * resource or part): `value` for a simple type, `resource` for a Resource input.
 */
export function throwIfNotForm(op: string, p: ParametersParameter, expected: 'value' | 'resource'): void {
  const name = p.name ?? 'parameter';
  const hasPart = p.part !== undefined;
  const hasResource = p.resource !== undefined;
  const hasValue = Object.keys(p).some(isValueKey);
  const wanted = expected === 'value' ? 'a value[x]' : 'a resource';
  if (hasPart) throw fhirError('BAD_REQUEST', `Parameter '${name}' of $${op} takes ${wanted}, not parts`, name);
  if (expected === 'value' && hasResource) throw fhirError('BAD_REQUEST', `Parameter '${name}' of $${op} takes a value[x], not a resource`, name);
  if (expected === 'resource' && hasValue) throw fhirError('BAD_REQUEST', `Parameter '${name}' of $${op} takes a resource, not a value[x]`, name);
}
