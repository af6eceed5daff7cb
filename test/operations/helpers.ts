import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Bundle, Observation, OperationDefinition, OperationDefinitionParameter, Parameters, ParametersParameter, Resource } from '@medplum/fhirtypes';
import type { FastifyInstance } from 'fastify';
import { send } from '../fhir/helpers.js';

/**
 * Shared by the operation tests: the IG's example Bundles (vendored under schemas/genomics/examples,
 * or IG_EXAMPLES_DIR), loading them through the REST API, invoking operations over GET and POST,
 * and a checker of answers against the OperationDefinition's `out` parameters.
 */
const repo = fileURLToPath(new URL('../../', import.meta.url));
export const EXAMPLES = process.env.IG_EXAMPLES_DIR ?? join(repo, 'schemas/genomics/examples');
export const OPDEFS = join(repo, 'schemas/genomics/operations');
export const examplesSkip = existsSync(EXAMPLES) ? false : `IG examples not vendored (${EXAMPLES} missing)`;

export function example<T = Bundle>(name: string): T {
  const file = readdirSync(EXAMPLES).find((f) => f === `${name}.json` || f === `Bundle-${name}.json`);
  if (!file) throw new Error(`example ${name} not found in ${EXAMPLES}`);
  return JSON.parse(readFileSync(join(EXAMPLES, file), 'utf8')) as T;
}

/** POSTs a transaction Bundle (collections become PUT-by-id transactions); returns fullUrl → Type/id. */
export async function loadBundle(app: FastifyInstance, bundle: Bundle): Promise<Map<string, string>> {
  const tx: Bundle = bundle.type === 'transaction' ? bundle : {
    resourceType: 'Bundle', type: 'transaction',
    entry: (bundle.entry ?? []).map((e) => ({ fullUrl: e.fullUrl, resource: e.resource, request: { method: 'PUT', url: `${e.resource!.resourceType}/${e.resource!.id}` } })),
  };
  const res = await send(app, 'POST', '/fhir', tx);
  if (res.statusCode !== 200) throw new Error(`transaction failed ${res.statusCode}: ${res.body.slice(0, 2000)}`);
  const out = new Map<string, string>();
  (res.json() as Bundle).entry?.forEach((e, i) => {
    const loc = e.response?.location?.replace(/\/_history\/.*$/, '').split('/').slice(-2).join('/');
    if (loc) out.set(tx.entry![i].fullUrl ?? '', loc);
  });
  return out;
}

export async function put(app: FastifyInstance, r: Resource): Promise<void> {
  const res = await send(app, 'PUT', `/fhir/${r.resourceType}/${r.id}`, r);
  if (res.statusCode >= 300) throw new Error(`PUT failed ${res.statusCode}: ${res.body.slice(0, 1000)}`);
}

export async function opGet(app: FastifyInstance, name: string, query: Record<string, string | string[]>, headers: Record<string, string> = {}) {
  const qs = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) for (const one of Array.isArray(v) ? v : [v]) qs.append(k, one);
  return app.inject({ method: 'GET', url: `/fhir/$${name}?${qs}`, headers });
}

export async function opPost(app: FastifyInstance, name: string, parameter: ParametersParameter[]) {
  return send(app, 'POST', `/fhir/$${name}`, { resourceType: 'Parameters', parameter } satisfies Parameters);
}

/** Top-level groups of an answer with the given name. */
export function groups(p: Parameters, name: string): ParametersParameter[][] {
  return (p.parameter ?? []).filter((x) => x.name === name).map((x) => x.part ?? []);
}
export function partValue(part: ParametersParameter[], name: string): unknown {
  const p = part.find((x) => x.name === name);
  return p && (p.valueString ?? p.valueBoolean ?? p.valueQuantity ?? p.valueDateTime ?? p.valueCodeableConcept ?? p.resource);
}
export function resourcesNamed(list: ParametersParameter[] | undefined, name: string): Resource[] {
  return (list ?? []).filter((x) => x.name === name).map((x) => x.resource!);
}

