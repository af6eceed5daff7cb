import type { FastifyInstance, FastifyReply, FastifyRequest, RouteShorthandOptions } from 'fastify';
import type { FhirContext, FhirRequest, FhirResponse, HttpMethod } from '../fhir/context.js';
import { fhirError, FhirError } from '../fhir/errors.js';
import { handleFhirRequest } from '../fhir/rest/router.js';
import { FHIR_JSON, isPretty, sendOtherMethod } from './error-handler.js';
import { fhirRouteDocs } from './fhir-route-docs.js';
import { paramRecord } from '../fhir/query-params.js';
import { keepNumberText, parseFhirJson, stringifyFhir } from '../fhir/json-decimals.js';
import { checkBodyMediaType, checkContentEncoding, decodeUtf8 } from '../fhir/rest/media-type.js';
import { checkJsonShape } from '../validation/json-shape.js';

/**
 * The thin HTTP adapter of the FHIR API: it turns a Fastify request below `/fhir` into a
 * FhirRequest, hands it to the framework-free core, and writes the FhirResponse back. Errors are
 * left to the app's single error handler. Routes are declared per interaction shape so the
 * OpenAPI document lists them; a hidden catch-all lets the core answer 404/405 for the rest.
 */
const PREFIX = '/fhir';

function toFhirRequest(request: FastifyRequest): FhirRequest {
  const url = request.url;
  const q = url.indexOf('?');
  const rawPath = (q < 0 ? url : url.slice(0, q)).slice(PREFIX.length);
  let path = rawPath.charCodeAt(0) === 47 ? rawPath.slice(1) : rawPath;
  if (path.includes('%')) {
    try {
      path = path.split('/').map(decodeURIComponent).join('/');
    } catch {
      throw fhirError('BAD_REQUEST', 'The URL path is not validly percent-encoded');
    }
  }
  const query = paramRecord();
  for (const [k, v] of Object.entries((request.query ?? {}) as Record<string, string | string[]>)) {
    query[k] = Array.isArray(v) ? v : [v];
  }
  return {
    method: request.method as HttpMethod,
    path,
    query,
    headers: request.headers as Record<string, string | undefined>,
    body: request.body,
    auth: request.auth,
    remoteAddress: request.ip,
    audit: request.auditNotes,
  };
}

/**
 * Fastify's parser answers every failure with "Body is not valid JSON but content-type is set to
 * 'application/json'", whatever the media type, and for valid JSON with a refused key too. On that
 * (rare) path the text is parsed again to tell the two apart and say where the syntax broke.
 */
function jsonProblem(text: string, err: Error): Error {
  if ((err as { code?: string }).code !== 'FST_ERR_CTP_INVALID_JSON_BODY') return err;
  try {
    JSON.parse(text);
  } catch (syntax) {
    return new FhirError('INVALID_JSON', `Malformed JSON: ${(syntax as Error).message}`);
  }
  const message = 'The body holds a __proto__ key or a constructor.prototype key, which this server refuses (they could alter objects on the server)';
  // (JSON.parse keeps such a key as a plain own key: the shape check says where each one sits)
  const located = checkJsonShape(JSON.parse(text)).map((i) => ({ ...i, diagnostics: `${i.diagnostics} (it could alter objects on the server)` }));
  return new FhirError('INVALID_JSON', message, located.length ? { issues: located } : {});
}

/**
 * Whether a URL invokes an operation (`…/$name`): a POST of one without a body is an invocation
 * without parameters (the operation says what it misses), not an empty JSON document, even with
 * the Content-Type clients send on every request.
 */
function isOperationUrl(url: string): boolean {
  const q = url.indexOf('?');
  const path = q < 0 ? url : url.slice(0, q);
  const last = path.slice(path.lastIndexOf('/') + 1);
  return last.startsWith('$') || last.toLowerCase().startsWith('%24');
}

function send(request: FastifyRequest, reply: FastifyReply, res: FhirResponse): FastifyReply {
  reply.code(res.status);
  if (res.headers) reply.headers(res.headers);
  if (res.body === undefined || res.status === 204 || res.status === 304) return reply.send();
  reply.header('content-type', FHIR_JSON);
  if (isPretty(request)) {
    const value = typeof res.body === 'string' ? parseFhirJson(res.body) : res.body;
    return reply.send(stringifyFhir(value, 2));
  }
  return reply.send(typeof res.body === 'string' ? res.body : stringifyFhir(res.body));
}

