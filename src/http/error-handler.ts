import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { FhirError } from '../fhir/errors.js';
import { toOperationOutcome } from '../fhir/outcome.js';
import { FHIR_VERSION } from '../fhir/rest/media-type.js';
import { allowHeader } from '../fhir/rest/request-utils.js';
import { oauthErrorBody } from '../auth/oauth-error.js';
import type { Duplex } from 'node:stream';

/** Every FHIR response's media type, with the FHIR version it is (http.html#version-parameter). */
export const FHIR_JSON = `application/fhir+json; fhirVersion=${FHIR_VERSION}; charset=utf-8`;

/**
 * The single place where errors become responses. FhirErrors carry their own status and issues;
 * Fastify's own errors (body too large, bad JSON, wrong media type) are mapped by status; anything
 * else is a 500 whose body never carries the internal message or stack.
 */
export function toFhirError(err: unknown): FhirError {
  if (err instanceof FhirError) return err;
  const fe = err as FastifyError & { statusCode?: number };
  const status = fe?.statusCode;
  if (fe?.code === 'FST_ERR_CTP_BODY_TOO_LARGE' || status === 413) return new FhirError('PAYLOAD_TOO_LARGE', 'Request body is too large');
  if (fe?.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE' || status === 415) return new FhirError('UNSUPPORTED_MEDIA_TYPE', 'Unsupported media type: send application/fhir+json or application/json');
  if (fe?.code === 'FST_ERR_BAD_URL') return new FhirError('BAD_REQUEST', 'The URL path is not validly percent-encoded');
  if (fe?.code === 'FST_ERR_MAX_PARAM_LENGTH' || status === 414) return new FhirError('URI_TOO_LONG', 'A URL path segment is too long');
  if (fe?.code === 'FST_ERR_CTP_EMPTY_JSON_BODY') return new FhirError('INVALID_JSON', 'The request body is empty');
  if (fe?.validation) return new FhirError('BAD_REQUEST', `Invalid request: ${fe.message}`);
  if (err instanceof SyntaxError || fe?.code === 'FST_ERR_CTP_INVALID_JSON_BODY') return new FhirError('INVALID_JSON', `Malformed JSON: ${(err as Error).message}`);
  if (status === 429) return new FhirError('TOO_MANY_REQUESTS', 'Too many requests');
  if (status && status >= 400 && status < 500) return new FhirError('BAD_REQUEST', fe.message);
  return new FhirError('INTERNAL', 'Internal server error');
}

/** `_pretty=true` (https://hl7.org/fhir/R4/http.html#general): every answer indented, an error's too. */
export function isPretty(request: FastifyRequest | undefined): boolean {
  const p = (request?.query as Record<string, unknown> | undefined)?._pretty;
  return p === 'true' || (Array.isArray(p) && p[0] === 'true');
}

export function sendError(reply: FastifyReply, err: FhirError): FastifyReply {
  reply.code(err.status).header('content-type', FHIR_JSON);
  for (const [k, v] of Object.entries(err.headers)) reply.header(k, v);
  return reply.send(JSON.stringify(toOperationOutcome(err.issues), null, isPretty(reply.request) ? 2 : undefined));
}

function sendOAuthError(reply: FastifyReply, err: FhirError): FastifyReply {
  reply.code(err.status).header('content-type', 'application/json; charset=utf-8').header('cache-control', 'no-store');
  for (const [k, v] of Object.entries(err.headers)) reply.header(k, v);
  return reply.send(JSON.stringify(oauthErrorBody(err.status, err.message)));
}

/**
 * Requests Node's HTTP parser refuses (a raw non-ASCII byte in the URL, a malformed header) never
 * reach a route or the error handler: they are answered on the socket, still as an
 * OperationOutcome (Fastify's clientErrorHandler; its default answers `{"error":"Bad Request"}`).
 */
export function clientErrorHandler(err: Error & { code?: string }, socket: Duplex): void {
  if (err.code === 'ECONNRESET' || !socket.writable) {
    socket.destroy();
    return;
  }
  const [status, text, message] =
    err.code === 'HPE_HEADER_OVERFLOW' ? [431, 'Request Header Fields Too Large', 'The request headers are too large']
      : err.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? [408, 'Request Timeout', 'The request took too long to arrive']
        : [400, 'Bad Request', `The HTTP request is malformed (${err.code ?? 'parse error'}): percent-encode non-ASCII characters in the URL`];
  const body = JSON.stringify(toOperationOutcome([{ severity: 'error', code: status === 408 ? 'timeout' : 'structure', diagnostics: message }]));
  socket.end(`HTTP/1.1 ${status} ${text}\r\ncontent-type: ${FHIR_JSON}\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`);
}

/**
 * Errors Fastify raises while routing, before any hook or the error handler can see the request
 * (a path that does not percent-decode, a segment over maxParamLength): the `frameworkErrors`
 * option sends them here, else Fastify answers its own `{"error":"Bad Request"}` JSON.
 */
export function frameworkErrorHandler(err: FastifyError, _request: FastifyRequest, reply: FastifyReply): FastifyReply {
  return sendError(reply, toFhirError(err));
}

export function registerErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler((err, request: FastifyRequest, reply: FastifyReply) => {
    const fhirErr = toFhirError(err);
    if (fhirErr.status >= 500) request.log.error({ err }, 'request failed');
    // the token endpoint's clients are OAuth libraries: its errors are OAuth JSON (RFC 6749 §5.2)
    if (request.url.split('?')[0] === '/auth/token') return sendOAuthError(reply, fhirErr);
    return sendError(reply, fhirErr);
  });
  app.setNotFoundHandler((request, reply) => {
    const path = request.url.split('?')[0];
    if (!app.supportedMethods.includes(request.method)) {
      return sendError(reply, new FhirError('NOT_IMPLEMENTED', `The method ${request.method.slice(0, 20)} is not implemented by this server`));
    }
    return sendOtherMethod(app, request, reply) ?? sendError(reply, new FhirError('UNKNOWN_ROUTE', `No route for ${request.method} ${path}`));
  });
}

