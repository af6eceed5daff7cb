import t from 'tap';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { testConfig } from '../../src/config.js';
import { createStore } from '../../src/storage/create-store.js';

t.test('createStore picks the adapter from the configuration', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'fgs-cs-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  t.equal((await createStore(testConfig({ dataDir: dir }))).kind, 'embedded', 'embedded by default');
  // Constructing the MongoDB adapter does not connect (init does), so this needs no server.
  const mongo = await createStore(testConfig({ mongodbUrl: 'mongodb://127.0.0.1:27017', mongodbDb: 'x' }));
  t.equal(mongo.kind, 'mongodb', 'MongoDB when MONGODB_URL is set');
  await mongo.close();
});
