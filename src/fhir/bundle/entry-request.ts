import type { BundleEntry, Resource } from '@medplum/fhirtypes';
import type { FhirContext, FhirRequest, HttpMethod } from '../context.js';
import { fhirError } from '../errors.js';
import { paramsOf } from '../query-params.js';

/**
 * Turns `Bundle.entry[i].request` into the FhirRequest it stands for
 * (https://hl7.org/fhir/R4/bundle.html#transaction), so batch entries and the GETs of a
 * transaction run through exactly the same code as standalone requests.
 */
const METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE']);

export interface EntryTarget {
  method: HttpMethod;
  path: string;
  segments: string[];
  query: Record<string, string[]>;
  queryString: string;
}

export function parseEntryUrl(ctx: FhirContext, method: string | undefined, url: string | undefined): EntryTarget {
  if (!method || !METHODS.has(method)) throw fhirError('BAD_REQUEST', `request.method must be one of ${[...METHODS].join(', ')}`, 'request.method');
  if (!url) throw fhirError('BAD_REQUEST', 'request.url is required', 'request.url');
  let rel = url;
  if (rel.startsWith(ctx.config.baseUrl + '/')) rel = rel.slice(ctx.config.baseUrl.length + 1);
  else if (/^[a-z]+:/i.test(rel)) throw fhirError('BAD_REQUEST', `request.url ${url} is not on this server`, 'request.url');
  rel = rel.replace(/^\/+/, '');
  const q = rel.indexOf('?');
  const path = q < 0 ? rel : rel.slice(0, q);
  const queryString = q < 0 ? '' : rel.slice(q + 1);
  const query = paramsOf(queryString);
  return { method: method as HttpMethod, path, segments: path.split('/').filter(Boolean), query, queryString };
}

/**
 * A PATCH entry carries its JSON Patch as a Binary resource (https://hl7.org/fhir/R4/http.html#patch:
 * "the body of the patch is a Binary resource with contentType application/json-patch+json").
 */
export function patchFromEntry(resource: Resource | undefined): unknown[] {
  if (resource?.resourceType !== 'Binary' || !/json-patch\+json/.test(resource.contentType ?? '')) {
    throw fhirError('UNSUPPORTED_MEDIA_TYPE', 'A PATCH entry needs a Binary resource with contentType application/json-patch+json', 'resource');
  }
  let ops: unknown;
  try {
    ops = JSON.parse(Buffer.from(resource.data ?? '', 'base64').toString('utf8'));
  } catch {
    throw fhirError('INVALID_JSON', 'The Binary of a PATCH entry does not hold JSON', 'resource.data');
  }
  if (!Array.isArray(ops)) throw fhirError('BAD_REQUEST', 'A JSON Patch is an array of operations', 'resource.data');
  return ops;
}

/** The standalone request equivalent to an entry (batch entries, transaction GETs). */
export function entryToRequest(parent: FhirRequest, target: EntryTarget, entry: BundleEntry): FhirRequest {
  const r = entry.request!;
  const headers: Record<string, string | undefined> = { prefer: parent.headers.prefer, accept: 'application/fhir+json' };
  let body: unknown = entry.resource;
  if (target.method === 'PATCH') {
    body = patchFromEntry(entry.resource);
    headers['content-type'] = 'application/json-patch+json';
  } else if (entry.resource) {
    headers['content-type'] = 'application/fhir+json';
  }
  if (r.ifMatch) headers['if-match'] = r.ifMatch;
  if (r.ifNoneExist) headers['if-none-exist'] = r.ifNoneExist;
  if (r.ifNoneMatch) headers['if-none-match'] = r.ifNoneMatch;
  // an instant in the Bundle, an HTTP-date on the wire (read.ts compares whole seconds either way)
  if (r.ifModifiedSince) headers['if-modified-since'] = r.ifModifiedSince;
  return { method: target.method, path: target.path, query: target.query, headers, body, auth: parent.auth, remoteAddress: parent.remoteAddress };
}
