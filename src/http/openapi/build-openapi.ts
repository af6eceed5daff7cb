import type { CapabilityStatement, OperationDefinition } from '@medplum/fhirtypes';
import type { OperationHandler } from '../../fhir/context.js';
import { fhirComponentSchemas, ref } from './fhir-components.js';
import { createExample, genomicReportTransactionExample } from './examples.js';
import { operationPathItem, outcomeResponse } from './operation-paths.js';
import { idExample, sampleValue, searchParamExample, VID_EXAMPLE } from './parameter-examples.js';
import { patientCompartmentTypes } from '../../search/compartment.js';

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

/**
 * The request headers the server honours (https://hl7.org/fhir/R4/http.html#concurrency, #cond-update,
 * #ops), each on the interactions whose code reads it: write.ts, read.ts, search.ts, bundle/transaction.ts.
 */
const header = (name: string, description: string, example?: string) => ({ name, in: 'header', required: false, description, schema: { type: 'string' }, ...(example ? { example } : {}) });
export const HEADERS = {
  ifMatch: header('If-Match', 'Version-aware write: the version the change applies to, as its ETag (`W/"3"`); another current version answers 412'),
  ifNoneMatch: header('If-None-Match', 'The ETag(s) the client holds (`W/"3"`, or `*`): 304 Not Modified when the version read matches'),
  ifNoneMatchWrite: header('If-None-Match', 'A write that must not replace what exists: `*` answers 412 when the resource exists (create-only PUT), an ETag (`W/"3"`) when it is the current version'),
  ifModifiedSince: header('If-Modified-Since', 'An HTTP-date (the Last-Modified the client holds): 304 Not Modified when the version read was last modified at or before it; ignored when If-None-Match is sent'),
  ifNoneExist: header('If-None-Exist', 'Conditional create: search criteria (`identifier=http://x|1`); one match answers 200 and creates nothing, several 412'),
  preferReturn: header('Prefer', 'What the answer carries: `return=minimal` (no body), `return=representation` (the resource; default) or `return=OperationOutcome`'),
  preferHandling: header('Prefer', '`handling=strict`: an unknown or unsupported search parameter answers 400 instead of being ignored with a warning entry; `handling=lenient` is the default'),
};

/** Header parameters of an expanded interaction: only those its code reads. */
function headerParams(method: string, template: string): unknown[] {
  const { ifMatch, ifNoneMatch, ifNoneMatchWrite, ifModifiedSince, ifNoneExist, preferReturn, preferHandling } = HEADERS;
  const instance = template.endsWith('{id}');
  if (method === 'get' && (instance || template.endsWith('{vid}'))) return [ifNoneMatch, ifModifiedSince];
  if (method === 'get' && (template === '/fhir/{type}' || template.endsWith('{compartmentType}'))) return [preferHandling];
  if (method === 'post' && template.endsWith('/_search')) return [preferHandling];
  if (method === 'post' && template === '/fhir/{type}') return [ifNoneExist, preferReturn];
  // by id or conditional: the conditional forms hold both against the resource their criteria match
  if (method === 'put' || method === 'patch' || method === 'delete') return [ifMatch, ifNoneMatchWrite, preferReturn];
  return [];
}

/** The history parameters history.ts reads (`_at` answers 400 there, so it is not offered). */
const HISTORY_PARAMS = [
  { name: '_since', in: 'query', required: false, schema: { type: 'string' }, description: 'Only versions written at or after this instant, e.g. 2025-01-01T00:00:00Z', example: '2025-01-01T00:00:00Z' },
  { name: '_count', in: 'query', required: false, schema: { type: 'integer', minimum: 0 }, description: 'Versions per page (default FHIR_DEFAULT_COUNT, at most FHIR_MAX_COUNT)', example: 10 },
  { name: '_cursor', in: 'query', required: false, schema: { type: 'string' }, description: 'Paging position: copy it from the Bundle\'s `next` link, do not build it' },
  { name: '_total', in: 'query', required: false, schema: { type: 'string', enum: ['none', 'estimate', 'accurate'] }, description: 'Bundle.total: on the first page by default; estimate or accurate on every page, none on no page' },
];

