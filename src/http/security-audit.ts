import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AuditLog } from '../auth/audit-log.js';
import { describeRequest } from '../auth/audit-request.js';
import type { AppConfig } from '../config.js';
import { isFhirPath, isPublicFhirPath, pathOf } from './security-auth-hook.js';
import { paramRecord } from '../fhir/query-params.js';

/**
 * Records an AuditEvent for every /fhir request except the public CapabilityStatement, once the
 * response is sent (outcome included), including refused ones (401/403/404 are what an auditor
 * looks for). Writes are batched by AuditLog and flushed by the onClose hook, which Fastify runs
 * before the store's own onClose (hooks run in reverse order of registration).
 */
export function registerAudit(app: FastifyInstance, config: AppConfig): AuditLog | undefined {
  if (!config.security.audit) return undefined;
  const log = new AuditLog(app.store, {
    onError: (err, dropped) => app.log.error({ err, dropped }, 'audit batch could not be written; will retry'),
  });
  app.addHook('onResponse', (request, reply, done) => {
    try {
      recordRequest(request, reply);
    } catch (err) {
      request.log.error({ err }, 'audit record failed');
    }
    done();
  });
  app.addHook('onClose', async () => {
    await log.close();
  });
  return log;

  function recordRequest(request: FastifyRequest, reply: FastifyReply): void {
    if (request.method === 'OPTIONS' || !isFhirPath(request.url) || isPublicFhirPath(request.method, request.url)) return;
    const path = pathOf(request.url).replace(/^\/fhir\/?/, '');
    const query = paramRecord();
    if (request.url.includes('?')) {
      for (const [k, v] of Object.entries((request.query ?? {}) as Record<string, unknown>)) {
        query[k] = (Array.isArray(v) ? v : [v]).filter((x): x is string => typeof x === 'string');
      }
    }
    let facts;
    try {
      facts = describeRequest(request.method, path.includes('%') ? decodeURIComponent(path) : path, query);
    } catch {
      facts = describeRequest(request.method, path, query);
    }
    const bundleType = (request.body as { resourceType?: unknown; type?: unknown } | undefined)?.type;
    if (facts.interaction === 'batch/transaction' && (bundleType === 'batch' || bundleType === 'transaction')) facts.interaction = bundleType;
    if (request.auth?.patient && !facts.patient) facts.patient = request.auth.patient;
    const location = reply.getHeader('location');
    const created = typeof location === 'string' ? /\/([A-Za-z0-9\-.]{1,64})\/_history\//.exec(location)?.[1] : undefined;
    log.record({
      facts,
      method: request.method,
      url: request.url.replace(/^\/fhir/, ''),
      status: reply.statusCode,
      clientId: request.auth?.clientId ?? (config.auth ? 'unauthenticated' : 'anonymous'),
      subject: request.auth?.subject,
      issuer: request.auth?.issuer,
      remoteAddress: request.ip,
      createdId: facts.interaction === 'create' ? created : undefined,
      recorded: new Date(),
    });
  }
}
