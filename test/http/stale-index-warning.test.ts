import type { Resource } from '@medplum/fhirtypes';
import t from 'tap';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EmbeddedStore } from '../../src/storage/embedded/embedded-store.js';
import { staleIndexWarning } from '../../src/http/stale-index-warning.js';
import { indexResource } from '../../src/search/search-service.js';
import { testConfig } from '../../src/config.js';

/** The test servers' base URL (testConfig): the own base indexing is told. */
const BASE = testConfig().baseUrl;
const indexAt = (r: Resource) => indexResource(r, BASE);

const dir = mkdtempSync(join(tmpdir(), 'fgs-stale-'));
t.teardown(() => rmSync(dir, { recursive: true, force: true }));

t.test('start-up warning: data from other index code names npm run reindex; none after a reindex or on a new store', async (t) => {
  const s = new EmbeddedStore(join(dir, 'a'), { fsync: false });
  await s.init();
  t.equal(await staleIndexWarning(s, 'v2'), undefined, 'a new, empty store is current');
  const p = { resourceType: 'Patient' as const, id: 'p1' };
  await s.transaction((tx) => tx.put(p, indexResource(p, BASE)));
  t.equal(await staleIndexWarning(s, 'v2'), undefined, 'written since by this code');
  const w = await staleIndexWarning(s, 'v3');
  t.same(w?.fields, { stored: 'v2', running: 'v3' }, 'the code changed since');
  t.match(w?.message, /npm run reindex/);
  await s.reindex(indexAt, { indexVersion: 'v3' });
  t.equal(await staleIndexWarning(s, 'v3'), undefined, 'gone after a reindex');
  await s.close();

  const old = new EmbeddedStore(join(dir, 'b'), { fsync: false });
  await old.init();
  await old.transaction((tx) => tx.put(p, indexResource(p, BASE)));
  await old.close();
  const reopened = new EmbeddedStore(join(dir, 'b'), { fsync: false });
  await reopened.init();
  // b never recorded a version (no server opened it empty: an earlier release, or a bare import)
  t.same((await staleIndexWarning(reopened, 'v3'))?.fields, { stored: 'none', running: 'v3' });
  await reopened.close();
});
