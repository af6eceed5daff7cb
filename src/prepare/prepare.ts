import type { Resource } from '@medplum/fhirtypes';
import type { Issue } from '../fhir/outcome.js';
import { indexResource } from '../search/search-service.js';
import { hasErrors, validateResource } from '../validation/validate.js';
import type { PreparedWrite } from '../storage/types.js';
import { bodyString, hasIndex, indexJsonOf, isPackedRef, PackedBatchWriter, type PackedBatch, type PackedRef } from '../storage/embedded/packed-batch.js';

/**
 * What a resource needs before it can be stored: its validation issues and, when it is valid,
 * its search index serialized (what the embedded store keeps and journals). Pure and
 * self-contained, so worker threads can run it for bulk loads (pool.ts).
 */
export interface Prepared extends PreparedWrite {
  issues: Issue[];
  /** JSON of indexResource(resource, ownBase); empty when the issues hold an error. */
  readonly indexJson: string;
  /** The embedded store's form of the write (packed-batch.ts), when the resource is valid. */
  readonly packed?: PackedRef;
}

/** `ownBase`: the server's BASE_URL, which decides which absolute references are local (indexResource). */
export function prepareResource(resource: Resource, ownBase: string): Prepared {
  const issues = validateResource(resource);
  if (hasErrors(issues)) return { issues, indexJson: '' };
  return { issues, indexJson: JSON.stringify(indexResource(resource, ownBase)) };
}

/** A chunk as the prepare workers answer it: issues per resource and one packed batch. */
export interface PreparedChunk {
  issues: Issue[][];
  batch: PackedBatch;
}

/**
 * `prepareResource` for a chunk, in the form a worker sends back: besides the issues, every valid
 * resource's stored body, index JSON and index terms packed for the embedded store.
 */
export function prepareChunk(resources: Resource[], ownBase: string): PreparedChunk {
  const w = new PackedBatchWriter();
  const issues = resources.map((r) => {
    const found = validateResource(r);
    if (hasErrors(found)) w.add(r as Resource & { id: string }, undefined, undefined);
    else {
      const index = indexResource(r, ownBase);
      w.add(r as Resource & { id: string }, index, JSON.stringify(index));
    }
    return found;
  });
  return { issues, batch: w.finish() };
}

/** The chunk's results, one per resource, in order; index JSON decoded only when asked for. */
export function unpackChunk(chunk: PreparedChunk): Prepared[] {
  return chunk.issues.map((issues, i) => (hasIndex(chunk.batch, i) ? new PackedPrepared(issues, { batch: chunk.batch, i }) : { issues, indexJson: '' }));
}

/** A valid resource of a chunk (a class: a bulk load makes millions, see PackedRecord). */
class PackedPrepared implements Prepared {
  readonly packed?: PackedRef;
  #json?: string;
  constructor(
    readonly issues: Issue[],
    private readonly ref: PackedRef,
  ) {
    if (isPackedRef(ref)) this.packed = ref;
  }

  get indexJson(): string {
    return (this.#json ??= indexJsonOf(this.ref));
  }

  /** PreparedWrite.storedJson, from the packed body (none when the packer declined the content). */
  storedJson(versionId: number, lastUpdated: string): string | undefined {
    return this.packed && bodyString(this.packed, versionId, JSON.stringify(lastUpdated));
  }
}
