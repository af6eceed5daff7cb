/**
 * Remembers client-assertion `jti`s until their `exp`, so a captured assertion cannot be replayed
 * (RFC 7523 §3, SMART Backend Services: "jti … MUST NOT be reused within its lifetime").
 * Entries are only added after the assertion's signature verified, so only registered clients
 * can fill it; past `maxEntries` unexpired entries, new assertions are refused rather than old
 * ones forgotten. Per process, in front of the store's durable record of used jtis
 * (ResourceStore.claimOnce), which restarts and instances sharing a MongoDB see too.
 */
export class ReplayCache {
  private readonly seen = new Map<string, number>();

  constructor(private readonly maxEntries = 100_000) {}

  /** Records `key` until `expiresAtMs`; returns false when it was already recorded (a replay) or the cache is full. */
  remember(key: string, expiresAtMs: number, now = Date.now()): boolean {
    const prev = this.seen.get(key);
    if (prev !== undefined && prev > now) return false;
    if (this.seen.size >= this.maxEntries) this.purge(now);
    if (this.seen.size >= this.maxEntries) return false;
    this.seen.set(key, expiresAtMs);
    return true;
  }

  purge(now = Date.now()): void {
    for (const [k, exp] of this.seen) if (exp <= now) this.seen.delete(k);
  }

  get size(): number {
    return this.seen.size;
  }
}
