import type { Resource } from '@medplum/fhirtypes';
import type { ResourceStore, StoreTx } from '../storage/types.js';
import { FhirError } from '../fhir/errors.js';
import { indexResource, RELATIVE_REFS_ONLY } from '../search/search-service.js';
import { buildAuditEvent, type AuditInput } from './audit-event.js';

/**
 * The audit trail writer. Requests only enqueue a few facts (or a ready AuditEvent); a timer (or
 * a full batch) builds the events and writes the queue as one store transaction, so N reads cost
 * one journal fsync, not N, and the request path allocates next to nothing.
 * Under load, successful plain reads (read/vread without parameters) by the same agent from the
 * same address, of the same type and patient, within one flush window are coalesced into one
 * AuditEvent listing every resource read (up to MAX_MERGED) with the `period` they span: every
 * read is still recorded, at a fraction of the cost of one stored, indexed event each.
 * `close()` (called from the app's onClose hook, before the store closes) writes what is left:
 * a clean shutdown loses nothing. A failed write keeps the batch queued for the next attempt,
 * up to `maxQueue` events; beyond that the oldest are dropped and the loss is logged.
 */
export interface AuditLogOptions {
  batchSize?: number;
  flushMs?: number;
  maxQueue?: number;
  onError?: (err: unknown, dropped: number) => void;
}

const MAX_MERGED = 200;

/** The grouping key of a coalescable read, or undefined. */
function coalesceKey(e: (Resource & { id: string }) | AuditInput): string | undefined {
  if ('resourceType' in e) return undefined;
  const f = e.facts;
  if ((f.interaction !== 'read' && f.interaction !== 'vread') || e.status >= 300 || !f.resourceType || !f.id || e.url.includes('?')) return undefined;
  return readGroupKey(e, f.interaction, f.resourceType, e.patients ?? [f.patient ?? '']);
}

/**
 * Which reads share one event: same agent, address, interaction, type and patients. Exported for
 * the HTTP hook's fast path (`join`), which must key a read exactly as `record` would.
 */
export function readGroupKey(
  agent: { clientId?: string; subject?: string; issuer?: string; remoteAddress?: string },
  interaction: string, resourceType: string, patients: string[],
): string {
  return `${agent.clientId ?? ''}\u0000${agent.subject ?? ''}\u0000${agent.issuer ?? ''}\u0000${agent.remoteAddress ?? ''}\u0000${interaction}\u0000${resourceType}\u0000${patients.join(',')}`;
}

export class AuditLog {
  private queue: Array<(Resource & { id: string }) | AuditInput> = [];
  private groups = new Map<string, AuditInput>();
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> | undefined;
  private closed = false;
  /** Set once the store refused a multi-resource transaction (a standalone MongoDB). */
  private singleWrites = false;
  /** Events written so far (for tests and the bench). */
  written = 0;
  dropped = 0;

  constructor(private readonly store: ResourceStore, private readonly opts: AuditLogOptions = {}) {}

  record(event: (Resource & { id: string }) | AuditInput): void {
    if (this.closed) return;
    const key = coalesceKey(event);
    if (key !== undefined) {
      const group = this.groups.get(key);
      const input = event as AuditInput;
      if (group && (group.more ??= []).length < MAX_MERGED) {
        group.more.push({ id: input.facts.id!, at: (input.recorded ?? new Date()).getTime() });
        return;
      }
      this.groups.set(key, input);
    }
    this.queue.push(event);
    if (this.queue.length >= (this.opts.batchSize ?? 500)) void this.flush();
    else this.timer ??= setTimeout(() => void this.flush(), this.opts.flushMs ?? 200);
  }

  /**
   * Adds a read to the open event of its group (key: `readGroupKey`), if there is one with room:
   * what `record` would do with that read, without building its AuditInput. False: nothing was
   * recorded, call `record`. Most reads under load take this path (README "Audit trail").
   */
  join(key: string, id: string, at: number): boolean {
    if (this.closed) return true;
    const group = this.groups.get(key);
    if (!group || (group.more ??= []).length >= MAX_MERGED) return false;
    group.more.push({ id, at });
    return true;
  }

  get pending(): number {
    return this.queue.length;
  }

  /** Writes everything queued; resolves when it is durable. */
  async flush(): Promise<void> {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    while (this.flushing) await this.flushing;
    if (!this.queue.length) return;
    const batch = this.queue;
    this.queue = [];
    this.groups.clear();
    this.flushing = this.write(batch).finally(() => {
      this.flushing = undefined;
    });
    await this.flushing;
    if (this.queue.length && !this.timer && !this.closed) this.timer = setTimeout(() => void this.flush(), this.opts.flushMs ?? 200);
  }

  private async write(batch: Array<(Resource & { id: string }) | AuditInput>): Promise<void> {
    try {
      const events = batch.map((e) => ('resourceType' in e ? e : buildAuditEvent(e)));
      batch = events;
      const put = (tx: StoreTx, ev: Resource & { id: string }) => tx.put(ev, indexResource(ev, RELATIVE_REFS_ONLY), { ifVersion: 0 }); // (audit-event.ts refers relatively)
      if (!this.singleWrites) {
        try {
          await this.store.transaction(async (tx) => {
            for (const ev of events) await put(tx, ev);
          }, { multi: true });
          this.written += events.length;
          return;
        } catch (err) {
          // A standalone MongoDB refuses multi-document transactions (nothing was written): the
          // trail is then written one event per write, rather than never.
          if (!(err instanceof FhirError && err.key === 'TRANSACTIONS_UNSUPPORTED')) throw err;
          this.singleWrites = true;
        }
      }
      await this.writeOneByOne(events, put);
    } catch (err) {
      this.queue = batch.concat(this.queue);
      const max = this.opts.maxQueue ?? 100_000;
      const drop = Math.max(0, this.queue.length - max);
      if (drop) {
        this.queue.splice(0, drop);
        this.dropped += drop;
      }
      this.opts.onError?.(err, drop);
    }
  }

  /** One event per write, counted as written; `events` (the batch a failure re-queues) keeps only those not written. */
  private async writeOneByOne(events: Array<Resource & { id: string }>, put: (tx: StoreTx, ev: Resource & { id: string }) => Promise<unknown>): Promise<void> {
    while (events.length) {
      const ev = events[0];
      await this.store.transaction((tx) => put(tx, ev));
      events.shift();
      this.written++;
    }
  }

  async close(): Promise<void> {
    await this.flush();
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
  }
}
