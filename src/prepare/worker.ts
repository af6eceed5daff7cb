import { parentPort } from 'node:worker_threads';
import type { Resource } from '@medplum/fhirtypes';
import { prepareChunk } from './prepare.js';
import { termsOfBytes } from './terms-of-bytes.js';
import type { WorkerReply, WorkerRequest } from './pool.js';
import { transferablesOf } from '../storage/embedded/packed-batch.js';
import { termsBuffers } from '../storage/embedded/index-terms.js';

/**
 * Worker thread of the prepare pool (pool.ts). Either a chunk of resources as one JSON string
 * (one copy across threads, no structured clone of deep objects) with the own base to index them
 * by (the caller's config, never anything of a request's), answered with their issues and
 * packed writes (prepare.ts `prepareChunk`) in the same order; or serialized indexes, answered
 * with their index terms (terms-of-bytes.ts). Buffers of the answer are moved, not copied.
 */
parentPort!.on('message', (msg: WorkerRequest) => {
  try {
    if ('json' in msg) {
      const chunk = prepareChunk(JSON.parse(msg.json) as Resource[], msg.ownBase);
      parentPort!.postMessage({ chunk } satisfies WorkerReply, transferablesOf(chunk.batch));
    } else {
      const terms = termsOfBytes(msg.types, msg.chunks, msg.spans);
      parentPort!.postMessage({ terms } satisfies WorkerReply, termsBuffers(terms));
    }
  } catch (e) {
    parentPort!.postMessage({ error: String((e as Error)?.stack ?? e) } satisfies WorkerReply);
  }
});
