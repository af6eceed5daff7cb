import type { Resource } from '@medplum/fhirtypes';
import { find } from '../../search/match-filter.js';
import { andAll } from '../../search/build-filter.js';
import type { IndexedDoc, SearchIndex, StoreQuery, StoreSearchResult, StoreTx } from '../../storage/types.js';

/**
 * What a transaction's conditional references (`Patient?identifier=…`) are searched on: the store
 * as the transaction will leave it (https://hl7.org/fhir/R4/http.html#trules: "the server SHALL
 * perform a search using the query"; the reference must name the one resource the query matches,
 * and a Bundle's references are to hold after it commits). Answered before any POST/PUT writes
 * (the references are rewritten into what those entries write), so the writes are added here:
 * - the store after the transaction's DELETEs (they ran first);
 * - minus the stored versions of the resources its PUT entries replace;
 * - plus what each POST that creates and each PUT writes, matched by its search index as a
 *   write would store it (the query's own compiled filter, run with mingo as the embedded store
 *   runs it). A create whose If-None-Exist matched writes nothing: its match is in the store.
 * So a reference finds a resource another entry creates, and one that a PUT moves out of the
 * criteria no longer counts; a match in the store and one in the Bundle are two matches, 412.
 * Not seen: what a PATCH entry changes (its result is known only when it runs: the stored
 * version counts), and index values that depend on other entries' references (indexed as posted,
 * before `urn:uuid:` references are rewritten). HAPI likewise resolves a match URL to a resource
 * that a conditional create of the same transaction made (and fails with 412 when one URL
 * resolves to two resources).
 */
export interface PendingWrite {
  resource: Resource & { id: string };
  index: SearchIndex;
  /** true for a PUT: it replaces whatever the store holds under its id */
  replaces: boolean;
}

export function withPendingWrites(tx: StoreTx, pending: readonly PendingWrite[]): StoreTx {
  if (!pending.length) return tx;
  const docs = pending.map((w) => ({ t: w.resource.resourceType, id: w.resource.id, v: 0, lu: 0, seq: Number.MAX_SAFE_INTEGER, x: w.index }) as IndexedDoc);
  const search = async (q: StoreQuery): Promise<StoreSearchResult> => {
    const types = q.types ?? [...new Set(docs.map((d) => d.t))];
    const mine = docs.filter((d) => types.includes(d.t));
    if (!mine.length) return tx.search(q);
    const replaced = types
      .map((t) => ({ t, ids: pending.filter((w) => w.replaces && w.resource.resourceType === t).map((w) => w.resource.id) }))
      .filter((r) => r.ids.length)
      .map(({ t, ids }) => ({ t, id: { $in: ids } }));
    const stored = await tx.search(replaced.length ? { ...q, filter: andAll([q.filter, { $nor: replaced }]) } : q);
    const hits = find(mine, q.filter).all() as unknown as IndexedDoc[];
    const records = hits.map((d) => ({ resourceType: d.t, id: d.id, versionId: 0, lastUpdated: '', deleted: false }));
    return {
      records: [...stored.records, ...records].slice(0, q.limit),
      docs: [...stored.docs, ...hits].slice(0, q.limit),
      ...(stored.total !== undefined && { total: stored.total + hits.length }),
    };
  };
  return { ...bind(tx), search };
}

/** The transaction's methods, bound (a class instance's are on its prototype, which a spread leaves out). */
function bind(tx: StoreTx): StoreTx {
  return {
    read: tx.read.bind(tx),
    search: tx.search.bind(tx),
    put: tx.put.bind(tx),
    putPrepared: tx.putPrepared.bind(tx),
    delete: tx.delete.bind(tx),
    lock: tx.lock.bind(tx),
  };
}
