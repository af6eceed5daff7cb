import type { IndexedDoc, VersionRecord } from '../types.js';
import type { OpRecord } from './records.js';

/** A write made inside a transaction, not yet committed. */
export interface Staged {
  op: OpRecord;
  record: VersionRecord;
  doc?: IndexedDoc;
}

/**
 * A transaction's staged writes, latest per resource, by type then id. Not one map keyed by
 * `Type/id`: a bulk load stages a million writes, and each such key was a fresh string, built and
 * hashed on every read and write of the resource (three times per write of an import), while the
 * id itself is one string whose hash V8 computes once and keeps.
 */
export class StagedWrites {
  private readonly byType = new Map<string, Map<string, Staged>>();
  private n = 0;

  get size(): number {
    return this.n;
  }

  get(t: string, id: string): Staged | undefined {
    return this.byType.get(t)?.get(id);
  }

  has(t: string, id: string): boolean {
    return this.byType.get(t)?.has(id) ?? false;
  }

  set(t: string, id: string, s: Staged): void {
    let m = this.byType.get(t);
    if (!m) this.byType.set(t, (m = new Map()));
    const before = m.size;
    m.set(id, s);
    this.n += m.size - before;
  }

  *values(): IterableIterator<Staged> {
    for (const m of this.byType.values()) yield* m.values();
  }
}
