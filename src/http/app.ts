import Fastify, { type FastifyInstance } from 'fastify';
import type { AppConfig } from '../config.js';
import type { ResourceStore } from '../storage/types.js';
import { createStore } from '../storage/create-store.js';
import { clientErrorHandler, frameworkErrorHandler, registerErrorHandling } from './error-handler.js';
import { healthRoutes } from './health-routes.js';
import { registerDocs } from './docs.js';
import { registerSecurity } from './security.js';
import { fhirRoutes } from './fhir-routes.js';
import { searchIndexFields } from '../search/search-service.js';
import { staleIndexWarning } from './stale-index-warning.js';

export interface BuildOptions {
  /** Use this store instead of creating one from the config (tests, benchmarks). */
  store?: ResourceStore;
}

declare module 'fastify' {
  interface FastifyInstance {
    store: ResourceStore;
    config: AppConfig;
  }
}

/** Replaying more than this at start-up takes seconds: the server says so. */
const ANNOUNCE_REPLAY_BYTES = 256 * 1024 * 1024;

/**
 * Builds the whole application as a Fastify instance without listening (server.ts listens; tests
 * use app.inject). The store is opened here and closed by Fastify's onClose hook, so
 * `app.close()` flushes everything.
 */
export async function buildApp(config: AppConfig, opts: BuildOptions = {}): Promise<FastifyInstance> {
  const app = Fastify({
    logger: config.logLevel === 'silent' ? false : { level: config.logLevel },
    bodyLimit: config.bodyLimit,
    // FHIR ids and operation names contain '$' and ':'; keep routing exact.
    routerOptions: { maxParamLength: 512, ignoreTrailingSlash: true },
    // On close: in-flight requests finish, idle keep-alive sockets are closed (else SIGTERM waits for clients).
    forceCloseConnections: 'idle',
    return503OnClosing: true,
    clientErrorHandler,
    frameworkErrors: frameworkErrorHandler,
  });
  const store = opts.store ?? await createStore(config, { searchIndexFields: searchIndexFields() });
  // A large embedded store takes minutes to open (a million variants: about two): say so first,
  // then how long it took, so a silent start-up is not mistaken for a hang.
  const replay = store.replayBytes?.() ?? 0;
  const announce = replay > ANNOUNCE_REPLAY_BYTES;
  if (announce) app.log.info({ dataDir: config.dataDir, gigabytes: +(replay / 2 ** 30).toFixed(1) }, 'opening the embedded store: replaying its snapshot and journal');
  const t0 = performance.now();
  await store.init();
  if (announce) app.log.info({ seconds: +((performance.now() - t0) / 1000).toFixed(1) }, 'embedded store opened');
  if (store.droppedIndexes?.length) app.log.info({ indexes: store.droppedIndexes }, 'dropped search indexes the running code no longer defines');
  const stale = await staleIndexWarning(store);
  if (stale) app.log.warn(stale.fields, stale.message);
  app.decorate('store', store);
  app.decorate('config', config);
  app.addHook('onClose', async () => {
    await store.close();
  });
  // Graceful shutdown: answers sent while closing tell keep-alive clients to hang up, so the
  // sockets of requests that were in flight do not keep the process alive after they complete.
  let closing = false;
  app.addHook('preClose', async () => {
    closing = true;
  });
  app.addHook('onSend', (_req, reply, payload, done) => {
    if (closing) reply.header('connection', 'close');
    done(null, payload);
  });

  registerErrorHandling(app);
  const ctx = { config, store };
  await registerDocs(app, config, () => ctx);
  await registerSecurity(app, config);
  await app.register(healthRoutes, { store });
  await app.register(fhirRoutes, { ctx });
  return app;
}
