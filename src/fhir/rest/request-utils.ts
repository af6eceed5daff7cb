import type { Resource } from '@medplum/fhirtypes';
import type { FhirRequest } from '../context.js';
import { fhirError } from '../errors.js';
import { FHIR_VERSION, fhirVersionOk, parseMediaType, type MediaType } from './media-type.js';
import { isResultParam, splitEscaped } from '../../search/parse.js';

/**
 * Small parsers for what FHIR puts in headers and query parameters
 * (https://hl7.org/fhir/R4/http.html#parameters, #versioning, #ops).
 */

export function param(req: Pick<FhirRequest, 'query'>, name: string): string | undefined {
  return req.query[name]?.[0];
}

const ID = /^[A-Za-z0-9\-.]{1,64}$/;
/** https://hl7.org/fhir/R4/datatypes.html#id */
export function checkId(id: string, what = 'id'): string {
  if (!ID.test(id)) throw fhirError('BAD_REQUEST', `Invalid ${what} "${id.slice(0, 80)}": 1-64 characters of A-Z a-z 0-9 - .`);
  return id;
}

const XML = /xml/i;
const JSON_TYPES = /^(json|application\/(fhir\+)?json|text\/json)$/i;

/**
 * How specifically an Accept range names what this server sends, `application/fhir+json;
 * fhirVersion=4.0` (RFC 9110 §12.5.1: the most specific matching range gives the weight); 0 when
 * it does not match. A JSON alias (`application/json`, any `…json…` type) counts as asking for it,
 * as it always has, but less specifically than `application/fhir+json` itself.
 */
function specificity(r: MediaType): number {
  if (!fhirVersionOk(r)) return 0; // another FHIR version is another representation
  if (r.type === 'application/fhir+json') return r.params.fhirversion === undefined ? 4 : 5;
  if (r.type.includes('json')) return 3;
  if (r.type === 'application/*') return 2;
  return r.type === '*/*' ? 1 : 0;
}

/** A range's weight (RFC 9110 §12.4.2); a malformed `q` is ignored (the default, 1). */
function weight(r: MediaType): number {
  const q = r.params.q;
  return q !== undefined && /^(0(\.\d{0,3})?|1(\.0{0,3})?)$/.test(q.trim()) ? Number(q) : 1;
}

/**
 * The weight an Accept header gives FHIR JSON: that of its most specific matching ranges (the
 * highest among equally specific ones); undefined when no range matches it.
 */
export function jsonWeight(ranges: MediaType[]): number | undefined {
  let best = 0;
  let q: number | undefined;
  for (const r of ranges) {
    const s = specificity(r);
    if (s === 0 || s < best) continue;
    q = s > best ? weight(r) : Math.max(q!, weight(r));
    best = s;
  }
  return q;
}

/**
 * `_format` and `Accept`: only FHIR R4 JSON is served. Asking for XML (or anything else by
 * `_format`), or for another `fhirVersion` (https://hl7.org/fhir/R4/http.html#version-parameter),
 * is refused with 406 on reads and 415 when the request carries a body, as the issue requires.
 * So is an Accept that weighs FHIR JSON 0 (`application/fhir+json;q=0`, or a wildcard range with
 * q=0 and nothing more specific): it says the client does not take what the server sends. An Accept that
 * names neither (text/html alone) gets JSON: browsers send such headers. A valid `_format`
 * decides alone: it is there for clients that cannot set Accept.
 */
export function checkFormat(req: FhirRequest): void {
  const hasBody = req.method === 'POST' || req.method === 'PUT' || req.method === 'PATCH';
  const key = hasBody ? 'UNSUPPORTED_MEDIA_TYPE' : 'NOT_ACCEPTABLE';
  const format = param(req, '_format');
  if (format !== undefined) {
    const mt = parseMediaType(format);
    if (!JSON_TYPES.test(mt.type) || !fhirVersionOk(mt)) {
      throw fhirError(key, `_format=${format.slice(0, 80)} is not supported: this server speaks FHIR ${FHIR_VERSION} JSON only`, '_format');
    }
    // _format overrides Accept (http.html#mime-type: for clients that cannot set the header)
    return;
  }
  const accept = req.headers.accept;
  if (!accept) return;
  const ranges = accept.split(',').map(parseMediaType);
  const q = jsonWeight(ranges);
  if (q !== undefined ? q > 0 : !ranges.some((r) => XML.test(r.type) || !fhirVersionOk(r))) return;
  throw fhirError('NOT_ACCEPTABLE', `Accept: ${accept.slice(0, 80)} cannot be served: this server speaks FHIR ${FHIR_VERSION} JSON only${q === 0 ? ', which this Accept weighs q=0' : ''}`);
}

