import type { HistoryQuery, HistoryResult } from '../types.js';
import { toRecord, type Ver } from './records.js';

/** First index in [lo, hi) whose element satisfies `pred`, for a predicate that is false then true. */
function firstWhere(arr: readonly Ver[], lo: number, hi: number, pred: (v: Ver) => boolean): number {
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (pred(arr[mid])) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

/**
 * A history page over versions held in commit order (sequence and lastUpdated both ascend, since
 * the store never lets time go backwards). `_since`, `_at` and the paging cursor are binary
 * searches, so a page costs O(log n + page) even over a million versions.
 * https://hl7.org/fhir/R4/http.html#history: newest first.
 */
export function historyPage(arr: readonly Ver[], q: HistoryQuery): HistoryResult {
  const lo = q.since === undefined ? 0 : firstWhere(arr, 0, arr.length, (v) => v.lu >= q.since!);
  const hi = q.before === undefined ? arr.length : firstWhere(arr, lo, arr.length, (v) => v.lu > q.before!);
  const end = q.beforeSeq === undefined ? hi : firstWhere(arr, lo, hi, (v) => v.seq >= q.beforeSeq!);
  const records = [];
  for (let i = end - 1; i >= lo && records.length < q.limit; i--) {
    const ver = arr[i];
    const rec: HistoryResult['records'][number] = toRecord(ver);
    // versions[n - 1] is version n: its predecessor is at n - 2, a tombstone when it has no body
    if (ver.v > 1 && ver.b !== undefined && ver.e.versions[ver.v - 2]?.b === undefined) rec.afterDeletion = true;
    records.push(rec);
  }
  return { records, total: Math.max(0, hi - lo) };
}