function definition(name: string): OperationDefinition {
  for (const f of readdirSync(OPDEFS)) {
    const d = JSON.parse(readFileSync(join(OPDEFS, f), 'utf8')) as OperationDefinition;
    if (d.id === name) return d;
  }
  throw new Error(`no OperationDefinition ${name}`);
}

const VALUE_KEY: Record<string, keyof ParametersParameter> = {
  string: 'valueString', boolean: 'valueBoolean', Quantity: 'valueQuantity', dateTime: 'valueDateTime', CodeableConcept: 'valueCodeableConcept',
};

/**
 * Problems of an answer against the definition's `out` parameters: unknown names, cardinality,
 * value types. The one parameter allowed beyond them is `outcome` (warnings, documented).
 */
export function conformanceProblems(name: string, answer: Parameters): string[] {
  const outDefs = (definition(name).parameter ?? []).filter((p) => p.use === 'out');
  const problems: string[] = [];
  const top = (answer.parameter ?? []).filter((p) => p.name !== 'outcome');
  for (const p of answer.parameter ?? []) if (p.name === 'outcome' && p.resource?.resourceType !== 'OperationOutcome') problems.push('outcome must be an OperationOutcome');
  check(top, outDefs, name, problems);
  return problems;
}

function check(list: ParametersParameter[], defs: OperationDefinitionParameter[], path: string, problems: string[]): void {
  for (const p of list) if (!defs.some((d) => d.name === p.name)) problems.push(`${path}: unexpected parameter ${p.name}`);
  for (const d of defs) {
    const items = list.filter((p) => p.name === d.name);
    const max = d.max === '*' ? Infinity : Number(d.max);
    if (items.length < (d.min ?? 0) || items.length > max) problems.push(`${path}.${d.name}: ${items.length} not in ${d.min}..${d.max}`);
    for (const item of items) {
      if (d.part?.length) {
        if (!item.part) problems.push(`${path}.${d.name}: expected parts`);
        else check(item.part, d.part, `${path}.${d.name}`, problems);
      } else if (d.type && VALUE_KEY[d.type]) {
        if (item[VALUE_KEY[d.type]] === undefined) problems.push(`${path}.${d.name}: expected ${VALUE_KEY[d.type]}`);
      } else if (d.type) {
        if (item.resource?.resourceType !== d.type) problems.push(`${path}.${d.name}: expected a ${d.type} resource`);
      }
    }
  }
}

/**
 * A Variant Observation (IG profile) of JAK2 V617F on GRCh38, NC_000009.12 0-based 5073769 G>T,
 * with genomic source class `source` (germline by default); `over` replaces top-level elements.
 */
export function jak2Variant(id: string, patient: string, source = 'LA6683-2', over: Partial<Observation> = {}): Observation {
  const loinc = (code: string) => ({ coding: [{ system: 'http://loinc.org', code }] });
  return {
    resourceType: 'Observation', id, status: 'final',
    meta: { profile: ['http://hl7.org/fhir/uv/genomics-reporting/StructureDefinition/variant'] },
    category: [
      { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/observation-category', code: 'laboratory' }] },
      { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v2-0074', code: 'GE' }] },
    ],
    code: loinc('69548-6'),
    subject: { reference: `Patient/${patient}` },
    valueCodeableConcept: loinc('LA9633-4'),
    component: [
      { code: loinc('48013-7'), valueCodeableConcept: { coding: [{ system: 'http://www.ncbi.nlm.nih.gov/refseq', code: 'NC_000009.12' }] } },
      { code: loinc('92822-6'), valueCodeableConcept: loinc('LA30100-4') },
      { code: loinc('81254-5'), valueRange: { low: { value: 5073769 }, high: { value: 5073770 } } },
      { code: loinc('69547-8'), valueString: 'G' },
      { code: loinc('69551-0'), valueString: 'T' },
      { code: loinc('48002-0'), valueCodeableConcept: loinc(source) },
    ],
    ...over,
  };
}
