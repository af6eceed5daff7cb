import type { Readable } from 'node:stream';
import { fhirError, validationError } from '../../fhir/errors.js';
import { indexResource, RELATIVE_REFS_ONLY } from '../../search/search-service.js';
import type { Prepared } from '../../prepare/prepare.js';
import { preparePool } from '../../prepare/pool.js';
import type { PreparedWrite, ResourceStore, StoreTx, VersionRecord } from '../../storage/types.js';
import { readLines } from './line-reader.js';
import { withReportLimit } from './report-limit.js';
import { LineResource } from './map-lines.js';
import { emptySummary, mapVcf } from './map-vcf.js';
import type { ImportSummary, ProducedResource, ProgressInfo, VcfImportOptions } from './types.js';

export interface ImportHooks {
  /** Called every `progressEvery` records (and at the end). */
  onProgress?(p: ProgressInfo): void;
  progressEvery?: number;
  /**
   * A batched import (import-batched.ts) calls it after each batch commits, with the resources the
   * batch wrote: when a later batch fails, those stay, and the caller must not say "nothing stored".
   */
  onBatchStored?(resources: number): void;
}

/** Where produced resources go. The store sink writes; the null sink only validates (dry run, bench). */
export interface ResourceSink {
  /**
   * `prepared`: its search index (and the store's form of the write), when the import prepared it
   * already. A LineResource (mapped on a prepare worker) always comes with its `prepared`.
   */
  write(r: ProducedResource | LineResource, prepared?: PreparedWrite): Promise<'created' | 'updated' | 'unchanged'>;
}

/**
 * Imports a VCF into the store as ONE transaction (all or nothing; durable when it resolves):
 * every produced resource is validated (validateResource: structure, IG profiles, invariants) and
 * written with its search index. Any malformed line (unless allowErrors) or validation error
 * throws a FhirError and the transaction keeps nothing.
 * Idempotent: ids are deterministic, and a resource whose content equals the stored current
 * version is not rewritten (no new version), so re-importing a file changes nothing.
 * The store may run the transaction more than once (MongoDB, after a transient write conflict:
 * ResourceStore.transaction), and each attempt must read the whole file: `input` is then a
 * function opening it anew. A stream can be read once only, so an attempt after the first is
 * refused (409, nothing stored) rather than importing what is left of it (nothing, or the rest).
 */
export async function importVcf(store: ResourceStore, input: Readable | (() => Readable), given: VcfImportOptions, hooks: ImportHooks = {}): Promise<ImportSummary> {
  const opts = withReportLimit(store, given);
  let attempts = 0;
  return store.transaction((tx) => {
    if (typeof input !== 'function' && attempts++ > 0) throw fhirError('CONFLICT', 'The import met a concurrent write and its input cannot be read again; nothing was stored: try again');
    return runImport(typeof input === 'function' ? input() : input, opts, storeSink(tx), hooks);
  }, { multi: true });
}

/** Parses, maps and validates without storing (dry run; the bench's parser+mapper measurement). */
export async function dryRunVcf(input: Readable, opts: VcfImportOptions, hooks: ImportHooks = {}): Promise<ImportSummary> {
  return runImport(input, opts, nullSink(), hooks);
}

/** Throws what importing the file would throw for a malformed file (header, lines, BED, annotations), storing nothing. */
export async function checkVcf(input: Readable, opts: VcfImportOptions): Promise<void> {
  for await (const _ of mapVcf(readLines(input), opts, emptySummary(), 'check'));
}

/** Resources prepared together (whole-import resources and phase relationships; data lines are prepared where they are mapped). */
const PREPARE_BATCH = 1000;

/**
 * Data lines are mapped, validated, indexed and packed on the prepare pool's worker threads
 * (map-vcf.ts, map-lines.ts): this thread reads lines, keeps what spans records and writes. The few
 * resources made here (phase relationships, report, study, analysis, BED documents) are prepared on
 * the pool as objects. Results are checked and written in batches of PREPARE_BATCH, one batch while
 * the next is being produced.
 */