/** The request's media type, lower-cased, without parameters ('' when none is given). */
export function mediaType(req: FhirRequest): string {
  return parseMediaType(req.headers['content-type']).type;
}

/** A resource body: JSON object sent as application/fhir+json or application/json. */
export function resourceBody(req: FhirRequest): Resource {
  const mt = mediaType(req);
  if (mt !== 'application/fhir+json' && mt !== 'application/json') {
    throw fhirError('UNSUPPORTED_MEDIA_TYPE', `Content-Type ${mt || '(none)'} is not supported: send application/fhir+json`);
  }
  const body = req.body;
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw fhirError('INVALID_RESOURCE', 'The request body must be a FHIR resource (a JSON object)');
  }
  return body as Resource;
}

/** A JSON Patch document (RFC 6902), the one patch format supported. */
export function patchBody(req: FhirRequest): unknown[] {
  const mt = mediaType(req);
  if (mt !== 'application/json-patch+json') {
    throw fhirError('UNSUPPORTED_MEDIA_TYPE', `PATCH needs Content-Type application/json-patch+json (got ${mt || 'none'}); FHIRPath Patch is not supported`);
  }
  if (!Array.isArray(req.body)) throw fhirError('BAD_REQUEST', 'A JSON Patch body is an array of operations');
  return req.body;
}

/**
 * A 405's (and an OPTIONS answer's) `Allow` (RFC 9110 §10.2.1: the methods the target supports):
 * HEAD is served wherever GET is (the router answers it as GET), so it is named after GET, and
 * OPTIONS is answered on every FHIR route, so it ends every list.
 */
export function allowHeader(methods: string): string {
  return `${methods.replace(/\bGET\b(?!, HEAD)/, 'GET, HEAD')}, OPTIONS`;
}

/** The version ids the server assigns, as strings: `01` is another id, which names no version. */
export const VERSION = /^[1-9]\d{0,14}$/;

export type ReturnPref = 'minimal' | 'representation' | 'OperationOutcome';

/**
 * The value of one preference in a `Prefer` header (RFC 7240 §2: `name[=value]`, a token or a
 * quoted string, preferences split by commas and parameters by semicolons), lower-cased; undefined
 * when absent. Whole names and values only: `return=minimalist` is not `return=minimal`.
 */
function preference(headers: Record<string, string | undefined>, name: string): string | undefined {
  for (const part of (headers.prefer ?? '').split(/[,;]/)) {
    const eq = part.indexOf('=');
    if (eq < 0 || part.slice(0, eq).trim().toLowerCase() !== name) continue;
    return part.slice(eq + 1).trim().replace(/^"(.*)"$/, '$1').toLowerCase();
  }
  return undefined;
}

/** `Prefer: return=…` (https://hl7.org/fhir/R4/http.html#ops); representation by default, and for a value not known. */
export function preferReturn(headers: Record<string, string | undefined>): ReturnPref {
  const v = preference(headers, 'return');
  return v === 'minimal' ? 'minimal' : v === 'operationoutcome' ? 'OperationOutcome' : 'representation';
}

export function preferStrict(headers: Record<string, string | undefined>): boolean {
  return preference(headers, 'handling') === 'strict';
}

/**
 * The general parameters every interaction takes (https://hl7.org/fhir/R4/http.html#parameters):
 * how to answer, not what. Any other `_` parameter is not an operation's input and would be
 * dropped without a word (`_count` on an answer that is not paged), so operations refuse it as
 * unknown (input-checks.ts), and a write that names its target refuses it (throwIfWriteQuery).
 */
export const GENERAL_PARAMETERS: ReadonlySet<string> = new Set(['_format', '_pretty']);

/** The query's parameter names other than `_format` and `_pretty`. */
function criteriaNames(query: Record<string, string[]>): string[] {
  return Object.keys(query).filter((k) => !GENERAL_PARAMETERS.has(k));
}

