import { parentPort } from 'node:worker_threads';
import type { Resource } from '@medplum/fhirtypes';
import { prepareResource } from './prepare.js';

/**
 * Worker thread of the prepare pool (pool.ts): receives a chunk of resources as one JSON string
 * (one copy across threads, no structured clone of deep objects) and answers their issues and
 * serialized indexes in the same order.
 */
parentPort!.on('message', (msg: { id: number; json: string }) => {
  try {
    const out = (JSON.parse(msg.json) as Resource[]).map(prepareResource);
    parentPort!.postMessage({ id: msg.id, out });
  } catch (e) {
    parentPort!.postMessage({ id: msg.id, error: String((e as Error)?.stack ?? e) });
  }
});
