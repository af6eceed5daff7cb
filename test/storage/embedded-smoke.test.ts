import t from 'tap';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EmbeddedStore } from '../../src/storage/embedded/embedded-store.js';

t.test('embedded store survives a restart and assigns versions', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'fgs-'));
  const s1 = new EmbeddedStore(dir);
  await s1.init();
  const r1 = await s1.transaction((tx) => tx.put({ resourceType: 'Patient', id: 'p1', meta: { versionId: '99' } }, { gender: ['female'] }));
  t.equal(r1.versionId, 1);
  const r2 = await s1.transaction((tx) => tx.put({ resourceType: 'Patient', id: 'p1' }, {}));
  t.equal(r2.versionId, 2);
  t.equal(JSON.parse(r2.json!).meta.versionId, '2');
  await s1.close();
  const s2 = new EmbeddedStore(dir);
  await s2.init();
  const cur = await s2.read('Patient', 'p1');
  t.equal(cur?.versionId, 2);
  t.equal(JSON.parse(cur!.json!).meta.lastUpdated, cur!.lastUpdated);
  const found = await s2.search({ types: ['Patient'], filter: { id: 'p1' }, limit: 10 });
  t.equal(found.records.length, 1);
  await s2.close();
});
