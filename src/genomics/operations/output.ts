import type { Parameters, ParametersParameter, Resource } from '@medplum/fhirtypes';
import { type Issue, toOperationOutcome } from '../../fhir/outcome.js';

/**
 * Building the Parameters answers, shaped like the IG's example outputs
 * (Parameters-Find*Output.json): repeating groups of `part`s, resources inline.
 */
export const str = (name: string, value: string): ParametersParameter => ({ name, valueString: value });
export const bool = (name: string, value: boolean): ParametersParameter => ({ name, valueBoolean: value });
export const res = (name: string, resource: Resource): ParametersParameter => ({ name, resource });
export const group = (name: string, part: ParametersParameter[]): ParametersParameter => ({ name, part });

/**
 * Warnings (e.g. an assembly mismatch) travel inside the answer as one extra parameter named
 * `outcome` holding an OperationOutcome, so a client never mistakes "asked on the wrong build"
 * for "absent". It is the only parameter beyond the OperationDefinition's outputs.
 */
export const OUTCOME_PARAMETER = 'outcome';

export function parameters(params: ParametersParameter[], issues: Issue[]): Parameters {
  const out: ParametersParameter[] = [...params];
  if (issues.length) out.push({ name: OUTCOME_PARAMETER, resource: toOperationOutcome(issues) });
  return { resourceType: 'Parameters', parameter: out };
}
