/**
 * Resource bodies live outside the V8 heap, packed into large append-only buffers ("slabs").
 * A million stored Observations are over a gigabyte of JSON: as heap strings they would crowd the
 * heap limit and make every major GC walk them; in slabs they cost the GC nothing, and a version
 * keeps only (slab, offset, length). Bodies are never freed: every version is kept by design.
 */
const SLAB_BYTES = 32 * 1024 * 1024;

export class BodyArena {
  private slab: Buffer = Buffer.allocUnsafeSlow(SLAB_BYTES);
  private pos = 0;
  /** The slab and byte length of the last `store` (read right after it; saves a tuple per write). */
  lastSlab: Buffer = this.slab;
  lastLength = 0;

  /** Copies `json` into a slab and returns its byte offset there. */
  store(json: string): number {
    const len = Buffer.byteLength(json);
    if (len > SLAB_BYTES / 4) return this.own(Buffer.from(json));
    const off = this.reserve(len);
    this.slab.write(json, off, len, 'utf8');
    return off;
  }

  /** Copies bytes (already UTF-8 JSON, e.g. read back from the journal) into a slab. */
  storeBytes(bytes: Buffer): number {
    if (bytes.length > SLAB_BYTES / 4) return this.own(Buffer.from(bytes));
    const off = this.reserve(bytes.length);
    bytes.copy(this.slab, off);
    return off;
  }

  /** Room for `len` bytes the caller writes itself, at the returned offset of `lastSlab`. */
  alloc(len: number): number {
    if (len > SLAB_BYTES / 4) return this.own(Buffer.allocUnsafeSlow(len));
    return this.reserve(len);
  }

  /** A very large value gets a buffer of its own rather than wasting a slab's tail. */
  private own(buf: Buffer): number {
    this.lastSlab = buf;
    this.lastLength = buf.length;
    return 0;
  }

  /** Room for `len` bytes in the current slab (a new one when it is full); returns the offset. */
  private reserve(len: number): number {
    if (this.pos + len > this.slab.length) {
      this.slab = Buffer.allocUnsafeSlow(SLAB_BYTES);
      this.pos = 0;
    }
    const off = this.pos;
    this.pos += len;
    this.lastSlab = this.slab;
    this.lastLength = len;
    return off;
  }
}
