import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEV_TOKEN_FILE, loadConfigOr } from './config.js';
import { buildApp } from './http/app.js';
import { warmUpValidators } from './validation/schema-validators.js';
import { devTokenBanner } from './http/security.js';

/**
 * Process entry point: only listens and shuts down gracefully. On SIGINT/SIGTERM Fastify stops
 * accepting connections, lets in-flight requests finish, then the onClose hooks flush and close
 * the store.
 */
/**
 * What stops the start (a setting that is not a whole number, a data directory another process
 * holds, a malformed clients file, a port in use) is told in one line naming the cause: the
 * uncaught error's dump (source excerpt, stack, Node version) buried it for the person starting.
 */
function cannotStart(err: unknown): never {
  console.error(`cannot start: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
}

const config = loadConfigOr(cannotStart);
let app: Awaited<ReturnType<typeof buildApp>>;
try {
  app = await buildApp(config);
} catch (err) {
  cannotStart(err);
}

let closing = false;
async function shutdown(signal: string): Promise<void> {
  if (closing) return;
  closing = true;
  app.log.info({ signal }, 'shutting down');
  const timer = setTimeout(() => {
    app.log.error('graceful shutdown timed out; exiting');
    process.exit(1);
  }, 15_000);
  timer.unref();
  try {
    await app.close();
    process.exit(0);
  } catch (err) {
    app.log.error({ err }, 'error during shutdown');
    process.exit(1);
  }
}
process.on('SIGINT', () => void shutdown('SIGINT'));
process.on('SIGTERM', () => void shutdown('SIGTERM'));

try {
  await app.listen({ host: config.host, port: config.port });
} catch (err) {
  await app.close().catch(() => undefined); // release the store (its lock) before leaving
  cannotStart(err);
}
// Ready first, then compile the validators of the genomic report flow in the background so the
// first lab submission does not pay for it (each type compiles once; the rest compile on first use).
void warmUpValidators(['Observation', 'DiagnosticReport', 'MolecularSequence', 'Patient', 'Specimen', 'ServiceRequest', 'Bundle']);
// Printed plainly (not only logged) so a person starting the server sees where it is.
console.log(`FHIR genomics server ready at ${config.baseUrl} (store: ${app.store.kind}, data: ${app.store.kind === 'embedded' ? config.dataDir : config.mongodbDb})`);
const banner = await devTokenBanner(app, config);
if (banner) {
  console.log(banner);
  // `npm run seed` (and other local tools) pick the development token up from here; the file is
  // private to the user and the token dies with this process.
  const token = banner.split('\n')[1];
  mkdirSync(config.dataDir, { recursive: true });
  writeFileSync(join(config.dataDir, DEV_TOKEN_FILE), token + '\n', { mode: 0o600 });
}
