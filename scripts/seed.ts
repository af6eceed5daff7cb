/**
 * `npm run seed`: loads the demo data set (src/demo/) so that every example in /docs returns data.
 * - If a server answers at BASE_URL (default http://127.0.0.1:8080/fhir), the data goes through its
 *   REST API, authorized with FHIR_TOKEN (the token `npm start` prints) when auth is on.
 * - Otherwise it opens the store itself (DATA_DIR or MONGODB_URL) and calls the FHIR core
 *   in-process; start the server afterwards and it serves the data.
 * The token defaults to the one a local `npm start` wrote to DATA_DIR/.dev-token.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { DEV_TOKEN_FILE, loadConfigOr } from '../src/config.js';
import { createStore } from '../src/storage/create-store.js';
import { coreSender, httpSender, seedDemo } from '../src/demo/seed.js';

/** A refusal (a bad setting, no token for the server, a locked data directory) is one line, exit 1. */
function failed(err: unknown): never {
  console.error(`seed failed: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
}

const USAGE = `usage: npm run seed
  Loads the demo data set into the server at BASE_URL (default http://127.0.0.1:PORT/fhir), with
  FHIR_TOKEN or the token npm start wrote to DATA_DIR/.dev-token; with no server there, into the
  store at DATA_DIR / MONGODB_URL directly.`;

// it takes no options: `--help` (or a typo) must not seed whatever it finds
let help = false;
try {
  help = parseArgs({ options: { help: { type: 'boolean', short: 'h' } } }).values.help === true;
} catch (e) {
  const m = /^Unknown option '([^']+)'/.exec((e as Error).message);
  console.error(`${m ? `unknown option '${m[1]}'` : (e as Error).message}\n${USAGE}`);
  process.exit(2);
}
if (help) {
  console.log(USAGE);
  process.exit(0);
}

const config = loadConfigOr(failed);
const base = (process.env.BASE_URL?.trim() || `http://127.0.0.1:${process.env.PORT ?? 8080}/fhir`).replace(/\/$/, '');

/** The token a local `npm start` left in DATA_DIR (see src/server.ts). */
function devToken(): string | undefined {
  try {
    return readFileSync(join(config.dataDir, DEV_TOKEN_FILE), 'utf8').trim() || undefined;
  } catch {
    return undefined;
  }
}

async function serverAnswers(): Promise<boolean> {
  try {
    const res = await fetch(`${base}/metadata`, { signal: AbortSignal.timeout(1500) });
    return res.ok;
  } catch {
    return false;
  }
}

async function seed(): Promise<void> {
  if (await serverAnswers()) {
    console.log(`Seeding the running server at ${base} …`);
    const summary = await seedDemo(httpSender(base, process.env.FHIR_TOKEN || devToken()));
    console.log(`Loaded ${summary.resources} demo resources and a VCF import:`, summary.vcfVariants);
    return;
  }
  const store = await createStore(config);
  await store.init();
  try {
    console.log(`No server at ${base}; seeding the ${store.kind} store directly (${store.kind === 'embedded' ? config.dataDir : config.mongodbDb}) …`);
    const summary = await seedDemo(coreSender({ config, store }));
    console.log(`Loaded ${summary.resources} demo resources and a VCF import:`, summary.vcfVariants);
  } finally {
    await store.close();
  }
}

// A refusal (no token for the server, a data directory a server holds) is one line saying what to
// do, not the message buried in Node's uncaught-error dump.
try {
  await seed();
} catch (err) {
  failed(err);
}