export async function runImport(input: Readable, opts: VcfImportOptions, sink: ResourceSink, hooks: ImportHooks = {}): Promise<ImportSummary> {
  const summary = emptySummary();
  const src = readLines(input);
  const every = hooks.progressEvery ?? 10_000;
  let nextProgress = every;
  const pool = preparePool();
  type Item = ProducedResource | LineResource;
  let batch: Item[] = [];
  let pending: { items: Item[]; prepared: Promise<Prepared[]> } | undefined;
  const drain = async () => {
    if (!pending) return;
    const { items, prepared } = pending;
    pending = undefined;
    const ready = await prepared;
    let k = 0;
    for (const item of items) {
      const p = item instanceof LineResource ? item.prepared : ready[k++];
      const issues = p.issues;
      if (issues.some((x) => x.severity === 'error' || x.severity === 'fatal')) {
        const r = item instanceof LineResource ? item.resource! : item;
        const where = r.resourceType === 'Observation' ? ` (${r.resourceType}/${r.id}, ${describe(r)})` : ` (${r.resourceType}/${r.id})`;
        throw validationError(issues.map((x) => ({ ...x, diagnostics: `${x.diagnostics ?? ''}${where}` })), 'PROFILE_VIOLATION');
      }
      summary.resources++;
      summary[await sink.write(item, p)]++;
    }
  };
  const flush = async () => {
    const items = batch;
    batch = [];
    const objects = items.filter((x): x is ProducedResource => !(x instanceof LineResource));
    const prepared = objects.length ? pool.prepareAll(objects, RELATIVE_REFS_ONLY) : Promise.resolve([]);
    await drain();
    pending = { items, prepared };
  };
  for await (const r of mapVcf(src, opts, summary, 'map', pool)) {
    batch.push(r);
    if (batch.length >= PREPARE_BATCH) await flush();
    if (hooks.onProgress && summary.records >= nextProgress) {
      nextProgress = summary.records + every;
      hooks.onProgress({ bytesRead: src.bytesRead(), records: summary.records, variants: summary.variants });
    }
  }
  await flush();
  await drain();
  hooks.onProgress?.({ bytesRead: src.bytesRead(), records: summary.records, variants: summary.variants });
  return summary;
}

function describe(r: ProducedResource): string {
  const id = (r as { identifier?: Array<{ value?: string }> }).identifier?.[0]?.value;
  return id ? `variant ${id.split('|').slice(3).join('|')}` : 'derived observation';
}

export function storeSink(tx: StoreTx): ResourceSink {
  return {
    async write(r, prepared) {
      const current = await tx.read(r.resourceType, r.id);
      if (current && !current.deleted && current.json && sameContent(current, r)) return 'unchanged';
      // a LineResource always comes with its prepared write (ResourceSink): named by type and id, it is that write
      if (prepared) await tx.putPrepared(r instanceof LineResource ? (r.resource ?? r) : r, prepared);
      else await tx.put(r as ProducedResource, indexResource(r as ProducedResource, RELATIVE_REFS_ONLY));
      return current && !current.deleted ? 'updated' : 'created';
    },
  };
}

export function nullSink(): ResourceSink {
  return { write: async () => 'created' };
}

/**
 * Equal apart from the server-assigned meta.versionId / meta.lastUpdated. A resource mapped on a
 * worker is here as its stored body only: compared as stored with the current version's values
 * (equal bytes are equal content), else as `r` would be (its produced objects start resourceType,
 * id, meta, as a stored body does, so the parsed body without the two values is `r`'s JSON).
 */
function sameContent(current: VersionRecord, r: ProducedResource | LineResource): boolean {
  const ours = r instanceof LineResource && !r.resource ? r.prepared.storedJson?.(current.versionId, current.lastUpdated) : undefined;
  if (ours === current.json) return true;
  const resource = r instanceof LineResource && !r.resource ? withoutVersion(ours!) : JSON.stringify(r instanceof LineResource ? r.resource : r);
  return withoutVersion(current.json!) === resource;
}

function withoutVersion(json: string): string {
  const stored = JSON.parse(json) as { meta?: Record<string, unknown> };
  if (stored.meta) {
    delete stored.meta.versionId;
    delete stored.meta.lastUpdated;
  }
  return JSON.stringify(stored);
}
