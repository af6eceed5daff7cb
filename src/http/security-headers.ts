import type { FastifyInstance } from 'fastify';
import cors from '@fastify/cors';
import type { AppConfig } from '../config.js';

/**
 * Response hardening: helmet's default header set (nosniff, frame denial, referrer policy,
 * cross-origin isolation headers, HSTS on https), computed once and set in one hook. (The
 * @fastify/helmet plugin built its middleware anew on every request through an extra async hook,
 * which cost a fifth of read-by-id throughput for a list of fixed headers.)
 * The Content-Security-Policy is ours: API responses are data and get `default-src 'none'`;
 * Swagger UI under /docs loads only its own bundled scripts and styles (the UI sets inline
 * styles, hence `style-src 'unsafe-inline'`; no inline script is needed) and calls the API
 * origin. CORS (@fastify/cors) is off unless FHIR_CORS_ORIGINS lists origins: browser-based EHR
 * apps on another origin send bearer tokens, never cookies, so credentials stay disabled.
 */
const API_CSP = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

function docsCsp(config: AppConfig): string {
  const apiOrigin = new URL(config.baseUrl).origin;
  return [
    "default-src 'self'", "base-uri 'self'", "object-src 'none'", "frame-ancestors 'none'", "form-action 'self'",
    "script-src 'self'", "script-src-attr 'none'", "style-src 'self' 'unsafe-inline'", "img-src 'self' data:",
    "font-src 'self' data:", `connect-src 'self' ${apiOrigin}`,
  ].join('; ');
}

export async function registerSecurityHeaders(app: FastifyInstance, config: AppConfig): Promise<void> {
  const https = config.baseUrl.startsWith('https:');
  const origins = config.security.corsOrigins;
  const base: Record<string, string> = {
    'cross-origin-opener-policy': 'same-origin',
    'cross-origin-resource-policy': origins.length ? 'cross-origin' : 'same-origin',
    'origin-agent-cluster': '?1',
    'referrer-policy': 'no-referrer',
    ...(https ? { 'strict-transport-security': 'max-age=31536000; includeSubDomains' } : {}),
    'x-content-type-options': 'nosniff',
    'x-dns-prefetch-control': 'off',
    'x-download-options': 'noopen',
    // Swagger UI is never framed (its OAuth redirect is a popup, not a frame): nothing is
    'x-frame-options': 'DENY',
    'x-permitted-cross-domain-policies': 'none',
    'x-xss-protection': '0',
  };
  const api = { ...base, 'content-security-policy': API_CSP };
  const docs = { ...base, 'content-security-policy': docsCsp(config) };
  app.addHook('onSend', (request, reply, payload, done) => {
    reply.headers(request.url.startsWith('/docs') ? docs : api);
    // Responses carry patient data: never let shared caches keep them.
    if (request.url.startsWith('/fhir') && !reply.hasHeader('cache-control')) reply.header('cache-control', 'no-store');
    done(null, payload);
  });
  if (origins.length) {
    const options = {
      origin: origins.includes('*') ? '*' : origins,
      credentials: false,
      methods: ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'],
      allowedHeaders: ['Authorization', 'Content-Type', 'Accept', 'Prefer', 'If-Match', 'If-None-Match', 'If-None-Exist', 'If-Modified-Since'],
      // what the server sends (Allow with a 405); a browser script reads no other response header
      exposedHeaders: ['Location', 'Content-Location', 'ETag', 'Last-Modified', 'Allow', 'Retry-After', 'WWW-Authenticate'],
      maxAge: 600,
    };
    // Only a preflight (OPTIONS with Origin and Access-Control-Request-Method, Fetch standard
    // §3.2.2: a browser sends both) is the plugin's to answer; any other OPTIONS was refused by it as an "Invalid Preflight
    // Request" (400 text/plain) and now reaches the routes, which answer Allow (router.ts), with the
    // CORS headers of a plain request.
    const plain = { ...options, preflight: false };
    await app.register(cors, {
      delegator: (req, cb) => cb(null, req.method === 'OPTIONS' && !(req.headers.origin && req.headers['access-control-request-method']) ? plain : options),
    });
  }
}
