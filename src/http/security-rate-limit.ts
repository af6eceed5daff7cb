import type { FastifyInstance, FastifyRequest } from 'fastify';
import rateLimit from '@fastify/rate-limit';
import type { AppConfig } from '../config.js';
import { FhirError } from '../fhir/errors.js';
import type { AuthContext } from '../fhir/context.js';

/**
 * Per-client rate limits (@fastify/rate-limit, in-memory store). The key is the verified client
 * id once the auth hook has run (so one client's burst cannot starve another behind the same
 * NAT), otherwise the remote address (token endpoint, unauthenticated callers, FHIR_AUTH=off).
 * Exceeding it answers 429 with Retry-After. Health probes are never limited. Must be registered
 * before the routes it protects (it attaches to routes as they are added).
 */
export async function registerRateLimit(app: FastifyInstance, config: AppConfig): Promise<void> {
  const { rateLimitMax, rateLimitWindowMs } = config.security;
  if (rateLimitMax <= 0) return;
  await app.register(rateLimit, {
    global: true,
    max: rateLimitMax,
    timeWindow: rateLimitWindowMs,
    keyGenerator: (req: FastifyRequest) => {
      const auth = (req as unknown as { auth?: AuthContext }).auth;
      return auth ? `client:${auth.issuer ?? ''}|${auth.clientId}` : `ip:${req.ip}`;
    },
    allowList: (req: FastifyRequest) => req.url.startsWith('/health/'),
    // Below the limit only the remaining budget is announced (three headers on every answer
    // cost more than they tell); at the limit all of them plus Retry-After.
    addHeadersOnExceeding: { 'x-ratelimit-limit': false, 'x-ratelimit-remaining': true, 'x-ratelimit-reset': false },
    errorResponseBuilder: (_req, ctx) =>
      new FhirError('TOO_MANY_REQUESTS', `Rate limit of ${ctx.max} requests per ${ctx.after} exceeded; retry later`, {
        headers: { 'retry-after': String(Math.max(1, Math.ceil(ctx.ttl / 1000))) },
      }),
  });
}
