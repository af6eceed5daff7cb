import { prepareChunk, unpackChunk, type Prepared, type PreparedChunk } from '../../prepare/prepare.js';
import { isPackedRef } from '../../storage/embedded/packed-batch.js';
import { RELATIVE_REFS_ONLY } from '../../search/search-service.js';
import type { ChangeType } from './codes.js';
import { VcfLineError } from './record.js';
import { type RecordContext, mapRecordLine } from './record-mapper.js';
import type { ProducedResource, SkipReason } from './types.js';

/**
 * Data lines mapped and prepared where the prepare pool runs them (a worker thread, or inline):
 * `mapRecordLine` on each line, then the resources validated, indexed and packed as `prepareChunk`
 * does. What goes back to the main thread is small: per line, what map-vcf.ts's cross-record
 * logic needs (skips, position, the calls' ids, change types and phase) or the line's error, and
 * one packed batch of the resources. The resource objects stay on the worker, so the main thread
 * neither builds nor serializes them, and the worker does not parse them.
 */
export interface LineOutcome {
  /** The line's VcfLineError (then nothing else is set). */
  error?: { line: number; reason: string };
  skips: SkipReason[];
  posKey?: string;
  calls: CallOutcome[];
}

export interface CallOutcome {
  /** The Variant's id; its resource is the next one of the chunk, then its implication's when `implication`. */
  id: string;
  implication: boolean;
  changeType: ChangeType;
  /** A structural call's extent (MappedCall.extent). */
  extent?: string;
  phase?: { chrom: string; set: string; hap: number };
}

export interface MappedLines {
  lines: LineOutcome[];
  chunk: PreparedChunk;
  /** JSON of the chunk's resources that have no packed write (invalid, or content the packer declines), by position. */
  json: Record<number, string>;
}

export function mapLines(ctx: RecordContext, texts: string[], lineNos: ArrayLike<number>): MappedLines {
  const resources: ProducedResource[] = [];
  const lines = texts.map((text, k): LineOutcome => {
    try {
      const m = mapRecordLine(ctx, text, lineNos[k]);
      const calls = m.calls.map((c): CallOutcome => {
        resources.push(c.variant);
        if (c.implication) resources.push(c.implication);
        return { id: c.variant.id, implication: !!c.implication, changeType: c.changeType, ...(c.extent ? { extent: c.extent } : {}), ...(c.phase ? { phase: c.phase } : {}) };
      });
      return { skips: m.skips, posKey: m.posKey, calls };
    } catch (e) {
      if (!(e instanceof VcfLineError)) throw e;
      return { error: { line: e.line, reason: e.reason }, skips: [], calls: [] };
    }
  });
  const chunk = prepareChunk(resources, RELATIVE_REFS_ONLY); // VCF resources refer relatively
  const json: Record<number, string> = {};
  for (let i = 0; i < resources.length; i++) if (!isPackedRef({ batch: chunk.batch, i })) json[i] = JSON.stringify(resources[i]);
  return { lines, chunk, json };
}

/**
 * A resource mapped and prepared by `mapLines`, on the main thread: its type, id and prepared write
 * (with its stored body, PreparedWrite.storedJson), which is all a store needs to write it. The
 * resource itself is here only when the chunk sent its JSON (no packed write).
 */
export class LineResource {
  constructor(
    readonly resourceType: string,
    readonly id: string,
    readonly prepared: Prepared,
    readonly resource?: ProducedResource,
  ) {}
}

/** The calls of each line with their resources, in the shape map-vcf.ts's `sequence` takes. */
export interface LineRecord {
  error?: VcfLineError;
  skips: SkipReason[];
  posKey?: string;
  calls: Array<{ variant: LineResource; implication?: LineResource; changeType: ChangeType; extent?: string; phase?: { chrom: string; set: string; hap: number } }>;
}

export function lineRecords(m: MappedLines): LineRecord[] {
  const prepared = unpackChunk(m.chunk);
  const { types, ids } = m.chunk.batch;
  let i = 0;
  const next = () => {
    const json = m.json[i];
    const r = new LineResource(types[i], ids[i], prepared[i], json === undefined ? undefined : (JSON.parse(json) as ProducedResource));
    i++;
    return r;
  };
  return m.lines.map((l) => {
    if (l.error) return { error: new VcfLineError(l.error.line, l.error.reason), skips: [], calls: [] };
    return {
      skips: l.skips, posKey: l.posKey,
      calls: l.calls.map((c) => {
        const variant = next();
        return { variant, changeType: c.changeType, extent: c.extent, phase: c.phase, ...(c.implication ? { implication: next() } : {}) };
      }),
    };
  });
}
