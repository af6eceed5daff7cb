import type { ResourceStore, StoreQuery, StoreTx, VersionRecord } from './types.js';
import { withTimeLimit } from './time-limit.js';

/**
 * The store as one open transaction sees it, for the reads a transaction Bundle's GET entries make
 * (../fhir/bundle/transaction.ts): they run after its writes and before its commit, so that a
 * failing GET fails the whole transaction (https://hl7.org/fhir/R4/http.html#transaction) and a
 * GET sees what the writes made. Any handler runs on it unchanged (read, vread, search, includes,
 * operations), through the ResourceStore interface; one view serves both adapters, so what
 * MongoDB needs of it is tested on the embedded store too.
 * - read and search go through `tx` (its own writes included; embedded and MongoDB alike);
 * - vread: a transaction writes each resource at most once (two entries touching one resource
 *   refuse the Bundle), so the version it wrote is the one `tx.read` answers; older versions are
 *   committed ones;
 * - history lists committed versions only: the transaction's own are not in it yet (README);
 * - calls reach `tx` one at a time, in the order made: a MongoDB session does not allow
 *   operations in parallel (./mongodb/session-order.ts), whatever the handler awaits together;
 * - nothing writes through it: a GET entry that tried would write outside the Bundle's plan.
 */
export function readThrough(store: ResourceStore, tx: StoreTx): ResourceStore {
  let queue: Promise<unknown> = Promise.resolve();
  const inTurn = <T>(work: () => Promise<T>): Promise<T> => {
    const p = queue.then(work);
    queue = p.catch(() => undefined);
    return p;
  };
  const read = (type: string, id: string) => inTurn(() => tx.read(type, id));
  const overrides: Partial<ResourceStore> = {
    read,
    // the embedded tx searches without the store's own time limit (EmbeddedStore.search): kept here
    // (the embedded tx's search runs synchronously inside its call, which withTimeLimit times)
    search: (q: StoreQuery) => inTurn(async () => await (await withTimeLimit(q.maxTimeMs, () => tx.search(q)))),
    async vread(type: string, id: string, versionId: number): Promise<VersionRecord | undefined> {
      const current = await read(type, id);
      if (!current || current.versionId <= versionId) return current?.versionId === versionId ? current : undefined;
      return store.vread(type, id, versionId);
    },
    transaction: () => Promise.reject(new Error('The reads of a transaction cannot write')),
    reindex: () => Promise.reject(new Error('The reads of a transaction cannot write')),
  };
  return new Proxy(store, {
    get(target, prop) {
      if (Object.hasOwn(overrides, prop)) return overrides[prop as keyof ResourceStore];
      const v: unknown = Reflect.get(target, prop, target);
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
    },
  });
}
