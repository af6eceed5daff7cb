import { parentPort } from 'node:worker_threads';
import { getHeapStatistics } from 'node:v8';
import type { Resource } from '@medplum/fhirtypes';
import { prepareChunk } from './prepare.js';
import { termsOfBytes } from './terms-of-bytes.js';
import type { WorkerReply, WorkerRequest } from './pool.js';
import { transferablesOf } from '../storage/embedded/packed-batch.js';
import { termsBuffers } from '../storage/embedded/index-terms.js';
import type { RecordContext } from '../genomics/vcf/record-mapper.js';

/** The VCF import this worker maps lines of (pool.ts sends it once), and the mapper, loaded on first use. */
let ctx: RecordContext | undefined;
let vcf: typeof import('../genomics/vcf/map-lines.js') | undefined;

/**
 * FHIR_PREPARE_HEAP_STATS=1 (benchmarks): each answer carries this isolate's heap right after the
 * work, when its garbage is at its fullest, for the pool's per-worker peaks (PreparePool.heapPeaks).
 * Off by default: the main thread's memoryUsage() cannot see a worker's heap, and nothing else reads it.
 */
const heapStats = process.env.FHIR_PREPARE_HEAP_STATS === '1';
const post = (reply: WorkerReply, transfer: ArrayBuffer[]) => {
  if (heapStats) {
    const h = getHeapStatistics();
    reply.heap = { physical: h.total_physical_size, used: h.used_heap_size, external: h.external_memory };
  }
  parentPort!.postMessage(reply, transfer);
};

/**
 * Worker thread of the prepare pool (pool.ts). Either a chunk of resources as one JSON string
 * (one copy across threads, no structured clone of deep objects) with the own base to index them
 * by (the caller's config, never anything of a request's), answered with their issues and
 * packed writes (prepare.ts `prepareChunk`) in the same order; or serialized indexes, answered
 * with their index terms (terms-of-bytes.ts); or VCF data lines, answered with what they map to
 * (map-lines.ts). Buffers of the answer are moved, not copied.
 */
parentPort!.on('message', async (msg: WorkerRequest) => {
  try {
    if ('lines' in msg) {
      ctx = msg.ctx ?? ctx;
      vcf ??= await import('../genomics/vcf/map-lines.js');
      const lines = vcf.mapLines(ctx!, msg.lines, msg.lineNos);
      post({ lines }, transferablesOf(lines.chunk.batch));
    } else if ('json' in msg) {
      const chunk = prepareChunk(JSON.parse(msg.json) as Resource[], msg.ownBase);
      post({ chunk }, transferablesOf(chunk.batch));
    } else {
      const terms = termsOfBytes(msg.types, msg.chunks, msg.spans);
      post({ terms }, termsBuffers(terms));
    }
  } catch (e) {
    parentPort!.postMessage({ error: String((e as Error)?.stack ?? e) } satisfies WorkerReply);
  }
});