/**
 * A write whose target is its path takes no other parameters; they were ignored, which did what
 * the client did not ask: `POST Patient?identifier=x` created a duplicate the criteria were meant
 * to prevent, and `DELETE Patient/p1?identifier=x` deleted p1 whatever they said. R4 has a form for
 * each: the If-None-Exist header for a conditional create (http.html#ccreate), criteria on the type
 * for a conditional update, patch or delete (#cond-update, #cpatch, #cdelete). So 400, naming it.
 * `target`: `create` (POST on a type), an id (PUT/PATCH/DELETE on an instance), or `bundle` (POST
 * on the base). `_format` and `_pretty` pass: they shape the answer only.
 */
export function throwIfWriteQuery(
  query: Record<string, string[]>, method: string, type: string | undefined, target: 'create' | 'bundle' | { id: string }, expression?: string,
): void {
  const names = criteriaNames(query);
  if (!names.length) return;
  const listed = names.slice(0, 5).map((n) => n.slice(0, 40)).join(', ');
  let message: string;
  if (target === 'bundle') message = `A batch or transaction takes no URL parameters (${listed}): conditions go in each entry's request (ifNoneExist, ifMatch, or criteria in its url)`;
  else if (target === 'create') {
    message = `POST ${type} takes no search parameters in the URL (${listed}): a conditional create sends its criteria in the If-None-Exist header (in a Bundle, entry.request.ifNoneExist), e.g. If-None-Exist: ${listed.split(', ')[0]}=…`;
  } else {
    const what = method === 'PUT' ? 'update' : method === 'PATCH' ? 'patch' : 'delete';
    message = `${method} ${type}/${target.id} names its target, so the URL's search parameters (${listed}) would select nothing: a conditional ${what} is ${method} ${type}?${listed.split(', ')[0]}=…`;
  }
  throw fhirError('BAD_REQUEST', message, expression ?? names[0]);
}

/**
 * If-None-Exist belongs to create (http.html#ccreate); on another write it was ignored, so a PUT
 * that carried it replaced the resource it was meant to leave alone. 400, naming the form for
 * "only if it does not exist" on a PUT: If-None-Match: * (RFC 9110 §13.1.2). `entry`: as the
 * `request.ifNoneExist` of a Bundle entry.
 */
export function throwIfNoneExistOnWrite(value: string | undefined, method: string, entry = false): void {
  if (value === undefined) return;
  const [name, match] = entry ? ['request.ifNoneExist', 'request.ifNoneMatch: *'] : ['If-None-Exist', 'If-None-Match: *'];
  const instead = method === 'PUT' ? `: to write only where no resource exists, send ${match}` : '';
  throw fhirError('BAD_REQUEST', `${name} is a condition of a create (POST) only; on ${method} it would be ignored${instead}`, entry ? name : undefined);
}

/** Query parameters as a query string, for conditional interactions (controls like `_format` dropped). */
export function searchQueryString(query: Record<string, string[]>): string {
  const parts: string[] = [];
  for (const [k, vs] of Object.entries(query)) {
    if (GENERAL_PARAMETERS.has(k)) continue;
    for (const v of vs) parts.push(`${encodeURIComponent(k)}=${encodeURIComponent(v)}`);
  }
  return parts.join('&');
}

/**
 * A stable lock key for a conditional request: criteria that mean the same search share it, so
 * that two concurrent conditional creates of one condition serialize on MongoDB (write-core.ts
 * `conditionalMatches`) however each was written. The query is read as the search does
 * (search-service.ts `findConditionalMatches`: URLSearchParams, so `%7C` and `|`, `+` and `%20`
 * are one value); result parameters (`_count`, `_sort`, `_include` …) are dropped, since they
 * select nothing there; OR values (unescaped commas, search.html#combining) and AND repeats are
 * sorted and deduplicated; then every pair is re-encoded one way and the pairs sorted.
 */
export function conditionKey(resourceType: string, queryString: string): string {
  const pairs = new Set<string>();
  for (const [k, v] of new URLSearchParams(queryString.replace(/^\?/, ''))) {
    if (isResultParam(k)) continue;
    const ors = [...new Set(splitEscaped(v, ','))].sort().join(',');
    pairs.add(`${encodeURIComponent(k)}=${encodeURIComponent(ors)}`);
  }
  return `${resourceType}?${[...pairs].sort().join('&')}`;
}

/** Notes a resource the request read or wrote, for the audit trail's patient entities (README "Audit trail"). */
export function noteTouched(req: FhirRequest, rec: { json?: string } | undefined): void {
  if (req.audit && rec?.json) req.audit.touched.push(rec.json);
}
