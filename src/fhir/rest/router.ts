import type { FhirContext, FhirRequest, FhirResponse } from '../context.js';
import { fhirError, FhirError } from '../errors.js';
import { isKnownResourceType } from '../resource-types.js';
import { processBundle } from '../bundle/bundle-handler.js';
import { capabilities } from './capabilities.js';
import { historyBundle } from './history.js';
import { invokeOperation } from './operations.js';
import { readResource, vreadResource } from './read.js';
import { allowHeader, checkFormat } from './request-utils.js';
import { builtInResource } from './built-ins.js';
import { searchResources } from './search.js';
import { conditionalDelete, conditionalUpdate, createResource, deleteResource, patchResource, updateResource } from './write.js';

/**
 * The FHIR REST API below the base URL (https://hl7.org/fhir/R4/http.html), free of any HTTP
 * framework: a path such as `Patient/p1/_history/2` plus a method picks the interaction. A known
 * path with a method it does not support answers 405 with `Allow`; an unknown path or type 404;
 * OPTIONS on a known path answers that `Allow`.
 */
type M = FhirRequest['method'];

function notAllowed(method: M, path: string, allowed: string): never {
  const allow = allowHeader(allowed);
  throw new FhirError('METHOD_NOT_ALLOWED', `${method} is not allowed on /${path} (allowed: ${allow})`, { headers: { allow } });
}

function knownType(type: string): string {
  if (!isKnownResourceType(type)) throw fhirError('UNKNOWN_TYPE', `Unknown resource type "${type.slice(0, 64)}"`);
  return type;
}

const isOp = (s: string | undefined): s is string => s !== undefined && s.startsWith('$') && s.length > 1;

export async function handleFhirRequest(req: FhirRequest, ctx: FhirContext): Promise<FhirResponse> {
  if (req.method === 'OPTIONS') return allowedMethods(req, ctx);
  checkFormat(req);
  return route(req, ctx);
}

/**
 * OPTIONS (RFC 9110 §9.3.7): 200 with the target's `Allow` and no content. The routing below is
 * the one place that knows each path's methods, and no interaction takes OPTIONS (every branch
 * runs a handler under its method only), so routing it ends in the 405 that names them (or the
 * 404 of an unknown path, which is the answer too).
 */
async function allowedMethods(req: FhirRequest, ctx: FhirContext): Promise<FhirResponse> {
  try {
    await route(req, ctx);
  } catch (err) {
    if (err instanceof FhirError && err.key === 'METHOD_NOT_ALLOWED' && err.headers.allow) return { status: 200, headers: { allow: err.headers.allow } };
    throw err;
  }
  throw fhirError('INTERNAL', `OPTIONS /${req.path} reached an interaction`);
}

async function route(req: FhirRequest, ctx: FhirContext): Promise<FhirResponse> {
  const seg = req.path.split('/').filter(Boolean);
  const m = req.method === 'HEAD' ? 'GET' : req.method;
  const dispatch = (r: FhirRequest, c: FhirContext = ctx): Promise<FhirResponse> => handleFhirRequest(r, c);

  if (seg.length === 0) {
    if (m === 'GET') return searchResources(ctx, req, undefined);
    if (m === 'POST') return processBundle(ctx, req, dispatch);
    return notAllowed(req.method, req.path, 'GET, POST');
  }
  const [a, b, c, d] = seg;
  if (seg.length === 1) {
    if (a === 'metadata') return m === 'GET' ? capabilities(ctx, req) : notAllowed(req.method, req.path, 'GET');
    if (a === '_history') return m === 'GET' ? historyBundle(ctx, req) : notAllowed(req.method, req.path, 'GET');
    if (a === '_search') return m === 'POST' ? searchResources(ctx, req, undefined, { post: true }) : notAllowed(req.method, req.path, 'POST');
    if (isOp(a)) return invokeOperation(ctx, req, a.slice(1));
    const type = knownType(a);
    switch (m) {
      case 'GET': return searchResources(ctx, req, type);
      case 'POST': return createResource(ctx, req, type);
      case 'PUT': return conditionalUpdate(ctx, req, type);
      case 'PATCH': return patchResource(ctx, req, type, undefined);
      case 'DELETE': return conditionalDelete(ctx, req, type);
      default: return notAllowed(req.method, req.path, 'GET, POST, PUT, PATCH, DELETE');
    }
  }
  const type = knownType(a);
  if (seg.length === 2) {
    if (b === '_history') return m === 'GET' ? historyBundle(ctx, req, type) : notAllowed(req.method, req.path, 'GET');
    if (b === '_search') return m === 'POST' ? searchResources(ctx, req, type, { post: true }) : notAllowed(req.method, req.path, 'POST');
    if (isOp(b)) return invokeOperation(ctx, req, b.slice(1), type);
    switch (m) {
      case 'GET': return readResource(ctx, req, type, b);
      case 'PUT': return updateResource(ctx, req, type, b);
      case 'PATCH': return patchResource(ctx, req, type, b);
      case 'DELETE': return deleteResource(ctx, req, type, b);
      // a built-in definition is read-only (built-ins.ts), so its Allow is GET alone
      default: return notAllowed(req.method, req.path, builtInResource(type, b) ? 'GET' : 'GET, PUT, PATCH, DELETE');
    }
  }
  if (seg.length === 3) {
    if (c === '_history') return m === 'GET' ? historyBundle(ctx, req, type, b) : notAllowed(req.method, req.path, 'GET');
    if (isOp(c)) return invokeOperation(ctx, req, c.slice(1), type, b);
    if (c === '_search' || isKnownResourceType(c) || c === '*') {
      // Compartment search: /Patient/p1/Observation (https://hl7.org/fhir/R4/compartmentdefinition.html)
      const post = c === '_search';
      if (post ? m !== 'POST' : m !== 'GET') return notAllowed(req.method, req.path, post ? 'POST' : 'GET');
      return searchResources(ctx, req, c === '*' || post ? undefined : c, { post, compartment: { resourceType: type, id: b } });
    }
    throw fhirError('UNKNOWN_ROUTE', `No FHIR interaction at /${req.path}`);
  }
  if (seg.length === 4 && c === '_history') return m === 'GET' ? vreadResource(ctx, req, type, b, d) : notAllowed(req.method, req.path, 'GET');
  if (seg.length === 4 && isKnownResourceType(c) && d === '_search') {
    return m === 'POST' ? searchResources(ctx, req, c, { post: true, compartment: { resourceType: type, id: b } }) : notAllowed(req.method, req.path, 'POST');
  }
  throw fhirError('UNKNOWN_ROUTE', `No FHIR interaction at /${req.path}`);
}
