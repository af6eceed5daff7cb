import t from 'tap';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { readLines } from '../../src/genomics/vcf/line-reader.js';
import { FhirError } from '../../src/fhir/errors.js';

// A long line arrives in many chunks (a 40 MiB header line is 40 KB gzipped): its end is searched
// chunk by chunk and the line joined once (it was re-scanned per chunk: 80 s for 40 MiB).
const lines = async (body: Buffer) => {
  const out: string[] = [];
  for await (const l of readLines(Readable.from([body])).lines) out.push(l);
  return out;
};

/**
 * Characters `run` has String.prototype.indexOf look through for a line end: the reader finds
 * line ends with it, and the quadratic reader re-scanned the whole unfinished line per chunk.
 * Counted, not timed: a count does not flake on a loaded machine.
 */
async function scanned<T>(run: () => Promise<T>): Promise<{ result: T; chars: number }> {
  const indexOf = String.prototype.indexOf;
  let chars = 0;
  String.prototype.indexOf = function (this: string, search: string, from?: number) {
    if (search === '\n') chars += this.length - Math.max(0, Math.min(from ?? 0, this.length));
    return indexOf.call(this, search, from);
  };
  try {
    return { result: await run(), chars };
  } finally {
    String.prototype.indexOf = indexOf;
  }
}

t.test('lines spanning many chunks come out whole, in linear time', async (t) => {
  const long = 'A'.repeat(24 * 2 ** 20);
  const text = `##x=${long}\n##fileformat=VCFv4.2\r\nmid\nlast`;
  const { result: got, chars } = await scanned(() => lines(gzipSync(Buffer.from(text))));
  t.same(got.map((l) => l.length), [long.length + 4, 20, 3, 4]);
  t.equal(got[0], `##x=${long}`);
  // Each character is looked at about once (about 1,500 chunks of 16 KiB: the quadratic reader
  // scanned some 19 billion). At least once, or the count no longer sees how the reader searches.
  t.ok(chars >= long.length && chars <= 2 * text.length, `${chars} characters scanned for ${text.length}`);
  // many short lines across chunk boundaries, CRLF split between chunks
  const parts = [Buffer.from('a\r'), Buffer.from('\nbb'), Buffer.from('b\nc'), Buffer.from('\n')];
  const out: string[] = [];
  for await (const l of readLines(Readable.from(parts)).lines) out.push(l);
  t.same(out, ['a', 'bbb', 'c']);
});

t.test('a line longer than 64 MiB is refused (400), not held', async (t) => {
  const body = gzipSync(Buffer.from(`##x=${'A'.repeat(65 * 2 ** 20)}\n`));
  const err = await lines(body).then(() => undefined, (e: unknown) => e);
  t.ok(err instanceof FhirError && err.status === 400, String(err));
  t.match((err as Error).message, /longer than 64 MiB/);
});
