import type { OperationDefinition, OperationDefinitionParameter, Parameters, ParametersParameter, Period } from '@medplum/fhirtypes';
import { fhirError } from '../../fhir/errors.js';
import type { FhirRequest } from '../../fhir/context.js';
import { GENERAL_PARAMETERS } from '../../fhir/rest/request-utils.js';
import { throwIfNotForm, throwIfUnknownInput } from '../../fhir/operations/input-checks.js';
import { isValueKey } from '../../validation/invariants/value-key.js';

/**
 * Operation inputs, read the same way from a GET query string and from a POST Parameters body
 * (https://hl7.org/fhir/R4/operations.html#request), and checked against the OperationDefinition:
 * unknown names, missing required parameters and repeats of a 0..1 parameter are 400 errors that
 * name the parameter. Values of list parameters may also be comma-separated (GET, or one POST valueString).
 */
export type InputValue = string | boolean | Period;

export class OperationInputs {
  constructor(
    readonly def: OperationDefinition,
    private readonly values: Map<string, InputValue[]>,
  ) {}

  strings(name: string): string[] {
    return (this.values.get(name) ?? []).map((v) => {
      if (typeof v !== 'string') throw fhirError('BAD_REQUEST', `Parameter ${name} must be a string`, name);
      return v;
    });
  }

  string(name: string): string | undefined {
    return this.strings(name)[0];
  }

  boolean(name: string): boolean {
    const v = this.values.get(name)?.[0];
    if (v === undefined) return false;
    if (typeof v === 'boolean') return v;
    if (v === 'true') return true;
    if (v === 'false') return false;
    throw fhirError('BAD_REQUEST', `Parameter ${name} must be true or false, got '${String(v)}'`, name);
  }

  raw(name: string): InputValue[] {
    return this.values.get(name) ?? [];
  }

  has(name: string): boolean {
    return (this.values.get(name)?.length ?? 0) > 0;
  }
}

const LIST_SPLIT = new Set(['ranges', 'variants', 'genes', 'haplotypes', 'treatments', 'conditions', 'featureConsequences', 'testIdentifiers', 'specimenIdentifiers']);

export function readInputs(def: OperationDefinition, req: FhirRequest): OperationInputs {
  const inDefs = (def.parameter ?? []).filter((p) => p.use === 'in');
  const known = inDefs.map((p) => p.name!);
  const values = new Map<string, InputValue[]>();
  const add = (name: string, v: InputValue) => {
    if (!values.has(name)) values.set(name, []);
    values.get(name)!.push(v);
  };
  // list parameters may be comma lists, over GET and in one POST valueString alike (IG AND/OR rules)
  const addListed = (name: string, v: InputValue) => {
    if (typeof v !== 'string' || !LIST_SPLIT.has(name)) return add(name, v);
    for (const part of splitList(v)) if (part.trim()) add(name, part.trim());
  };
  for (const [name, list] of Object.entries(req.query)) {
    // `_format`, `_pretty`; another `_` parameter is an unknown input like any other (input-checks.ts)
    if (GENERAL_PARAMETERS.has(name)) continue;
    // A date range over GET is several prefixed dates (`ge2020-01-01&testDateRange=lt2021-01-01`): one value.
    if (name === 'testDateRange') {
      add(name, list.join(','));
      continue;
    }
    for (const v of list) addListed(name, v);
  }
  if (req.method === 'POST' && req.body !== undefined) {
    const body = req.body as Parameters;
    if (body?.resourceType !== 'Parameters') throw fhirError('BAD_REQUEST', 'The body of an operation must be a Parameters resource');
    for (const p of body.parameter ?? []) {
      throwIfUnknownInput(def.id!, p.name ?? '', known); // before its form: an unknown name is the error to report
      addListed(p.name ?? '', parameterValue(def.id!, p, inDefs.find((d) => d.name === p.name)!));
    }
  }
  for (const name of values.keys()) throwIfUnknownInput(def.id!, name, known);
  for (const p of inDefs) {
    const n = values.get(p.name!)?.length ?? 0;
    if (n < (p.min ?? 0)) throw fhirError('BAD_REQUEST', `Parameter '${p.name}' is required by $${def.id}`, p.name!);
    if (p.max === '1' && n > 1) throw fhirError('BAD_REQUEST', `Parameter '${p.name}' may be given only once`, p.name!);
    // A token with a system and no code (`rxnorm|`): search reads it as "any code of the system",
    // which these inputs cannot match (they are indexed by code); answering "absent" or a count of
    // 0 for it would be a false negative.
    if (p.searchType === 'token') {
      for (const v of values.get(p.name!) ?? []) {
        if (typeof v === 'string' && /\|\s*$/.test(v)) throw fhirError('BAD_REQUEST', `Parameter '${p.name}' value '${v}' names a system and no code: give system|code or a code`, p.name!);
      }
    }
  }
  return new OperationInputs(def, values);
}

/**
 * A comma list's values. A comma inside a value is written `\,` and a backslash before one `\\`,
 * as in search parameters (https://hl7.org/fhir/R4/search.html#escaping): displays and texts,
 * which the token inputs match, hold commas. Any other backslash is the value's own.
 */
export function splitList(v: string): string[] {
  if (!v.includes('\\')) return v.split(',');
  const out: string[] = [];
  let cur = '';
  for (let i = 0; i < v.length; i++) {
    const c = v[i];
    if (c === '\\' && (v[i + 1] === ',' || v[i + 1] === '\\')) cur += v[++i];
    else if (c === ',') {
      out.push(cur);
      cur = '';
    } else cur += c;
  }
  out.push(cur);
  return out;
}

/**
 * The value[x] forms an input takes: its declared type, or a valueString (what the same input
 * says over GET), as `$import-vcf` reads its inputs; `subject` (search type reference) also a
 * valueReference. Another form is refused rather than read as text: a valueDateTime `haplotypes`
 * would be looked up as a haplotype, a valueDateTime `testDateRange` read as one day.
 */
const DECLARED_KEY: Record<string, string> = { string: 'valueString', code: 'valueCode', boolean: 'valueBoolean', Period: 'valuePeriod' };

function acceptedKeys(d: OperationDefinitionParameter): string[] {
  const keys = new Set(['valueString', DECLARED_KEY[d.type ?? 'string'] ?? 'valueString']);
  if (d.searchType === 'reference') keys.add('valueReference');
  return [...keys];
}

/** Every input of these operations is a simple type (string, code, boolean, Period): parts are refused, not ignored. */
function parameterValue(op: string, p: ParametersParameter, d: OperationDefinitionParameter): InputValue {
  throwIfNotForm(op, p, 'value');
  const name = p.name!;
  const accepted = acceptedKeys(d);
  // the R4 shape check before this allows one value[x] (Parameters inv-1); `_valueString` alone has none
  const key = Object.keys(p).find((k) => isValueKey(k) && !k.startsWith('_'));
  if (key === undefined || !accepted.includes(key)) {
    throw fhirError('BAD_REQUEST', `Parameter '${name}' of $${op} is a ${d.type}: give it as ${accepted.join(' or ')}${key ? `, not ${key}` : ''}`, name);
  }
  if (key === 'valueBoolean') return p.valueBoolean!;
  if (key === 'valuePeriod') return p.valuePeriod!;
  if (key === 'valueReference') {
    if (!p.valueReference?.reference) throw fhirError('BAD_REQUEST', `Parameter '${name}' of $${op}: a valueReference needs its reference (Patient/{id})`, name);
    return p.valueReference.reference;
  }
  return (p as unknown as Record<string, string>)[key];
}
