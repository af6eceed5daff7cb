import t from 'tap';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { FhirError } from '../../src/fhir/errors.js';
import { BGZF_EOF } from '../../src/genomics/vcf/bgzf.js';
import { importVcf } from '../../src/genomics/vcf/import.js';
import { bgzfBlocks, newStore, readAll } from './helpers.js';

const HEAD = '##fileformat=VCFv4.2\n##reference=GRCh38\n#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\tS1\n';
const TEXT = HEAD + Array.from({ length: 40 }, (_, i) => `chr1\t${1000 + i}\t.\tA\tG\t50\tPASS\t.\tGT\t0/1`).join('\n') + '\n';
// Small chunks: the EOF block may arrive split across reads.
const chunked = (b: Buffer) => Readable.from(Array.from({ length: Math.ceil(b.length / 13) }, (_, i) => b.subarray(i * 13, i * 13 + 13)));

t.test('BGZF with its end-of-file block imports every line', async (t) => {
  const store = await newStore();
  t.teardown(() => store.close());
  const s = await importVcf(store, chunked(Buffer.concat([...bgzfBlocks(TEXT), BGZF_EOF])), { patient: 'p1' });
  t.equal(s.variants, 40);
});

t.test('BGZF cut at a block boundary (no end-of-file block) is refused as truncated, nothing stored', async (t) => {
  const store = await newStore();
  t.teardown(() => store.close());
  const blocks = bgzfBlocks(TEXT);
  t.ok(blocks.length > 3);
  for (const payload of [Buffer.concat(blocks.slice(0, 3)), Buffer.concat(blocks)]) {
    const err = await importVcf(store, chunked(payload), { patient: 'p1' }).catch((e: unknown) => e);
    t.ok(err instanceof FhirError && err.status === 400, 'a 400 refusal');
    t.match((err as Error).message, /BGZF \(bgzip\) data is truncated: its end-of-file block is missing/);
  }
  t.same(await readAll(store, 'Observation'), [], 'nothing stored');
});

t.test('plain gzip has no end-of-file block and needs none', async (t) => {
  const store = await newStore();
  t.teardown(() => store.close());
  t.equal((await importVcf(store, Readable.from([gzipSync(TEXT)]), { patient: 'p1' })).variants, 40);
});
