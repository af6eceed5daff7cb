import { readFileSync } from 'node:fs';
import type { Bundle, Parameters, ParametersParameter } from '@medplum/fhirtypes';
import { canSee, hasPermission, patientRestriction } from '../../auth/authorize.js';
import { searchBundle } from '../../search/search-service.js';
import { dateRange } from '../../search/normalize.js';
import type { FhirContext, FhirRequest, FhirResponse, OperationHandler } from '../context.js';
import { fhirError } from '../errors.js';
import { checkId, GENERAL_PARAMETERS } from '../rest/request-utils.js';
import { linkUrl } from '../../search/paging.js';
import { throwIfNotForm, throwIfUnknownInput } from './input-checks.js';

/**
 * `GET /fhir/Patient/{id}/$everything` (https://hl7.org/fhir/R4/patient-operation-everything.html):
 * the patient and every resource in its compartment (the R4 Patient CompartmentDefinition,
 * schemas/search/compartment-patient.json), as a paged searchset. `_type` narrows the types,
 * `_since` keeps resources changed at or after an instant, `_count` sets the page size; the
 * `next` links continue as a compartment search (`Patient/{id}/*`) carrying the same criteria.
 * Referenced resources outside the compartment (Organization, Practitioner…) are not added.
 * By POST the inputs come from a Parameters body (and the query string), as for every operation.
 */
let compartmentTypes: string[] | undefined;

function typesInCompartment(): string[] {
  compartmentTypes ??= [
    'Patient',
    ...Object.keys(JSON.parse(readFileSync(new URL('../../../schemas/search/compartment-patient.json', import.meta.url), 'utf8')) as Record<string, string[]>),
  ].filter((t, i, all) => all.indexOf(t) === i).sort();
  return compartmentTypes;
}

export const everythingOperation: OperationHandler = {
  name: 'everything',
  levels: ['instance'],
  resourceTypes: ['Patient'],
  definition: 'OperationDefinition/Patient-everything', // served from core-definitions.ts
  affectsState: false,
  async handle(req: FhirRequest & { id?: string }, ctx: FhirContext): Promise<FhirResponse> {
    const id = checkId(req.id ?? '');
    const restricted = patientRestriction(req.auth);
    if (restricted && restricted !== id) throw fhirError('NOT_FOUND', `Patient/${id} is not known`);
    const patient = await ctx.store.read('Patient', id);
    if (!patient || patient.deleted) throw fhirError(patient ? 'GONE' : 'NOT_FOUND', `Patient/${id} is not known`);
    // Only the types the caller may search (the next links continue as a compartment search, which
    // needs that right; wildcards never reach the audit trail): filtering the page afterwards left
    // empty pages, and cursors naming resources of types the caller cannot see.
    const input = everythingInput(req);
    const query = everythingQuery(input, req.auth ? (t) => hasPermission(req.auth!, t, 's') : undefined);
    const bundle: Bundle = await searchBundle(ctx, { query, strict: false, compartment: { resourceType: 'Patient', id }, confined: restricted !== undefined, baseUrl: ctx.config.baseUrl });
    // self is what was asked (search.html: the parameters used), not the compartment search that
    // answers it, which names every type of the compartment; next/previous stay that search.
    const used = Object.entries(input).flatMap(([k, vs]) => vs.map((v): [string, string] => [k, k === '_count' ? String(Math.min(Number(v), ctx.config.maxCount)) : v]));
    bundle.link = [{ relation: 'self', url: linkUrl(`${ctx.config.baseUrl}/Patient/${id}/$everything`, used) }, ...(bundle.link ?? []).filter((l) => l.relation !== 'self')];
    // Scopes still apply per type: drop what this caller may not read.
    bundle.entry = (bundle.entry ?? []).filter((e) => !e.resource || e.resource.resourceType === 'OperationOutcome' || canSee(req.auth, e.resource));
    return { status: 200, body: bundle };
  },
};

const INPUTS = ['_since', '_type', '_count'];

/**
 * The inputs: the query string's, and by POST a Parameters body's (operations.html#request),
 * which were ignored, so that `_type` in the body answered every type. An input the server does
 * not support (`start`, `end`) is refused as over GET.
 */
function everythingInput(req: FhirRequest): Record<string, string[]> {
  const input: Record<string, string[]> = {};
  for (const [k, v] of Object.entries(req.query)) input[k] = [...v];
  if (req.method !== 'POST' || req.body === undefined) return input;
  const body = req.body as Parameters;
  if (body?.resourceType !== 'Parameters') throw fhirError('BAD_REQUEST', 'The body of an operation must be a Parameters resource');
  for (const p of body.parameter ?? []) {
    throwIfUnknownInput('everything', p.name ?? '', INPUTS);
    (input[p.name!] ??= []).push(inputValue(p));
  }
  return input;
}

function inputValue(p: ParametersParameter): string {
  throwIfNotForm('everything', p, 'value');
  const v = p.valueInstant ?? p.valueDateTime ?? p.valueCode ?? p.valueString ?? p.valueInteger ?? p.valuePositiveInt ?? p.valueUnsignedInt;
  if (v === undefined) throw fhirError('BAD_REQUEST', `Parameter '${p.name}' of $everything has no supported value[x] (${p.name === '_count' ? 'valueInteger' : p.name === '_since' ? 'valueInstant' : 'valueCode'})`, p.name!);
  return String(v);
}

/** Translates the operation's parameters into the compartment search that answers it. */
export function everythingQuery(input: Record<string, string[]>, allowed: (type: string) => boolean = () => true): Record<string, string[]> {
  const all = typesInCompartment();
  const query: Record<string, string[]> = {};
  for (const [k, v] of Object.entries(input)) {
    if (k === '_count' || k === '_cursor' || k === '_total' || GENERAL_PARAMETERS.has(k)) query[k] = v;
    else if (k !== '_type' && k !== '_since') throw fhirError('BAD_REQUEST', `$everything does not support the parameter ${k} (supported: _type, _since, _count)`, k);
  }
  let types = all;
  if (input._type?.length) {
    types = input._type.flatMap((s) => s.split(',')).map((s) => s.trim()).filter(Boolean);
    for (const t of types) if (!all.includes(t)) throw fhirError('BAD_REQUEST', `_type=${t}: not a type of the Patient compartment`, '_type');
  }
  types = types.filter(allowed);
  // (nothing left to search: a type no resource has, so the answer is an empty searchset)
  query._type = [types.length ? types.join(',') : 'Patient'];
  if (!types.length) query._id = ['-'];
  const since = input._since?.[0];
  if (since !== undefined) {
    // (dateRange, as search reads it: a day the month lacks is refused here, naming _since)
    if (!dateRange(since) || !/^\d{4}-\d{2}-\d{2}T/.test(since)) throw fhirError('BAD_REQUEST', `_since must be an instant such as 2024-01-01T00:00:00Z, got '${since}'`, '_since');
    query._lastUpdated = [`ge${since}`];
  }
  return query;
}
