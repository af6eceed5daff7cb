import { parentPort } from 'node:worker_threads';
import type { Resource } from '@medplum/fhirtypes';
import { prepareChunk } from './prepare.js';
import { transferablesOf } from '../storage/embedded/packed-batch.js';

/**
 * Worker thread of the prepare pool (pool.ts): receives a chunk of resources as one JSON string
 * (one copy across threads, no structured clone of deep objects) and answers their issues and
 * packed writes (prepare.ts `prepareChunk`) in the same order, its buffers moved, not copied.
 */
parentPort!.on('message', (msg: { id: number; json: string }) => {
  try {
    const chunk = prepareChunk(JSON.parse(msg.json) as Resource[]);
    parentPort!.postMessage({ id: msg.id, chunk }, transferablesOf(chunk.batch));
  } catch (e) {
    parentPort!.postMessage({ id: msg.id, error: String((e as Error)?.stack ?? e) });
  }
});
