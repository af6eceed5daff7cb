/**
 * `npm run reindex`: recomputes the stored search index of every current resource with this
 * release's index code, in the store at DATA_DIR (embedded) or MONGODB_URL, and records the index
 * version (src/search/index-version.ts) so the server stops warning at start-up. No new versions:
 * versionId, lastUpdated and history stay as they are. Idempotent; an interrupted run is finished
 * by running it again. The embedded store must not be held by a running server (its LOCK refuses
 * it); on MongoDB it may run while servers serve.
 */
import { parseArgs } from 'node:util';
import { loadConfigOr } from '../src/config.js';
import { indexResource } from '../src/search/search-service.js';
import { indexVersion } from '../src/search/index-version.js';
import { createStore } from '../src/storage/create-store.js';
import type { ReindexSummary, ResourceStore } from '../src/storage/types.js';

const USAGE = `usage: npm run reindex [-- --batch-size N] [--json]
  Recomputes the search index of every resource in the store at DATA_DIR / MONGODB_URL.`;

function fail(msg: string, code = 2): never {
  process.stderr.write(`${msg}\n`);
  process.exit(code);
}

let values;
try {
  ({ values } = parseArgs({ options: { 'batch-size': { type: 'string' }, json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } } }));
} catch (e) {
  fail(`${(e as Error).message}\n${USAGE}`);
}
if (values.help) {
  process.stdout.write(`${USAGE}\n`);
  process.exit(0);
}
const batchSize = values['batch-size'] === undefined ? undefined : Number(values['batch-size']);
if (batchSize !== undefined && !(Number.isInteger(batchSize) && batchSize > 0)) fail(`--batch-size must be a positive integer, got '${values['batch-size']}'\n${USAGE}`);

// a bad server setting (FHIR_MAX_COUNT=1k) is one line naming it, as a bad option is
const config = loadConfigOr(fail);
const where = config.mongodbUrl ? `MongoDB ${config.mongodbDb}` : `embedded store at ${config.dataDir}`;
let store: ResourceStore;
try {
  store = await createStore(config);
  process.stderr.write(`opening the ${where}…\n`);
  await store.init();
} catch (e) {
  // e.g. the data directory is held by a running server: the lock's message says what to do
  fail(`cannot open the store: ${(e as Error).message}`);
}

const started = Date.now();
let lastPlain = 0;
const rate = (n: number) => Math.round(n / Math.max(0.001, (Date.now() - started) / 1000));
function progress(s: ReindexSummary): void {
  if (Date.now() - lastPlain < 5000) return;
  lastPlain = Date.now();
  process.stderr.write(`progress: ${s.read.toLocaleString('en-US')} resources read, ${s.changed.toLocaleString('en-US')} changed, ${rate(s.read).toLocaleString('en-US')}/s\n`);
}

function report(s: ReindexSummary, secs: number): string {
  const lines = [
    `reindexed the ${where} in ${secs.toFixed(1)} s (${rate(s.read).toLocaleString('en-US')} resources/s)`,
    `  resources read   ${s.read}`,
    `  index changed    ${s.changed}`,
    `  unchanged        ${s.unchanged}`,
    `  failed           ${s.failed}`,
  ];
  for (const [t, c] of Object.entries(s.byType).sort(([a], [b]) => (a < b ? -1 : 1))) lines.push(`    ${t.padEnd(28)} ${String(c.read).padStart(8)} read ${String(c.changed).padStart(8)} changed`);
  for (const e of s.errors) lines.push(`  - ${e.resourceType}/${e.id}: ${e.message}`);
  lines.push(s.failed ? '  index version not recorded: fix or rewrite the failed resources, then run it again' : `  index version ${indexVersion()} recorded`);
  return `${lines.join('\n')}\n`;
}

let exitCode = 0;
try {
  const summary = await store.reindex((r) => indexResource(r, config.baseUrl), { batchSize, onProgress: progress, indexVersion: indexVersion() });
  const secs = (Date.now() - started) / 1000;
  process.stdout.write(values.json ? `${JSON.stringify({ ...summary, seconds: secs }, null, 2)}\n` : report(summary, secs));
  if (summary.failed) exitCode = 1;
} catch (e) {
  exitCode = 1;
  process.stderr.write(`reindex stopped: ${(e as Error).stack}\nthe resources done so far keep their new index; run it again to finish\n`);
} finally {
  await store.close();
}
process.exit(exitCode);
