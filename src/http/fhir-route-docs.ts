import type { HttpMethod } from '../fhir/context.js';

/**
 * The FHIR interaction routes as the OpenAPI document shows them (one entry per URL shape). The
 * handler behind all of them is the same core dispatcher; these schemas document parameters and
 * answers. Bodies are FHIR JSON, checked by the core's validator rather than by route schemas.
 */
const resource = { type: 'object', description: 'A FHIR R4 resource (application/fhir+json)', additionalProperties: true } as const;
const outcome = { type: 'object', description: 'OperationOutcome explaining the error', additionalProperties: true } as const;
const bundle = { type: 'object', description: 'A FHIR Bundle', additionalProperties: true } as const;
const str = (description: string) => ({ type: 'string', description }) as const;
const type = str('FHIR resource type, e.g. Observation');
const id = str('Logical id: 1-64 of A-Z a-z 0-9 - .');
const errors = { 400: outcome, 404: outcome, 410: outcome, 412: outcome, 415: outcome, 422: outcome };
const common = {
  _format: str('json only (xml answers 406/415)'),
  _pretty: str('true to indent the JSON'),
};

export interface RouteDoc {
  methods: HttpMethod[];
  url: string;
  schema: Record<string, unknown>;
}

const doc = (methods: HttpMethod[], url: string, summary: string, extra: Record<string, unknown> = {}): RouteDoc => ({
  methods,
  url,
  schema: { tags: ['fhir'], summary, querystring: { type: 'object', properties: common, additionalProperties: true }, ...extra },
});

export const fhirRouteDocs: RouteDoc[] = [
  doc(['GET'], '/metadata', 'CapabilityStatement (capabilities interaction)', { security: [], response: { 200: resource } }),
  doc(['GET', 'POST'], '', 'GET: system search; POST: batch or transaction Bundle', { response: { 200: bundle, ...errors } }),
  doc(['GET'], '/_history', 'System history (_since, _count)', { response: { 200: bundle } }),
  doc(['GET', 'POST', 'PUT', 'PATCH', 'DELETE'], '/:type', 'GET: search; POST: create (conditional: If-None-Exist header; search parameters in its URL answer 400); PUT/PATCH/DELETE ?criteria: conditional update/patch/delete', {
    params: { type: 'object', properties: { type } },
    response: { 200: resource, 201: resource, 204: { type: 'null', description: 'Deleted' }, ...errors },
  }),
  doc(['POST'], '/_search', 'System search with form-encoded parameters (all types, or those named by _type)', { response: { 200: bundle } }),
  doc(['POST'], '/:type/_search', 'Search with form-encoded parameters', { params: { type: 'object', properties: { type } }, response: { 200: bundle } }),
  doc(['GET'], '/:type/_history', 'Type history', { params: { type: 'object', properties: { type } }, response: { 200: bundle } }),
  doc(['GET', 'PUT', 'PATCH', 'DELETE'], '/:type/:id', 'read; update (If-Match W/"N"); patch (application/json-patch+json); delete (search parameters on a write answer 400: conditional forms are on /:type)', {
    params: { type: 'object', properties: { type, id } },
    response: { 200: resource, 201: resource, 204: { type: 'null', description: 'Deleted' }, ...errors },
  }),
  doc(['GET'], '/:type/:id/_history', 'Instance history', { params: { type: 'object', properties: { type, id } }, response: { 200: bundle } }),
  doc(['GET'], '/:type/:id/_history/:vid', 'vread (410 for a deleted version)', {
    params: { type: 'object', properties: { type, id, vid: str('Version id') } },
    response: { 200: resource, ...errors },
  }),
  doc(['GET'], '/:type/:id/:compartmentType', 'Compartment search, e.g. /Patient/p1/Observation', {
    params: { type: 'object', properties: { type, id, compartmentType: str('A resource type in the Patient compartment, or * for all of them') } },
    response: { 200: bundle },
  }),
];
