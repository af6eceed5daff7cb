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
  let out = `{"seq":${seq},"lu":${lu},"ops":[`;
  for (let i = 0; i < ops.length; i++) {
    const op = ops[i];
    const p = pieces[i];
    if (i) out += ',';
    // the same text JSON.stringify makes of { t, id, v, jn, xn } / { t, id, v, del: true }
    out += `{"t":${str(op.t)},"id":${str(op.id)},"v":${JSON.stringify(op.v)}`;
    if (op.del || !p.body) out += ',"del":true}';
    else out += p.index ? `,"jn":${p.body[2]},"xn":${p.index[2]}}` : `,"jn":${p.body[2]}}`;
  }
  return `${out}]}`;
}

/** Strings JSON.stringify escapes something in: quotes, backslashes, control characters, lone surrogates. */
const NEEDS_ESCAPE = /["\\\u0000-\u001f\ud800-\udfff]/;

function str(s: string): string {
  return NEEDS_ESCAPE.test(s) ? JSON.stringify(s) : `"${s}"`;
}

const NEWLINE = Buffer.from('\n');

/**
 * A line as the buffers it is made of, in order: the header (with its tab), then views of the
 * payloads where they lie (slabs, prepared batches), then the newline. Written with one gathered
 * write, so a commit's payload bytes are not copied a second time into a line; payloads that lie
 * back to back (a prepared batch written in order) share one view.
 */
export function frameParts(seq: number, lu: number, ops: OpRecord[], pieces: Pieces): Buffer[] {
  const out: Buffer[] = [Buffer.from(`${headerJson(seq, lu, ops, pieces)}\t`)];
  let buf: Buffer | undefined;
  let from = 0;
  let to = 0;
  const add = (p: Piece) => {
    if (p[0] === buf && p[1] === to) to += p[2];
    else {
      if (buf) out.push(buf.subarray(from, to));
      [buf, from, to] = [p[0], p[1], p[1] + p[2]];
    }
  };
  for (const p of pieces) {
    if (p.body) add(p.body);
    if (p.index) add(p.index);
  }
  if (buf) out.push(buf.subarray(from, to));
  out.push(NEWLINE);
  return out;
}

/**
 * An index record (records.ts `rx`): `{"seq":…,"lu":…,"rx":true,"ops":[{"t","id","v","xn"},…]}`,
 * a tab, then each op's new search index. Releases before it never read such a line as a version:
 * its sequence number is not the next one, so they skip it (covered by the snapshot) or refuse to
 * start ("Journal gap").
 */
export function frameIndexParts(seq: number, lu: number, ops: OpRecord[], indexes: Piece[]): Buffer[] {
  let head = `{"seq":${seq},"lu":${lu},"rx":true,"ops":[`;
  for (let i = 0; i < ops.length; i++) {
    const op = ops[i];
    head += `${i ? ',' : ''}{"t":${str(op.t)},"id":${str(op.id)},"v":${JSON.stringify(op.v)},"xn":${indexes[i][2]}}`;
  }
  const out: Buffer[] = [Buffer.from(`${head}]}\t`)];
  for (const [b, o, n] of indexes) out.push(b.subarray(o, o + n));
  out.push(NEWLINE);
  return out;
}

/** One whole line in a buffer of its own. */
export function frameLine(seq: number, lu: number, ops: OpRecord[], pieces: Pieces): Buffer {
  return Buffer.concat(frameParts(seq, lu, ops, pieces));
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
 * `jb`/`xjb` views into `buf`. Throws on anything malformed.
 */
export function decodeLine(buf: Buffer, start: number, end: number): TxRecord {
  const tab = buf.indexOf(TAB, start);
  if (tab < 0 || tab >= end) return JSON.parse(buf.toString('utf8', start, end)) as TxRecord;
  const head = JSON.parse(buf.toString('utf8', start, tab)) as { seq: number; lu: number; rx?: true; ops: HeadOp[] };
  if (typeof head.seq !== 'number' || !Array.isArray(head.ops)) throw new Error('not a journal record');
  let pos = tab + 1;
  if (head.rx === true) {
    const ops = head.ops.map((h): OpRecord => {
      if (typeof h.xn !== 'number') throw new Error('index record without an index');
      return { t: h.t, id: h.id, v: h.v, xjb: buf.subarray(pos, (pos += h.xn)) };
    });
    if (pos !== end) throw new Error('payload length does not match its header');
    return { seq: head.seq, lu: head.lu, rx: true, ops };
  }
  const ops: OpRecord[] = head.ops.map((h) => {
    if (h.del) return { t: h.t, id: h.id, v: h.v, del: true };
    const op: OpRecord = { t: h.t, id: h.id, v: h.v, jb: buf.subarray(pos, (pos += h.jn ?? 0)) };
    if (h.xn !== undefined) op.xjb = buf.subarray(pos, (pos += h.xn));
    return op;
  });
  if (pos !== end) throw new Error('payload length does not match its header');
  return { seq: head.seq, lu: head.lu, ops };
}
