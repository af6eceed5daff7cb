/**
 * The ids of every produced Observation, for GenomicReport.result. A million calls would cost
 * ~100 MB as JS strings; ids are `prefix-<32 hex>`, so they are kept as 16 raw bytes plus a
 * prefix index in one growing buffer (~17 MB per million).
 */
export class ResultList {
  private buf = Buffer.allocUnsafe(17 * 1024);
  private n = 0;
  private added = 0;
  private readonly prefixes: string[] = [];

  /** Keeps at most `limit` ids; `total` still counts every one added. */
  constructor(private readonly limit = Number.MAX_SAFE_INTEGER) {}

  get total(): number {
    return this.added;
  }

  get size(): number {
    return this.n;
  }

  add(id: string): void {
    this.added++;
    if (this.n >= this.limit) return;
    const dash = id.lastIndexOf('-');
    const prefix = id.slice(0, dash);
    const hex = id.slice(dash + 1);
    if (hex.length !== 32) throw new Error(`unexpected id shape: ${id}`);
    let p = this.prefixes.indexOf(prefix);
    if (p < 0) p = this.prefixes.push(prefix) - 1;
    if ((this.n + 1) * 17 > this.buf.length) {
      const next = Buffer.allocUnsafe(this.buf.length * 2);
      this.buf.copy(next, 0, 0, this.n * 17);
      this.buf = next;
    }
    const off = this.n * 17;
    this.buf[off] = p;
    this.buf.write(hex, off + 1, 16, 'hex');
    this.n++;
  }

  *ids(): IterableIterator<string> {
    for (let i = 0; i < this.n; i++) {
      const off = i * 17;
      yield `${this.prefixes[this.buf[off]]}-${this.buf.toString('hex', off + 1, off + 17)}`;
    }
  }
}
