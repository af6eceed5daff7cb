import type { CapabilityStatement, OperationDefinition } from '@medplum/fhirtypes';
import type { OperationHandler } from '../../fhir/context.js';
import { fhirComponentSchemas, ref } from './fhir-components.js';
import { createExample, genomicReportTransactionExample } from './examples.js';
import { operationPathItem, outcomeResponse } from './operation-paths.js';
import { sampleValue, searchParamExample } from './parameter-examples.js';

/**
 * Turns the document @fastify/swagger generates from the route definitions into the complete
 * FHIR API description: every generic `/fhir/{type}…` route is expanded once per resource type the
 * CapabilityStatement lists (with that type's search parameters and body schema), and every
 * operation is added with the parameters of its OperationDefinition. Routes and capabilities are
 * the only inputs, so the document cannot drift from what the server does.
 */
type Doc = { paths?: Record<string, Record<string, Record<string, unknown>>>; tags?: unknown[]; components?: Record<string, unknown>; [k: string]: unknown };

export interface OpenApiInputs {
  capability: CapabilityStatement;
  operations: OperationHandler[];
  operationDefinition: (h: OperationHandler) => OperationDefinition | undefined;
}

/** Genomics types first, then the rest alphabetically (issue 7). */
export const GENOMICS_TYPES = ['MolecularSequence', 'Observation', 'DiagnosticReport'];
const OPS_TAG = 'Genomics operations';
const METHODS = ['get', 'post', 'put', 'patch', 'delete'];

const fhirJson = (schema: unknown, example?: unknown) => ({ 'application/fhir+json': { schema, ...(example ? { example } : {}) } });

function typedResponses(method: string, template: string, type: string): Record<string, unknown> {
  const isBundle = method === 'get' && (/^\/fhir\/\{type\}(\/_history)?$/.test(template) || template.endsWith('/_history') || template.endsWith('{compartmentType}'))
    || template.endsWith('/_search');
  const body = isBundle ? ref('Bundle') : ref(type);
  const ok = { description: isBundle ? 'Bundle' : type, content: fhirJson(body) };
  const errors = {
    400: outcomeResponse('Malformed request'), 401: outcomeResponse('Missing or invalid bearer token'),
    403: outcomeResponse('Scope does not allow this interaction'), 404: outcomeResponse('Not found'),
  };
  if (method === 'delete') return { 200: { description: 'Deleted' }, 204: { description: 'Deleted' }, ...errors, 412: outcomeResponse('Several matches for a conditional delete') };
  if (method === 'post' && !template.endsWith('/_search')) return { 201: { description: 'Created', content: fhirJson(body) }, 200: { description: 'Already exists (If-None-Exist)', content: fhirJson(body) }, ...errors, 412: outcomeResponse('Several matches'), 422: outcomeResponse('Validation failed') };
  if (method === 'put' || method === 'patch') return { 200: ok, 201: { description: 'Created', content: fhirJson(body) }, ...errors, 409: outcomeResponse('Conflict'), 412: outcomeResponse('Version mismatch (If-Match)'), 422: outcomeResponse('Validation failed') };
  if (template.endsWith('{vid}')) return { 200: ok, ...errors, 410: outcomeResponse('This version is a deletion') };
  if (template.endsWith('{id}')) return { 200: ok, ...errors, 410: outcomeResponse('Deleted') };
  return { 200: ok, ...errors };
}

