import type { OpRecord, TxRecord } from './records.js';

/**
 * The line format of journal segments and snapshots:
 *
 *   {"seq":7,"lu":…,"ops":[{"t":"Observation","id":"a","v":1,"jn":2918,"xn":5234},…]} TAB payload LF
 *
 * A JSON header, a tab, then each op's serialized resource (`jn` bytes) and search index (`xn`
 * bytes) back to back. The payloads are the exact bytes the store keeps in its slabs, so a commit
 * writes them and recovery reads them with plain copies: embedding them as JSON strings instead
 * meant escaping every quote on write and unescaping it on read, the largest cost of a bulk load.
 * JSON text never contains a raw tab or newline, so the first tab ends the header and the line
 * still ends at the first LF. Lines without a tab are the plain-JSON records of earlier releases.
 */
const TAB = 9;

/** Where a payload lies: a slab (or any buffer), offset and length. */
export type Piece = [Buffer, number, number];

type Pieces = Array<{ body?: Piece; index?: Piece }>;

/** The JSON header of a line: each op with the byte lengths of its payloads. */
export function headerJson(seq: number, lu: number, ops: OpRecord[], pieces: Pieces): string {
  const head = ops.map((op, i) => {
    const p = pieces[i];
    if (op.del || !p.body) return { t: op.t, id: op.id, v: op.v, del: true };
    return p.index ? { t: op.t, id: op.id, v: op.v, jn: p.body[2], xn: p.index[2] } : { t: op.t, id: op.id, v: op.v, jn: p.body[2] };
  });
  return JSON.stringify({ seq, lu, ops: head });
}

export function frameHeader(seq: number, lu: number, ops: OpRecord[], pieces: Pieces): Buffer {
  return Buffer.from(headerJson(seq, lu, ops, pieces));
}

const NEWLINE = Buffer.from('\n');

/**
 * A line as the buffers it is made of, in order: the header (with its tab), then views of the
 * payloads where they lie (the slabs), then the newline. Written with one gathered write, so a
 * commit's payload bytes are copied once (into the slabs), not a second time into a line.
 */
export function frameParts(seq: number, lu: number, ops: OpRecord[], pieces: Pieces): Buffer[] {
  const out: Buffer[] = [Buffer.from(`${headerJson(seq, lu, ops, pieces)}\t`)];
  for (const p of pieces) {
    if (p.body) out.push(p.body[0].subarray(p.body[1], p.body[1] + p.body[2]));
    if (p.index) out.push(p.index[0].subarray(p.index[1], p.index[1] + p.index[2]));
  }
  out.push(NEWLINE);
  return out;
}

/** Bytes of a whole line, newline included. */
export function frameSize(header: Buffer, pieces: Pieces): number {
  let total = header.length + 2;
  for (const p of pieces) total += (p.body?.[2] ?? 0) + (p.index?.[2] ?? 0);
  return total;
}

/** Writes a line at `pos` of `out` (which has room for it); returns the position after it. */
export function writeFrame(out: Buffer, pos: number, header: Buffer, pieces: Pieces): number {
  pos += header.copy(out, pos);
  out[pos++] = TAB;
  for (const p of pieces) {
    if (p.body) pos += p.body[0].copy(out, pos, p.body[1], p.body[1] + p.body[2]);
    if (p.index) pos += p.index[0].copy(out, pos, p.index[1], p.index[1] + p.index[2]);
  }
  out[pos++] = 10;
  return pos;
}

/** One whole line in a buffer of its own. */
export function frameLine(seq: number, lu: number, ops: OpRecord[], pieces: Pieces): Buffer {
  const header = frameHeader(seq, lu, ops, pieces);
  const out = Buffer.allocUnsafe(frameSize(header, pieces));
  writeFrame(out, 0, header, pieces);
  return out;
}

interface HeadOp {
  t: string;
  id: string;
  v: number;
  del?: true;
  jn?: number;
  xn?: number;
}

/**
 * Decodes one line (`buf[start, end)`, without its LF). Ops of framed lines carry their payloads as
 * `jb`/`xb` views into `buf` (valid only during the callback). Throws on anything malformed.
 */
export function decodeLine(buf: Buffer, start: number, end: number): TxRecord {
  const tab = buf.indexOf(TAB, start);
  if (tab < 0 || tab >= end) return JSON.parse(buf.toString('utf8', start, end)) as TxRecord;
  const head = JSON.parse(buf.toString('utf8', start, tab)) as { seq: number; lu: number; ops: HeadOp[] };
  if (typeof head.seq !== 'number' || !Array.isArray(head.ops)) throw new Error('not a journal record');
  let pos = tab + 1;
  const ops: OpRecord[] = head.ops.map((h) => {
    if (h.del) return { t: h.t, id: h.id, v: h.v, del: true };
    const op: OpRecord = { t: h.t, id: h.id, v: h.v, jb: buf.subarray(pos, (pos += h.jn ?? 0)) };
    if (h.xn !== undefined) op.xjb = buf.subarray(pos, (pos += h.xn));
    return op;
  });
  if (pos !== end) throw new Error('payload length does not match its header');
  return { seq: head.seq, lu: head.lu, ops };
}
