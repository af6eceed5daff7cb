import { find } from '../../search/match-filter.js';
import type { StoreQuery } from '../types.js';
import type { ResourceDoc } from './layout.js';
import { searchOptions } from './queries.js';

/**
 * Standalone MongoDB has no transactions, so a single-resource unit of work stages its write in
 * memory until it commits. A search inside that work must still see the staged write: this merges
 * the committed page (fetched with `limit = skip + limit + staged.size`, no skip, so removing
 * staged keys cannot leave a hole) with the staged documents that match, in the query's order.
 * Pure; mingo evaluates the same filter document MongoDB would.
 */
export function mergeStagedPage(committed: ResourceDoc[], staged: ReadonlyMap<string, ResourceDoc>, q: StoreQuery): ResourceDoc[] {
  const live = [...staged.values()].filter((d) => !d.d && (!q.types || q.types.includes(d.t)));
  const matching = find(live, q.filter).all() as unknown as ResourceDoc[];
  const merged = committed.filter((d) => !staged.has(d._id)).concat(matching);
  // an unsorted query (searchOptions sends no sort) is merged in `_id` order: any order would do
  const sent = searchOptions(q).sort;
  const sort = Object.fromEntries(sent.length ? sent : [['_id', 1]]);
  const sorted = find(merged, {}).sort(sort).all() as unknown as ResourceDoc[];
  const skip = q.skip ?? 0;
  return sorted.slice(skip, skip + q.limit);
}
