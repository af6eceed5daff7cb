import type { HistoryQuery, HistoryResult } from '../types.js';
import { toRecord, type Entry, type Ver } from './records.js';

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
export function historyPage(arr: readonly Ver[], q: HistoryQuery, hidden?: ReadonlySet<Entry>): HistoryResult {
  const lo = q.since === undefined ? 0 : firstWhere(arr, 0, arr.length, (v) => v.lu >= q.since!);
  const hi = q.before === undefined ? arr.length : firstWhere(arr, lo, arr.length, (v) => v.lu > q.before!);
  const end = q.beforeSeq === undefined ? hi : firstWhere(arr, lo, hi, (v) => v.seq >= q.beforeSeq!);
  const records = [];
  for (let i = end - 1; i >= lo && records.length < q.limit; i--) {
    const ver = arr[i];
    if (hidden?.has(ver.e)) continue;
    const rec: HistoryResult['records'][number] = toRecord(ver);
    // versions[n - 1] is version n: its predecessor is at n - 2, a tombstone when it has no body
    if (ver.v > 1 && ver.b !== undefined && ver.e.versions[ver.v - 2]?.b === undefined) rec.afterDeletion = true;
    records.push(rec);
  }
  let shown = Math.max(0, hi - lo);
  // the hidden resources' versions in the range, found in each one's own versions (also in lu order)
  for (const e of hidden ?? []) {
    const vs = e.versions;
    const from = q.since === undefined ? 0 : firstWhere(vs, 0, vs.length, (v) => v.lu >= q.since!);
    const to = q.before === undefined ? vs.length : firstWhere(vs, from, vs.length, (v) => v.lu > q.before!);
    shown -= Math.max(0, to - from);
  }
  return { records, total: shown };
}

/** The entries of `q.hide` that `lookup` holds, or undefined when none (then the query runs unchanged). */
export function hiddenEntries(q: HistoryQuery, lookup: (t: string, id: string) => Entry | undefined): Set<Entry> | undefined {
  let out: Set<Entry> | undefined;
  for (const [t, ids] of Object.entries(q.hide ?? {})) {
    if (q.resourceType !== undefined && q.resourceType !== t) continue;
    for (const id of q.id === undefined ? ids : ids.filter((x) => x === q.id)) {
      const e = lookup(t, id);
      if (e) (out ??= new Set()).add(e);
    }
  }
  return out;
}