function expandForType(template: string, method: string, op: Record<string, unknown>, type: string, capability: CapabilityStatement): Record<string, unknown> {
  const params = ((op.parameters as Array<Record<string, unknown>>) ?? []).filter((p) => !(p.in === 'path' && p.name === 'type'));
  const res = capability.rest?.[0]?.resource?.find((r) => r.type === type);
  const isSearch = method === 'get' && template === '/fhir/{type}';
  if (isSearch) {
    for (const sp of res?.searchParam ?? []) {
      const example = searchParamExample(type, sp.name, sp.type);
      const sample = example ?? sampleValue(sp.name, sp.type);
      params.push({
        name: sp.name,
        in: 'query',
        required: false,
        description: `${sp.documentation ?? sp.name} (FHIR ${sp.type} search parameter${sample ? `, e.g. \`${sample}\`` : ''})`,
        schema: { type: 'string' },
        ...(example !== undefined ? { example } : {}),
      });
    }
    for (const name of ['_count', '_sort', '_include', '_revinclude', '_total', '_summary', '_elements']) {
      if (!params.some((p) => p.name === name)) params.push({ name, in: 'query', required: false, schema: { type: 'string' }, description: `FHIR result parameter ${name}` });
    }
  }
  const out: Record<string, unknown> = {
    ...op,
    tags: [type],
    operationId: `${method}_${type}${template.replace('/fhir/{type}', '').replace(/[^A-Za-z0-9]+/g, '_')}`,
    summary: `${String(op.summary ?? '')}`.replace(/\bresource\b/g, type) + (isSearch ? ` (${type})` : ''),
    parameters: params,
    responses: typedResponses(method, template, type),
  };
  if (op.requestBody || method === 'post' || method === 'put') {
    if (template.endsWith('/_search')) {
      out.requestBody = { content: { 'application/x-www-form-urlencoded': { schema: { type: 'object', additionalProperties: { type: 'string' } } } } };
    } else if (method === 'patch') {
      out.requestBody = { content: { 'application/json-patch+json': { schema: { type: 'array', items: { type: 'object' } }, example: [{ op: 'replace', path: '/status', value: 'amended' }] } } };
    } else if (method === 'post' || method === 'put') {
      out.requestBody = { required: true, content: fhirJson(ref(type), method === 'post' && template === '/fhir/{type}' ? createExample(type) : undefined) };
    }
  } else {
    delete out.requestBody;
  }
  return out;
}

/** operationIds of the routes that are not expanded per type (code generators name methods by them). */
const NAMED: Record<string, string> = {
  'get /fhir/metadata': 'capabilities',
  'get /fhir': 'search_system',
  'post /fhir': 'batch_or_transaction',
  'post /fhir/_search': 'search_system_post',
  'get /fhir/_history': 'history_system',
  'get /fhir/.well-known/smart-configuration': 'smart_configuration_fhir',
  'get /.well-known/smart-configuration': 'smart_configuration',
  'get /.well-known/jwks.json': 'jwks',
  'post /auth/token': 'token',
  'get /health/live': 'health_live',
  'get /health/ready': 'health_ready',
};

/** Every operation gets a unique operationId: the named ones above, else one derived from method and path. */
function nameOperations(paths: Record<string, Record<string, unknown>>): void {
  const used = new Set<string>();
  for (const item of Object.values(paths)) for (const op of Object.values(item)) {
    const id = (op as Record<string, unknown>).operationId;
    if (typeof id === 'string') used.add(id);
  }
  for (const [p, item] of Object.entries(paths)) {
    for (const [m, op] of Object.entries(item) as Array<[string, Record<string, unknown>]>) {
      if (op.operationId) continue;
      let id = NAMED[`${m} ${p}`] ?? `${m}${p.replace(/[^A-Za-z0-9]+/g, '_')}`.replace(/_$/, '');
      while (used.has(id)) id += '_';
      used.add(id);
      op.operationId = id;
    }
  }
}

export function buildOpenApi(generated: Doc, inputs: OpenApiInputs): Doc {
  const { capability, operations } = inputs;
  const types = (capability.rest?.[0]?.resource ?? []).map((r) => r.type as string);
  const ordered = [...GENOMICS_TYPES.filter((t) => types.includes(t)), ...types.filter((t) => !GENOMICS_TYPES.includes(t)).sort()];
  const paths: Record<string, Record<string, unknown>> = {};

  for (const [path, item] of Object.entries(generated.paths ?? {})) {
    if (!path.includes('{type}')) {
      // The methods of one route share one object in the generated document: edit separate copies.
      paths[path] = Object.fromEntries(Object.entries(item).map(([m, op]) => [m, structuredClone(op)]));
      continue;
    }
    for (const type of ordered) {
      if (path.includes('{compartmentType}') && type !== 'Patient') continue;
      const concrete = path.replace('{type}', type);
      const target = (paths[concrete] ??= {});
      for (const method of METHODS) {
        if (item[method]) target[method] = expandForType(path, method, item[method], type, capability);
      }
    }
  }
  // The system endpoint: batch/transaction Bundles with a genomic report example.
  const system = paths['/fhir'] as Record<string, Record<string, unknown>> | undefined;
  if (system?.post) {
    system.post.requestBody = { required: true, content: fhirJson(ref('Bundle'), genomicReportTransactionExample()) };
    system.post.responses = { 200: { description: 'transaction-response or batch-response Bundle', content: fhirJson(ref('Bundle')) }, 400: outcomeResponse('Malformed Bundle'), 422: outcomeResponse('An entry failed: nothing was stored') };
    system.post.tags = ['System'];
  }
  for (const [p, item] of Object.entries(paths)) {
    if (!p.startsWith('/fhir') || p.startsWith('/fhir/{')) continue;
    for (const m of METHODS) {
      const op = item[m] as Record<string, unknown> | undefined;
      if (op && (op.tags as string[] | undefined)?.[0] === 'fhir') op.tags = ['System'];
    }
  }

  for (const h of operations) {
    const def = inputs.operationDefinition(h);
    const tag = h.name.startsWith('find-') ? OPS_TAG : undefined;
    if (h.levels.includes('system')) paths[`/fhir/$${h.name}`] = operationPathItem(h, def, tag ?? 'System', []);
    const opTypes = h.resourceTypes?.length ? h.resourceTypes : ordered;
    for (const type of opTypes) {
      if (!types.includes(type)) continue;
      if (h.levels.includes('type')) paths[`/fhir/${type}/$${h.name}`] = operationPathItem(h, def, tag ?? type, [], type);
      if (h.levels.includes('instance')) {
        const idParam = { name: 'id', in: 'path', required: true, schema: { type: 'string' } };
        paths[`/fhir/${type}/{id}/$${h.name}`] = operationPathItem(h, def, tag ?? type, [idParam], type);
      }
    }
  }

  nameOperations(paths);

  const tags = [
    ...GENOMICS_TYPES.filter((t) => types.includes(t)).map((name) => ({ name, description: `${name} (genomics)` })),
    { name: OPS_TAG, description: 'HL7 Genomics Reporting IG 3.0.0 operations' },
    { name: 'System', description: 'Capabilities, batch/transaction, system search and history, system operations' },
    ...ordered.filter((t) => !GENOMICS_TYPES.includes(t)).map((name) => ({ name })),
    ...((generated.tags as Array<{ name: string }> | undefined) ?? []).filter((t) => t.name !== 'fhir'),
  ];
  return {
    ...generated,
    tags,
    paths: paths as Doc['paths'],
    components: { ...(generated.components ?? {}), schemas: { ...((generated.components?.schemas as object) ?? {}), ...fhirComponentSchemas() } },
  };
}
