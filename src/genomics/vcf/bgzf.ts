/**
 * BGZF (https://samtools.github.io/hts-specs/SAMv1.pdf section 4.1): gzip members whose header
 * carries a `BC` extra subfield, and a file that ends with one empty 28-byte block (4.1.2). Plain
 * gzip has no such marker, so a BGZF file cut at a block boundary is still valid gzip: only the
 * missing marker tells that blocks were lost, which is why it is checked.
 */
export const BGZF_EOF = Buffer.from('1f8b08040000000000ff0600424302001b0003000000000000000000', 'hex');

const FEXTRA = 4;

/** True when the first gzip member header (at the start of `head`) has the BC subfield. */
export function isBgzf(head: Buffer): boolean {
  if (head.length < 12 || head[0] !== 0x1f || head[1] !== 0x8b || (head[3] & FEXTRA) === 0) return false;
  const end = Math.min(head.length, 12 + head.readUInt16LE(10));
  for (let p = 12; p + 4 <= end; p += 4 + head.readUInt16LE(p + 2)) {
    if (head[p] === 0x42 && head[p + 1] === 0x43) return true;
  }
  return false;
}

/** BGZF's header up to its BC subfield: what isBgzf needs to see. */
const HEADER_BYTES = 18;

/**
 * Watches a gzip stream go by, chunk by chunk (chunks may be of any size): its first bytes, to tell
 * BGZF, and its last ones, to find the end-of-file block.
 */
export class BgzfEofCheck {
  private head: Buffer = Buffer.alloc(0);
  private tail: Buffer = Buffer.alloc(0);
  push(b: Buffer): void {
    if (this.head.length < HEADER_BYTES) this.head = Buffer.concat([this.head, b.subarray(0, HEADER_BYTES - this.head.length)]);
    this.tail = b.length >= BGZF_EOF.length ? b.subarray(b.length - BGZF_EOF.length) : Buffer.concat([this.tail, b]).subarray(-BGZF_EOF.length);
  }
  /** After the last chunk: BGZF that does not end with the end-of-file block. */
  truncated(): boolean {
    return isBgzf(this.head) && !this.tail.equals(BGZF_EOF);
  }
}
