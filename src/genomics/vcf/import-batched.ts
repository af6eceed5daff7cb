import type { Readable } from 'node:stream';
import type { PreparedWrite, ResourceStore } from '../../storage/types.js';
import { checkVcf, type ImportHooks, runImport, storeSink } from './import.js';
import type { LineResource } from './map-lines.js';
import type { ImportSummary, ProducedResource, VcfImportOptions } from './types.js';
import { withReportLimit } from './report-limit.js';

/**
 * Import in several transactions, for call sets too large for one: the embedded store journals a
 * transaction as one JSON line, and a V8 string cannot exceed ~512 MB (~150,000 variants).
 * Pass 1 checks every line as mapping would (without building resources: a tenth of mapping's cost),
 * so a malformed line still refuses the import before anything is written. Pass 2 validates and stores `batchSize` resources per
 * transaction; the GenomicReport and GenomicStudy come last, so a report exists only when all its
 * results do. If pass 2 fails midway (a validation error, a crash), the variants already written
 * stay; since ids are deterministic, re-running the same import completes it without duplicates.
 */
export async function importVcfBatched(
  store: ResourceStore,
  open: () => Readable,
  given: VcfImportOptions,
  batchSize: number,
  hooks: ImportHooks = {},
): Promise<ImportSummary> {
  const opts = withReportLimit(store, given);
  await checkVcf(open(), opts);
  // Each resource with what the prepare pool made of it (validated, indexed, packed), so that the
  // store takes it as prepared instead of indexing and serializing it again on this thread.
  let batch: Array<[ProducedResource | LineResource, PreparedWrite | undefined]> = [];
  const counts = { created: 0, updated: 0, unchanged: 0 };
  const flush = async () => {
    const b = batch;
    batch = [];
    // counted by the attempt that commits (the store may run the work more than once)
    const done = await store.transaction(async (tx) => {
      const sink = storeSink(tx);
      const n = { created: 0, updated: 0, unchanged: 0 };
      for (const [r, prepared] of b) n[await sink.write(r, prepared)]++;
      return n;
    }, { multi: true });
    for (const k of ['created', 'updated', 'unchanged'] as const) counts[k] += done[k];
    if (b.length) hooks.onBatchStored?.(b.length);
  };
  const summary = await runImport(open(), opts, {
    async write(r, prepared) {
      batch.push([r, prepared]);
      if (batch.length >= batchSize) await flush();
      return 'created';
    },
  }, hooks);
  await flush();
  return { ...summary, ...counts };
}
