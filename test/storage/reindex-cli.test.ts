import t from 'tap';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Patient } from '@medplum/fhirtypes';
import { EmbeddedStore } from '../../src/storage/embedded/embedded-store.js';
import { indexResource } from '../../src/search/search-service.js';
import { testConfig } from '../../src/config.js';
import { indexVersion } from '../../src/search/index-version.js';

/** The test servers' base URL (testConfig): the own base indexing is told. */
const BASE = testConfig().baseUrl;

// `npm run reindex` as a process, over the store at DATA_DIR.
const dataDir = mkdtempSync(join(tmpdir(), 'fgs-reindex-cli-'));
t.teardown(() => rmSync(dataDir, { recursive: true, force: true }));
const run = (...args: string[]) =>
  spawnSync(process.execPath, ['--import', 'tsx', 'scripts/reindex.ts', ...args], { encoding: 'utf8', env: { ...process.env, DATA_DIR: dataDir, FHIR_FSYNC: 'off', MONGODB_URL: '' } });

t.test('npm run reindex: recomputes stale indexes, prints a summary, records the index version; refuses a locked dir', async (t) => {
  const s = new EmbeddedStore(dataDir, { fsync: false });
  await s.init();
  for (const id of ['c1', 'c2', 'c3']) {
    const p: Patient & { id: string } = { resourceType: 'Patient', id, name: [{ family: 'Okafor' }] };
    // as an earlier release stored it: the family token missing from two of them
    await s.transaction((tx) => tx.put(p, id === 'c3' ? indexResource(p, BASE) : { ...indexResource(p, BASE), family: [] }));
  }
  t.equal(await s.indexVersion(indexVersion()), undefined, 'a store with data and no index version');
  await s.close();

  const first = run();
  t.equal(first.status, 0, first.stderr);
  t.match(first.stdout, /resources read\s+3/);
  t.match(first.stdout, /index changed\s+2/);
  t.match(first.stdout, /unchanged\s+1/);
  t.match(first.stdout, /Patient\s+3 read\s+2 changed/);
  t.match(first.stdout, new RegExp(`index version ${indexVersion()} recorded`));
  const second = run('--json');
  t.equal(second.status, 0, second.stderr);
  t.match(JSON.parse(second.stdout), { read: 3, changed: 0, unchanged: 3 }, 'idempotent');

  const r = new EmbeddedStore(dataDir, { fsync: false });
  await r.init();
  const found = await r.search({ types: ['Patient'], filter: { 'x.family': { $regex: '^okafor' } }, limit: 10 });
  t.equal(found.records.length, 3, 'the store the command wrote is searched by the new index');
  t.equal(await r.indexVersion('other'), indexVersion());
  await r.close();

  writeFileSync(join(dataDir, 'LOCK'), String(process.pid)); // this test process: alive, like a running server
  const locked = run();
  t.equal(locked.status, 2);
  t.match(locked.stderr, /cannot open the store: The data directory .* is in use by process \d+ \(a running server\?\)/);
  rmSync(join(dataDir, 'LOCK'));
  const usage = run('--batch-size', '0');
  t.equal(usage.status, 2);
  t.match(usage.stderr, /--batch-size must be a positive integer/);
});
