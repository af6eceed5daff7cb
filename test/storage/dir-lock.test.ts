import t from 'tap';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EmbeddedStore } from '../../src/storage/embedded/embedded-store.js';
import { LOCK_FILE } from '../../src/storage/embedded/dir-lock.js';

t.test('a data directory held by a live process cannot be opened', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'fgs-lock-'));
  const other = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)'], { stdio: 'ignore' });
  t.teardown(() => other.kill('SIGKILL'));
  writeFileSync(join(dir, LOCK_FILE), String(other.pid));
  await t.rejects(new EmbeddedStore(dir, { fsync: false }).init(), /in use by process/);

  other.kill('SIGKILL');
  await new Promise((r) => other.once('exit', r));
  const store = new EmbeddedStore(dir, { fsync: false });
  await store.init();
  t.pass('a lock left by a dead process is taken over');
  await store.transaction((tx) => tx.put({ resourceType: 'Patient', id: 'p1' }, {}));
  await store.close();
  t.notOk(existsSync(join(dir, LOCK_FILE)), 'close releases the lock');

  const again = new EmbeddedStore(dir, { fsync: false });
  await again.init();
  t.equal((await again.read('Patient', 'p1'))?.versionId, 1, 'data intact after the takeover');
  await again.close();
});