function addHistoryParams(paths: Record<string, Record<string, unknown>>): void {
  for (const [p, item] of Object.entries(paths)) {
    const op = item.get as Record<string, unknown> | undefined;
    if (!p.endsWith('/_history') || !op) continue;
    const params = ((op.parameters as Array<{ name: string }>) ?? []).filter((x) => !HISTORY_PARAMS.some((h) => h.name === x.name));
    op.parameters = [...params, ...HISTORY_PARAMS];
  }
}

/** `{id}` and `{vid}` pre-filled from the demo data (parameter-examples.ts), where it has that type. */
function pathExample(p: Record<string, unknown>, type: string): Record<string, unknown> {
  if (p.in !== 'path') return p;
  const example = p.name === 'id' ? idExample(type) : p.name === 'vid' && idExample(type) ? VID_EXAMPLE : undefined;
  return example === undefined ? p : { ...p, example };
}

/** `{compartmentType}`: the Patient compartment's member types (compartment.ts), or `*` for all of them. */
function compartmentTypeParam(type: string): Record<string, unknown> {
  return {
    name: 'compartmentType', in: 'path', required: true,
    description: `The resources of this ${type}'s compartment to search: one member type of the Patient compartment, or * for all of them (the only compartment served)`,
    schema: { type: 'string', enum: ['*', ...patientCompartmentTypes().sort()] },
    example: 'Observation',
  };
}

/**
 * HEAD: Fastify answers it on every GET route (headers only); documented where the headers are
 * the point, ETag and Last-Modified of one version and the capabilities.
 */
function addHeadOperations(paths: Record<string, Record<string, unknown>>): void {
  for (const [p, item] of Object.entries(paths)) {
    const get = item.get as Record<string, unknown> | undefined;
    if (!get || !(p === '/fhir/metadata' || /^\/fhir\/[A-Za-z]+\/\{id\}(\/_history\/\{vid\})?$/.test(p))) continue;
    const responses = Object.fromEntries(Object.entries(get.responses as Record<string, { description: string }>)
      .map(([code, r]) => [code, { description: r.description }]));
    item.head = {
      ...get,
      summary: `${String(get.summary ?? '')} (HEAD: the headers only, e.g. ETag and Last-Modified)`,
      operationId: `head_${String(get.operationId ?? p.replace(/[^A-Za-z0-9]+/g, '_'))}`.replace(/^head_get_/, 'head_'),
      responses,
    };
  }
}

/** RFC 6902 JSON Patch document (the patch format the server accepts; FHIRPath Patch is not supported). */
const JSON_PATCH = {
  type: 'array',
  description: 'JSON Patch (RFC 6902) operations, applied in order; the result must be a valid resource (else 422)',
  items: {
    type: 'object',
    required: ['op', 'path'],
    properties: {
      op: { type: 'string', enum: ['add', 'remove', 'replace', 'move', 'copy', 'test'] },
      path: { type: 'string', description: 'JSON Pointer (RFC 6901), e.g. /status or /identifier/0/value' },
      from: { type: 'string', description: 'JSON Pointer, for move and copy' },
      value: { description: 'The value, for add, replace and test' },
    },
  },
};

/**
 * Examples that can be tried again and again and leave the demo data as the other examples query it:
 * replacing `status` final with amended failed its own `test` the second time (422), and the search
 * examples (`status=final`) no longer found the resource. A tag is data that nothing searches for.
 */
function patchExample(type: string): unknown[] {
  if (type === 'Observation' || type === 'DiagnosticReport') {
    return [{ op: 'test', path: '/status', value: 'final' }, { op: 'add', path: '/meta/tag', value: [{ system: 'urn:example:workflow', code: 'reviewed' }] }];
  }
  if (type === 'Patient') return [{ op: 'add', path: '/active', value: true }];
  return [{ op: 'test', path: '/resourceType', value: type }];
}

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
  const notModified = { 304: { description: 'Not Modified (If-None-Match matched the version, or it was not modified since If-Modified-Since)' } };
  if (template.endsWith('{vid}')) return { 200: ok, ...notModified, ...errors, 410: outcomeResponse('This version is a deletion') };
  if (template.endsWith('{id}')) return { 200: ok, ...notModified, ...errors, 410: outcomeResponse('Deleted') };
  return { 200: ok, ...errors };
}

