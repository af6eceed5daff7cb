import type { HistoryQuery, HistoryResult, ResourceKey, ResourceStore, StoreQuery, StoreTx, VersionRecord } from './types.js';
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
 * - history: the committed versions, and before them (they are the newest) the versions the
 *   transaction wrote, which `written` names in the order written (ownVersions);
 * - calls reach `tx` one at a time, in the order made: a MongoDB session does not allow
 *   operations in parallel (./mongodb/session-order.ts), whatever the handler awaits together;
 * - nothing writes through it: a GET entry that tried would write outside the Bundle's plan.
 */
export function readThrough(store: ResourceStore, tx: StoreTx, written: readonly ResourceKey[] = []): ResourceStore {
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
    async history(q: HistoryQuery): Promise<HistoryResult> {
      const own = await ownVersions(store, read, written, q);
      const committed = await store.history(q);
      if (!own.length) return committed;
      return {
        records: [...own, ...committed.records].slice(0, q.limit),
        ...(committed.total !== undefined && { total: committed.total + own.length }),
      };
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

type HistoryRecord = HistoryResult['records'][number];

/**
 * The versions the transaction wrote that `q` asks for, newest first: the ones `tx` reads past
 * the committed version (a transaction Bundle writes each resource at most once, so one each; a
 * matched If-None-Exist wrote nothing). Each gets the sequence it has in the transaction when the
 * store says (MongoDB's session), else the one it takes at commit (the embedded store commits the
 * writes in order after the newest committed one, under its one writer lock), so that `_cursor`
 * and a history page's next link place them as committed history will.
 */
async function ownVersions(
  store: ResourceStore, read: (t: string, id: string) => Promise<VersionRecord | undefined>, written: readonly ResourceKey[], q: HistoryQuery,
): Promise<HistoryRecord[]> {
  if (!written.some((k) => (q.resourceType === undefined || k.resourceType === q.resourceType) && (q.id === undefined || k.id === q.id))) return [];
  let top: number | undefined;
  let position = 0; // among the versions written: what the embedded store's commit numbers them by
  const out: HistoryRecord[] = [];
  const seen = new Set<string>();
  for (const k of written) {
    if (seen.has(`${k.resourceType}/${k.id}`)) continue;
    seen.add(`${k.resourceType}/${k.id}`);
    const [mine, committed] = [await read(k.resourceType, k.id), await store.read(k.resourceType, k.id)];
    if (!mine || (committed && mine.versionId <= committed.versionId)) continue;
    position++;
    if ((q.resourceType !== undefined && k.resourceType !== q.resourceType) || (q.id !== undefined && k.id !== q.id)) continue;
    let seq = (mine as Partial<HistoryRecord>).seq;
    if (seq === undefined || seq >= Number.MAX_SAFE_INTEGER) seq = (top ??= (await store.history({ limit: 1, total: false })).records[0]?.seq ?? 0) + position;
    const lu = Date.parse(mine.lastUpdated);
    if ((q.beforeSeq !== undefined && seq >= q.beforeSeq) || (q.since !== undefined && lu < q.since) || (q.before !== undefined && lu > q.before)) continue;
    out.push({ ...mine, seq, ...(!mine.deleted && committed?.deleted && { afterDeletion: true as const }) });
  }
  return out.sort((a, b) => b.seq - a.seq);
}
