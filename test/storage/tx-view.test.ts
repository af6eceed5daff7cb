import t from 'tap';
import type { ResourceStore, StoreQuery, StoreTx, VersionRecord } from '../../src/storage/types.js';
import { readThrough } from '../../src/storage/tx-view.js';

// The view a transaction Bundle's GET entries read through (src/storage/tx-view.ts), against a
// transaction that behaves as a MongoDB session does: an operation started while another is in
// flight fails. No MongoDB server runs here, so this is the check that the shared path keeps to it.

const rec = (id: string, versionId: number): VersionRecord => ({ resourceType: 'Patient', id, versionId, lastUpdated: '2026-01-01T00:00:00.000Z', deleted: false, json: '{}' });

function sessionLike(): StoreTx & { calls: string[] } {
  let busy = false;
  const calls: string[] = [];
  const op = async <T>(name: string, value: T): Promise<T> => {
    if (busy) throw new Error(`${name}: operation in parallel on one session`);
    busy = true;
    calls.push(name);
    await new Promise((r) => setTimeout(r, 5));
    busy = false;
    return value;
  };
  return {
    calls,
    read: (_t: string, id: string) => op(`read ${id}`, id === 'gone' ? undefined : rec(id, 2)),
    search: (_q: StoreQuery) => op('search', { records: [], docs: [] }),
    put: () => Promise.reject(new Error('no writes')),
    putPrepared: () => Promise.reject(new Error('no writes')),
    delete: () => Promise.reject(new Error('no writes')),
    lock: async () => undefined,
  };
}

const store = { kind: 'mongodb', vread: async (_t: string, id: string, v: number) => rec(id, v), transaction: async () => 'ran' } as unknown as ResourceStore;

t.test('calls reach the transaction one at a time, in the order made', async (t) => {
  const tx = sessionLike();
  const view = readThrough(store, tx);
  const q: StoreQuery = { types: ['Patient'], filter: {}, limit: 1 };
  await Promise.all([view.read('Patient', 'a'), view.search(q), view.read('Patient', 'b'), view.vread('Patient', 'c', 2)]);
  t.same(tx.calls, ['read a', 'search', 'read b', 'read c']);
  // a failed call does not stop the ones after it
  const failing = readThrough(store, { ...sessionLike(), read: () => Promise.reject(new Error('x')) });
  const first = failing.read('Patient', 'a');
  t.same((await failing.search(q)).records, []);
  await t.rejects(first);
});

t.test('vread: the version the transaction wrote from it, older ones from the store, none past it', async (t) => {
  const view = readThrough(store, sessionLike());
  t.equal((await view.vread('Patient', 'p', 2))?.versionId, 2);
  t.equal((await view.vread('Patient', 'p', 1))?.versionId, 1);
  t.equal(await view.vread('Patient', 'p', 3), undefined);
  t.equal(await view.vread('Patient', 'gone', 1), undefined, 'nothing of a resource the transaction does not see');
  t.equal(view.kind, 'mongodb', 'everything else is the store');
});

t.test('nothing writes through it', async (t) => {
  const view = readThrough(store, sessionLike());
  await t.rejects(view.transaction(async () => 'x'), /cannot write/);
});