function expandForType(template: string, method: string, op: Record<string, unknown>, type: string, capability: CapabilityStatement): Record<string, unknown> {
  const params = ((op.parameters as Array<Record<string, unknown>>) ?? []).filter((p) => !(p.in === 'path' && p.name === 'type'))
    .map((p) => (p.in === 'path' && p.name === 'compartmentType' ? compartmentTypeParam(type) : p))
    .map((p) => pathExample(p, type));
  const res = capability.rest?.[0]?.resource?.find((r) => r.type === type);
  const isSearch = method === 'get' && template === '/fhir/{type}';
  // Conditional update, patch and delete take their criteria as search parameters: without them
  // offered, Swagger UI could send none (400). None is pre-filled: Try it out would change or
  // delete demo data the user did not choose.
  const isConditional = template === '/fhir/{type}' && (method === 'put' || method === 'patch' || method === 'delete');
  if (isConditional) {
    for (const sp of res?.searchParam ?? []) {
      params.push({
        name: sp.name, in: 'query', required: false, schema: { type: 'string' },
        description: `${sp.documentation ?? sp.name} (FHIR ${sp.type} search parameter; a criterion of the conditional ${method === 'put' ? 'update' : method}: give at least one)`,
      });
    }
  }
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
  // read and vread subset too (read.ts): https://hl7.org/fhir/R4/search.html#summary applies to them
  if (method === 'get' && (template.endsWith('/{id}') || template.endsWith('/{vid}'))) {
    params.push(
      { name: '_summary', in: 'query', required: false, schema: { type: 'string', enum: ['true', 'text', 'data', 'false'] }, description: 'A subset of the resource: its summary elements (true), text and mandatory elements (text), or all but the text (data); tagged SUBSETTED' },
      { name: '_elements', in: 'query', required: false, schema: { type: 'string' }, description: 'Comma-separated top-level elements to return (besides the mandatory ones), e.g. status,code,value; tagged SUBSETTED' },
    );
  }
  const out: Record<string, unknown> = {
    ...op,
    tags: [type],
    operationId: `${method}_${type}${template.replace('/fhir/{type}', '').replace(/[^A-Za-z0-9]+/g, '_')}`,
    summary: `${String(op.summary ?? '')}`.replace(/\bresource\b/g, type) + (isSearch ? ` (${type})` : ''),
    parameters: [...params, ...headerParams(method, template)],
    responses: typedResponses(method, template, type),
  };
  if (op.requestBody || method === 'post' || method === 'put' || method === 'patch') {
    if (template.endsWith('/_search')) {
      out.requestBody = { content: { 'application/x-www-form-urlencoded': { schema: { type: 'object', additionalProperties: { type: 'string' } } } } };
    } else if (method === 'patch') {
      out.requestBody = { required: true, content: { 'application/json-patch+json': { schema: JSON_PATCH, example: patchExample(type) } } };
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
    system.post.parameters = [...((system.post.parameters as unknown[]) ?? []), HEADERS.preferReturn];
  }
  if (system?.get) {
    system.get.parameters = [...((system.get.parameters as unknown[]) ?? []), HEADERS.preferHandling];
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
        const example = idExample(type);
        const idParam = { name: 'id', in: 'path', required: true, schema: { type: 'string' }, ...(example ? { example } : {}) };
        paths[`/fhir/${type}/{id}/$${h.name}`] = operationPathItem(h, def, tag ?? type, [idParam], type);
      }
    }
  }

  addHistoryParams(paths);
  const systemSearch = paths['/fhir/_search'] as Record<string, Record<string, unknown>> | undefined;
  if (systemSearch?.post) {
    systemSearch.post.parameters = [...((systemSearch.post.parameters as unknown[]) ?? []), HEADERS.preferHandling];
    systemSearch.post.requestBody = { content: { 'application/x-www-form-urlencoded': { schema: { type: 'object', additionalProperties: { type: 'string' } }, example: { _type: 'Observation', code: 'http://loinc.org|69548-6' } } } };
    systemSearch.post.responses = { 200: { description: 'searchset Bundle', content: fhirJson(ref('Bundle')) }, 400: outcomeResponse('Malformed or (under Prefer: handling=strict) unknown parameter') };
  }
  nameOperations(paths);
  addHeadOperations(paths);
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