/**
 * A request whose method no route of its path takes, where routes of other methods serve that path:
 * OPTIONS answers their `Allow` (200, no content), another method 405 with it. Undefined when no
 * route serves the path (the caller's 404).
 */
export function sendOtherMethod(app: FastifyInstance, request: FastifyRequest, reply: FastifyReply): FastifyReply | undefined {
  const path = request.url.split('?')[0];
  const allow = allowAt(app, path);
  if (!allow) return undefined;
  if (request.method === 'OPTIONS') return reply.code(200).header('allow', allow).header('content-length', '0').send();
  return sendError(reply, new FhirError('METHOD_NOT_ALLOWED', `${request.method} is not allowed on ${path} (allowed: ${allow})`, { headers: { allow } }));
}

/**
 * Outside the FHIR interactions (whose router answers for itself): the `Allow` of a path some route
 * serves with other methods (`POST /health/live`, `GET /auth/token`,
 * `POST /fhir/.well-known/smart-configuration`), which answered 404 as if the path were
 * unknown (RFC 9110 §15.5.6: 405 with Allow; §9.3.7: OPTIONS answers it). Only on this miss path:
 * a lookup per method of the path as a route's own (static) URL; undefined when none serves it.
 */
function allowAt(app: FastifyInstance, path: string): string | undefined {
  // (hasRoute reads its url as a route pattern: a client path such as `/:a(` or `/*/*` makes it throw)
  const served = (m: string): boolean => {
    try {
      return app.hasRoute({ method: m as 'GET', url: path });
    } catch {
      return false;
    }
  };
  const methods = app.supportedMethods.filter((m) => m !== 'HEAD' && m !== 'OPTIONS' && served(m));
  return methods.length ? allowHeader(methods.join(', ')) : undefined;
}
