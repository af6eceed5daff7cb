import type { FastifyInstance } from 'fastify';
import { AuthService } from '../auth/auth-service.js';
import type { AuditLog } from '../auth/audit-log.js';
import { join } from 'node:path';
import { DEV_TOKEN_FILE, type AppConfig } from '../config.js';
import { registerAudit } from './security-audit.js';
import { registerAuthHooks } from './security-auth-hook.js';
import { registerBundleFilter } from './security-bundle-filter.js';
import { registerBodyLimits } from './security-body-limits.js';
import { registerSecurityHeaders } from './security-headers.js';
import { registerRateLimit } from './security-rate-limit.js';
import { smartRoutes } from './security-smart-routes.js';

declare module 'fastify' {
  interface FastifyInstance {
    /** The built-in authorization server (absent when FHIR_AUTH=off). */
    authService?: AuthService;
    auditLog?: AuditLog;
  }
}

/**
 * Security by default (DESIGN.md): headers, CORS, bearer authentication on /fhir, SMART
 * discovery and token endpoint, rate limits and the audit trail. Called by buildApp on the root
 * instance after the docs plugin (so the auth routes are documented) and before the routes it
 * protects (the rate limiter attaches to routes as they are added).
 */
export async function registerSecurity(app: FastifyInstance, config: AppConfig): Promise<void> {
  await registerSecurityHeaders(app, config);
  // Before the auth hooks' preHandler: nothing else walks a body before its shape is checked.
  registerBodyLimits(app);
  // Before any route it limits (it attaches to routes as they are added); its key is read from
  // request.auth, which the auth onRequest hook sets first (instance hooks run before route hooks).
  await registerRateLimit(app, config);
  if (config.auth) {
    const svc = await AuthService.create(config, app.store);
    app.decorate('authService', svc);
    registerAuthHooks(app, svc);
    registerBundleFilter(app);
    await app.register(smartRoutes, { svc });
  } else {
    app.log.warn('FHIR_AUTH=off: EVERY REQUEST IS ANONYMOUS AND UNRESTRICTED. Use only for local experiments, never with real patient data.');
  }
  app.decorate('auditLog', registerAudit(app, config));
}

/** A path as one shell word, whatever it holds (spaces, quotes). */
function shellQuote(s: string): string {
  return /^[\w./-]+$/.test(s) ? s : `'${s.replaceAll("'", `'\\''`)}'`;
}

function isLoopbackHost(host: string): boolean {
  return host === '127.0.0.1' || host === 'localhost' || host === '::1' || host.startsWith('127.');
}

/**
 * What `npm start` prints after the base URL: the development token (only with FHIR_AUTH=on,
 * FHIR_DEV_TOKEN not off, and when listening on loopback — the token is refused from other
 * addresses anyway), or, with FHIR_AUTH=off, a warning no one can miss.
 */
export async function devTokenBanner(app: FastifyInstance, config: AppConfig): Promise<string | undefined> {
  if (!config.auth) {
    return '*** WARNING: FHIR_AUTH=off — no authentication, no authorization: every caller can read and change everything. Local experiments only. ***';
  }
  if (!app.authService || !config.security.devToken || !isLoopbackHost(config.host)) return undefined;
  const token = await app.authService.mintDevToken();
  return [
    'Development token (client "local-dev", scopes system/*.cruds system/AuditEvent.rs; valid while this process runs, loopback only):',
    token,
    // pasted into a fresh shell, which has no $TOKEN: the line sets it from the file server.ts writes
    `Try: TOKEN=$(cat ${shellQuote(join(config.dataDir, DEV_TOKEN_FILE))}); curl -H "Authorization: Bearer $TOKEN" ${config.baseUrl}/Patient`,
    `Swagger UI: ${new URL(config.baseUrl).origin}/docs (Authorize → paste the token)`,
  ].join('\n');
}