export async function fhirRoutes(app: FastifyInstance, opts: { ctx: FhirContext }): Promise<void> {
  const { ctx } = opts;
  // FHIR JSON and JSON Patch go through Fastify's own JSON parser, which refuses `__proto__` and
  // `constructor.prototype` keys (DESIGN.md, validation layer 1).
  const strict = app.getDefaultJsonParser('error', 'error');
  // Many clients send their Content-Type on every request: a DELETE or GET without a body is not
  // an empty JSON document (that stays an error where a body is expected).
  // The bytes are read as a Buffer so that invalid UTF-8 is refused, not silently replaced.
  const json = (req: FastifyRequest, body: Buffer, done: (err: Error | null, body?: unknown) => void): void => {
    if (body.length === 0 && (req.method === 'DELETE' || req.method === 'GET' || req.method === 'HEAD' || isOperationUrl(req.url))) return done(null, undefined);
    let text: string;
    try {
      checkBodyMediaType(req.headers['content-type']);
      checkContentEncoding(req.headers['content-encoding']);
      text = decodeUtf8(body);
    } catch (err) {
      return done(err as Error);
    }
    // Decimals keep the text the client wrote (1.50 stays 1.50: json-decimals.ts).
    void strict(req, text, (err: Error | null, value?: unknown) => {
      if (err) return done(jsonProblem(text, err));
      keepNumberText(text, value);
      done(null, value);
    });
  };
  // Fastify's own text/plain parser decodes the body as UTF-8: a gzip VCF sent as text/plain (or
  // with Content-Encoding: gzip) would lose its bytes before the import could see its magic number.
  app.removeContentTypeParser(['application/json', 'text/plain']);
  app.addContentTypeParser(['application/fhir+json', 'application/json', 'application/json-patch+json'], { parseAs: 'buffer' }, json);
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'buffer' }, (req, body: Buffer, done) => {
    try {
      checkBodyMediaType(req.headers['content-type']); // charset=latin1 would be misread as UTF-8
      checkContentEncoding(req.headers['content-encoding']);
      done(null, decodeUtf8(body));
    } catch (err) {
      done(err as Error);
    }
  });
  // Anything else reaches the core as raw bytes: operations may take other media (VCF), and the
  // interactions answer 415 themselves with an OperationOutcome.
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));

  // Every method Fastify routes (HEAD aside: it comes with GET): OPTIONS answers Allow, and the
  // others a route does not take (TRACE…) answer 405 with it, rather than a 404 for a known path.
  const ALL = app.supportedMethods.filter((m) => m !== 'HEAD') as HttpMethod[];
  // These routes also take the other methods of the paths below /fhir that other plugins serve
  // (SMART discovery at /fhir/.well-known/smart-configuration, GET only): no FHIR interaction is
  // there, but the path is known, so 405 (or OPTIONS's Allow) rather than the core's 404.
  const handler = async (request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> => {
    try {
      return send(request, reply, await handleFhirRequest(toFhirRequest(request), ctx));
    } catch (err) {
      const known = err instanceof FhirError && (err.key === 'UNKNOWN_ROUTE' || err.key === 'UNKNOWN_TYPE') ? sendOtherMethod(app, request, reply) : undefined;
      if (known) return known;
      throw err;
    }
  };

  for (const route of fhirRouteDocs) {
    app.route({ method: route.methods, url: PREFIX + route.url, schema: route.schema as RouteShorthandOptions['schema'], handler });
    const rest = ALL.filter((m) => !route.methods.includes(m));
    // The other methods on a documented path reach the core too, which answers 405 with `Allow`.
    if (rest.length) app.route({ method: rest, url: PREFIX + route.url, schema: { hide: true }, handler });
  }
  // Every other path below /fhir: the core answers 404 or runs an $operation.
  app.route({ method: ALL, url: `${PREFIX}/*`, schema: { hide: true }, handler });
}
