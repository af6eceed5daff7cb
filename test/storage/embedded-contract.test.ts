import t from 'tap';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EmbeddedStore } from '../../src/storage/embedded/embedded-store.js';
import { runStoreContract } from './contract.js';

const dirs: string[] = [];
t.teardown(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

t.test('embedded store: storage contract', async (t) => {
  runStoreContract(t, {
    async open() {
      const dir = mkdtempSync(join(tmpdir(), 'fgs-contract-'));
      dirs.push(dir);
      const s = new EmbeddedStore(dir);
      await s.init();
      return s;
    },
  });
});

t.test('embedded store: storage contract over a store that compacts after every commit', async (t) => {
  runStoreContract(t, {
    async open() {
      const dir = mkdtempSync(join(tmpdir(), 'fgs-contract-'));
      dirs.push(dir);
      const s = new EmbeddedStore(dir, { compactBytes: 1 });
      await s.init();
      return s;
    },
  });
});
