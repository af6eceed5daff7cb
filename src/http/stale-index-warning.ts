import { indexVersion } from '../search/index-version.js';
import type { ResourceStore } from '../storage/types.js';

/**
 * The start-up warning of a store whose search indexes were computed by other index code
 * (src/search/index-version.ts): searches may miss resources until `npm run reindex` has run.
 * Only said, never done here: a reindex reads every resource (README "Upgrading" gives the rate),
 * so doing it at start-up would make an upgrade's downtime depend on the amount of data, and on
 * MongoDB several instances (old and new ones, in a rolling upgrade) would each start one and
 * disagree on the version to record. The operator picks the moment; the warning names the command.
 */
export async function staleIndexWarning(store: ResourceStore, running = indexVersion()): Promise<{ fields: Record<string, string>; message: string } | undefined> {
  const stored = await store.indexVersion(running);
  if (stored === running) return undefined;
  return {
    fields: { stored: stored ?? 'none', running },
    message: 'the search indexes of this store were computed by another version of the index code: searches may miss resources until `npm run reindex` has run (README "Upgrading")',
  };
}
