import type { FastifyInstance } from 'fastify';
import type { ResourceStore } from '../storage/types.js';

/** Public (`security: []` in the OpenAPI document: no bearer token). Liveness answers while the process runs; readiness only while the store answers. */
export async function healthRoutes(app: FastifyInstance, opts: { store: ResourceStore }): Promise<void> {
  const status = { type: 'object', properties: { status: { type: 'string' }, store: { type: 'string' } } } as const;
  app.get('/health/live', { schema: { tags: ['health'], security: [], response: { 200: status } } }, async () => ({ status: 'ok' }));
  app.get('/health/ready', { schema: { tags: ['health'], security: [], response: { 200: status, 503: status } } }, async (_req, reply) => {
    const ok = await opts.store.ping().catch(() => false);
    reply.code(ok ? 200 : 503);
    return { status: ok ? 'ready' : 'unavailable', store: opts.store.kind };
  });
}
