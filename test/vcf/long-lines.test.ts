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

t.test('lines spanning many chunks come out whole, in linear time', async (t) => {
  const long = 'A'.repeat(24 * 2 ** 20);
  const started = performance.now();
  const got = await lines(gzipSync(Buffer.from(`##x=${long}\n##fileformat=VCFv4.2\r\nmid\nlast`)));
  t.same(got.map((l) => l.length), [long.length + 4, 20, 3, 4]);
  t.equal(got[0], `##x=${long}`);
  // (a bound far above what it takes; the quadratic reader took tens of seconds)
  t.ok(performance.now() - started < 10_000, `in ${Math.round(performance.now() - started)} ms`);
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
