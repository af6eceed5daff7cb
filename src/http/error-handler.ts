import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { FhirError } from '../fhir/errors.js';
import { toOperationOutcome } from '../fhir/outcome.js';

export const FHIR_JSON = 'application/fhir+json; charset=utf-8';

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
  if (fe?.code === 'FST_ERR_CTP_EMPTY_JSON_BODY') return new FhirError('INVALID_JSON', 'The request body is empty');
  if (fe?.validation) return new FhirError('BAD_REQUEST', `Invalid request: ${fe.message}`);
  if (err instanceof SyntaxError || fe?.code === 'FST_ERR_CTP_INVALID_JSON_BODY') return new FhirError('INVALID_JSON', `Malformed JSON: ${(err as Error).message}`);
  if (status === 429) return new FhirError('TOO_MANY_REQUESTS', 'Too many requests');
  if (status && status >= 400 && status < 500) return new FhirError('BAD_REQUEST', fe.message);
  return new FhirError('INTERNAL', 'Internal server error');
}

export function sendError(reply: FastifyReply, err: FhirError): FastifyReply {
  reply.code(err.status).header('content-type', FHIR_JSON);
  for (const [k, v] of Object.entries(err.headers)) reply.header(k, v);
  return reply.send(JSON.stringify(toOperationOutcome(err.issues)));
}

export function registerErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler((err, request: FastifyRequest, reply: FastifyReply) => {
    const fhirErr = toFhirError(err);
    if (fhirErr.status >= 500) request.log.error({ err }, 'request failed');
    return sendError(reply, fhirErr);
  });
  app.setNotFoundHandler((request, reply) =>
    sendError(reply, new FhirError('UNKNOWN_ROUTE', `No route for ${request.method} ${request.url.split('?')[0]}`)),
  );
}
