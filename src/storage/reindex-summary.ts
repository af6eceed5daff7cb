import type { Resource } from '@medplum/fhirtypes';
import type { ReindexSummary, SearchIndex } from './types.js';

/** How many failures a summary names (the count covers them all). */
const MAX_ERRORS = 20;

export const DEFAULT_REINDEX_BATCH = 500;

export function emptySummary(): ReindexSummary {
  return { read: 0, changed: 0, unchanged: 0, failed: 0, errors: [], byType: {} };
}

/**
 * The new index of one stored version, shared by both adapters: `undefined` when it serializes
 * exactly as the stored one (`storedJson`), else the index and its serialized form. Counts the
 * version in `s`. A resource today's code cannot index is counted as failed and keeps its index.
 */
export function recompute(
  s: ReindexSummary, indexOf: (r: Resource) => SearchIndex, t: string, id: string, json: string, storedJson: string,
): { x: SearchIndex; xj: string } | undefined {
  s.read++;
  const per = (s.byType[t] ??= { read: 0, changed: 0 });
  per.read++;
  let x: SearchIndex;
  let xj: string;
  try {
    x = indexOf(JSON.parse(json) as Resource);
    xj = JSON.stringify(x);
  } catch (e) {
    s.failed++;
    if (s.errors.length < MAX_ERRORS) s.errors.push({ resourceType: t, id, message: String((e as Error)?.message ?? e) });
    return undefined;
  }
  if (xj === storedJson) {
    s.unchanged++;
    return undefined;
  }
  s.changed++;
  per.changed++;
  return { x, xj };
}
