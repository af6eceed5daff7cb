import { createGunzip } from 'node:zlib';
import { StringDecoder } from 'node:string_decoder';
import type { Readable } from 'node:stream';
import { fhirError } from '../../fhir/errors.js';
import { BgzfEofCheck } from './bgzf.js';

/**
 * Streams the lines of a VCF, plain or gzip/bgzip. BGZF (https://samtools.github.io/hts-specs/SAMv1.pdf
 * section 4.1) is a series of gzip members; Node's gunzip keeps decoding after the end of a member,
 * so every block is read (test/vcf checks the line count against the whole file); BGZF input must end
 * with its end-of-file block, else it was truncated (see bgzf.ts). Only one chunk
 * and one partial line are held at a time, so memory does not grow with the file.
 */
export interface LineSource {
  /** Yields lines without their terminator (`\n` or `\r\n`). */
  lines: AsyncIterable<string>;
  /** Bytes consumed from the (possibly compressed) input so far, for progress. */
  bytesRead(): number;
}

const GZIP_MAGIC = [0x1f, 0x8b];
/** Longest line read (characters): VCF lines of 100,000 samples are a few MB; a longer one is not data. */
const MAX_LINE_CHARS = 64 * 2 ** 20;

export function readLines(input: Readable): LineSource {
  let consumed = 0;
  async function* gen(): AsyncGenerator<string> {
    const raw = input[Symbol.asyncIterator]() as AsyncIterator<Buffer | string>;
    const first = await raw.next();
    if (first.done) return;
    const head = toBuffer(first.value);
    const gz = head.length >= 2 && head[0] === GZIP_MAGIC[0] && head[1] === GZIP_MAGIC[1];
    let chunks: AsyncIterable<Buffer>;
    if (gz) {
      const gunzip = createGunzip();
      const eof = new BgzfEofCheck();
      eof.push(head);
      // Feed the raw stream into gunzip with backpressure; errors surface through the iterator.
      void (async () => {
        try {
          if (!gunzip.write(head)) await new Promise((r) => gunzip.once('drain', r));
          for (let n = await raw.next(); !n.done; n = await raw.next()) {
            const b = toBuffer(n.value);
            eof.push(b);
            if (!gunzip.write(b)) await new Promise((r) => gunzip.once('drain', r));
          }
          gunzip.end();
        } catch (e) {
          gunzip.destroy(e as Error);
        }
      })();
      chunks = (async function* () {
        try {
          for await (const c of gunzip) yield c as Buffer;
        } catch (e) {
          // a damaged or cut-off upload is the client's input, not a server fault
          const code = (e as { code?: string }).code;
          if (code?.startsWith('Z_')) throw fhirError('BAD_REQUEST', `The gzip data is damaged or truncated (${code}: ${(e as Error).message})`);
          throw e;
        }
        // gunzip ends only after the feeder wrote the last byte, so the check has seen the whole file.
        if (eof.truncated()) throw fhirError('BAD_REQUEST', 'The BGZF (bgzip) data is truncated: its end-of-file block is missing');
      })();
    } else {
      chunks = (async function* () {
        yield head;
        for (let n = await raw.next(); !n.done; n = await raw.next()) yield toBuffer(n.value);
      })();
    }
    const dec = new StringDecoder('utf8');
    // The unfinished line, in pieces: a long line (a header of 40 MB in a 40 KB gzip) is searched
    // for its end one chunk at a time and joined once, not re-scanned and re-copied per chunk.
    let pending: string[] = [];
    let pendingLength = 0;
    let bomChecked = false;
    for await (const chunk of chunks) {
      let text = dec.write(chunk);
      // A UTF-8 byte order mark (Windows editors write one) is not part of the first line: left in,
      // `##fileformat` and `#CHROM` would not be recognized.
      if (!bomChecked && text.length) {
        bomChecked = true;
        if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
      }
      let nl = text.indexOf('\n');
      if (nl < 0) {
        pending.push(text);
        pendingLength += text.length;
        if (pendingLength > MAX_LINE_CHARS) throw fhirError('BAD_REQUEST', `A line of the VCF is longer than ${MAX_LINE_CHARS / 2 ** 20} MiB: this is not a VCF this server reads`);
        continue;
      }
      if (pending.length) {
        pending.push(text);
        text = pending.join('');
        nl += pendingLength;
        pending = [];
        pendingLength = 0;
      }
      let start = 0;
      for (; nl >= 0; nl = text.indexOf('\n', start)) {
        const end = nl > start && text.charCodeAt(nl - 1) === 13 ? nl - 1 : nl;
        yield text.slice(start, end);
        start = nl + 1;
      }
      const tail = text.slice(start);
      if (tail) {
        pending.push(tail);
        pendingLength = tail.length;
      }
    }
    let rest = pending.join('') + dec.end();
    if (rest.endsWith('\r')) rest = rest.slice(0, -1);
    if (rest) yield rest;
  }
  return { lines: gen(), bytesRead: () => consumed };

  function toBuffer(v: Buffer | string): Buffer {
    const b = typeof v === 'string' ? Buffer.from(v, 'utf8') : v;
    consumed += b.length;
    return b;
  }
}
