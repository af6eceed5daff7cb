import { randomBytes } from 'node:crypto';
import type { Parameters, ParametersParameter, Resource } from '@medplum/fhirtypes';
import { adopt, stringifyFhir } from '../../fhir/json-decimals.js';
import { type Issue, toOperationOutcome } from '../../fhir/outcome.js';

/**
 * Building the Parameters answers, shaped like the IG's example outputs
 * (Parameters-Find*Output.json): repeating groups of `part`s, resources inline.
 */
export const str = (name: string, value: string): ParametersParameter => ({ name, valueString: value });
export const bool = (name: string, value: boolean): ParametersParameter => ({ name, valueBoolean: value });
// Containers adopt what they hold, so decimals stored as written are serialized so (json-decimals.ts).
export const res = (name: string, resource: Resource): ParametersParameter => {
  const p: ParametersParameter = { name, resource };
  adopt(p, resource);
  return p;
};
export const group = (name: string, part: ParametersParameter[]): ParametersParameter => {
  const g: ParametersParameter = { name, part };
  for (const p of part) adopt(g, p);
  return g;
};

/**
 * A resource parameter whose resource is already-serialized stored JSON. It is spliced into the
 * serialized answer as is (serializeParameters), which saves a parse and a re-serialization per
 * returned Variant: the bulk of the cost of a range query that returns hundreds of them.
 */
const RAW = Symbol('raw-json');
type RawParameter = ParametersParameter & { [RAW]?: string };

export function raw(name: string, hit: { json: string }): ParametersParameter {
  const p: RawParameter = { name };
  p[RAW] = hit.json;
  return p;
}

/** Serializes an answer, splicing raw resources in (a per-call nonce keeps user text from posing as a placeholder). */
export function serializeParameters(body: Parameters): string {
  const nonce = randomBytes(8).toString('hex');
  const raws: string[] = [];
  const text = stringifyFhir(body, undefined, (key, value: unknown) => {
    if (value && typeof value === 'object' && RAW in (value as object)) {
      raws.push((value as RawParameter)[RAW]!);
      return { ...(value as object), resource: `${nonce}:${raws.length - 1}` };
    }
    return value;
  });
  if (!raws.length) return text;
  return text.replace(new RegExp(`"${nonce}:(\\d+)"`, 'g'), (_m, i: string) => raws[Number(i)]);
}

/**
 * Warnings (e.g. an assembly mismatch) travel inside the answer as one extra parameter named
 * `outcome` holding an OperationOutcome, so a client never mistakes "asked on the wrong build"
 * for "absent". It is the only parameter beyond the OperationDefinition's outputs.
 */
export const OUTCOME_PARAMETER = 'outcome';

export function parameters(params: ParametersParameter[], issues: Issue[]): Parameters {
  const out: ParametersParameter[] = [...params];
  if (issues.length) out.push({ name: OUTCOME_PARAMETER, resource: toOperationOutcome(issues) });
  // no empty array in FHIR JSON (ele-1): an answer with nothing to say has no parameter element
  if (!out.length) return { resourceType: 'Parameters' };
  const body: Parameters = { resourceType: 'Parameters', parameter: out };
  for (const p of out) adopt(body, p);
  return body;
}
