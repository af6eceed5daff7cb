/**
 * Regenerates test/search/fixtures/index-golden.json: the canonical index (canonical.ts) of every
 * corpus resource (corpus.ts), as computed by the CURRENT indexResource. Run it only when the index
 * content is meant to change (then review the diff):
 *   npx tsx test/search/golden/generate.ts --write
 * Without --write (`npx tap test/search/` runs every file there) it writes nothing.
 */
import { writeFileSync } from 'node:fs';
import { execSync } from 'node:child_process';
import { indexResource } from '../../../src/search/search-service.js';
import { canonical, compact, type Stored } from './canonical.js';
import { goldenCorpus } from './corpus.js';
import { testConfig } from '../../../src/config.js';
/** The test servers' base URL (testConfig): the own base indexing is told. */
const BASE = testConfig().baseUrl;

if (!process.argv.includes('--write')) {
  console.log('index-golden.json not regenerated: pass --write');
  process.exit(0);
}
const corpus = await goldenCorpus();
const indexes: Record<string, Stored> = {};
for (const { key, resource } of corpus) indexes[key] = compact(canonical(JSON.parse(JSON.stringify(indexResource(resource, BASE))) as Record<string, unknown>));
let commit = 'unknown';
try { commit = execSync('git rev-parse HEAD', { encoding: 'utf8' }).trim(); } catch { /* not a git checkout */ }
const file = new URL('../fixtures/index-golden.json', import.meta.url);
// One resource per line: a change shows up as a readable diff.
const body = Object.entries(indexes).map(([k, v]) => `${JSON.stringify(k)}:${JSON.stringify(v)}`).join(',\n');
writeFileSync(file, `{"generatedAt":${JSON.stringify(commit)},"count":${corpus.length},"indexes":{\n${body}\n}}\n`);
console.log(`${corpus.length} resources -> ${file.pathname}`);
