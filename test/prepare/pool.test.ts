import t from 'tap';
import type { Resource } from '@medplum/fhirtypes';
import { PreparePool } from '../../src/prepare/pool.js';
import { prepareResource, type Prepared } from '../../src/prepare/prepare.js';
import { generateGenomicData } from '../../scripts/seed-variants.js';
import { testConfig } from '../../src/config.js';
/** The test servers' base URL (testConfig): the own base indexing is told. */
const BASE = testConfig().baseUrl;

/** What `prepareResource` answers: issues and index JSON (the packed form is tested with the store). */
const plain = (p: Prepared) => ({ issues: p.issues, indexJson: p.indexJson });

t.test('worker threads answer exactly what inline preparation answers, in order', async (t) => {
  const data: Resource[] = [...generateGenomicData({ variants: 400, patients: 4, seed: 3 })];
  // one broken Variant in the middle: a status outside the value set
  data[57] = { ...(data[57] as object), status: 'nonsense' } as unknown as Resource;
  const pool = new PreparePool(2);
  t.teardown(() => pool.close());
  const viaWorkers = await pool.prepareAll(data, BASE);
  const inline = data.map((r) => prepareResource(r, BASE));
  t.equal(viaWorkers.length, data.length, 'one result per resource');
  t.same(viaWorkers.map(plain), inline, 'same issues and indexes as inline, same order');
  t.ok(viaWorkers.every((p, i) => (i === 57) === (p.packed === undefined)), 'every valid resource carries its packed write');
  t.ok(viaWorkers[57].issues.some((i) => i.severity === 'error' && /status/.test(i.diagnostics ?? '')), 'the broken one carries its error');
  t.equal(viaWorkers[57].indexJson, '', 'and no index');
  t.ok(JSON.parse(viaWorkers[58].indexJson)['gene-identifier'], 'a valid Variant carries its search index');
});

t.test('small batches are prepared inline, and a pool of size 0 never starts workers', async (t) => {
  const data: Resource[] = [...generateGenomicData({ variants: 10, patients: 1 })];
  const pool = new PreparePool(0);
  const out = await pool.prepareAll(data, BASE);
  t.same(out.map(plain), data.map((r) => prepareResource(r, BASE)));
  t.ok(out.every((p) => p.packed), 'packed inline too');
  await pool.close();
});

t.test('once the workers run, small batches go to them too (an import\'s report is not prepared on the main thread)', async (t) => {
  const data: Resource[] = [...generateGenomicData({ variants: 200, patients: 2, seed: 5 })];
  const pool = new PreparePool(2);
  t.teardown(() => pool.close());
  const small = data.slice(0, 8);
  await pool.prepareAll(small, BASE);
  t.equal(pool.inline.resources, 8, 'before the workers run: inline');
  await pool.prepareAll(data, BASE); // starts them
  const out = await pool.prepareAll(small, BASE);
  t.equal(pool.inline.resources, 8, 'after: on the workers');
  t.same(out.map(plain), small.map((r) => prepareResource(r, BASE)), 'with the same answers');
  t.ok(out.every((p) => p.packed), 'packed');
});

t.test('index terms built on a worker equal those built inline, from shared or plain memory', async (t) => {
  const { termsOfBytes } = await import('../../src/prepare/terms-of-bytes.js');
  const { indexResource } = await import('../../src/search/search-service.js');
  const data: Resource[] = [...generateGenomicData({ variants: 50, patients: 1, seed: 4 })];
  const jsons = data.map((r) => Buffer.from(JSON.stringify(indexResource(r, BASE))));
  const total = jsons.reduce((n, b) => n + b.length, 0);
  const spans = new Int32Array(3 * jsons.length);
  const fill = (buf: Uint8Array) => {
    let at = 0;
    jsons.forEach((b, i) => {
      buf.set(b, at);
      spans.set([0, at, b.length], 3 * i);
      at += b.length;
    });
  };
  const shared = new SharedArrayBuffer(total);
  fill(new Uint8Array(shared));
  const plain = new ArrayBuffer(total);
  fill(new Uint8Array(plain));
  const types = data.map((r) => r.resourceType);
  const inline = termsOfBytes(types, [plain], spans);
  const pool = new PreparePool(1);
  t.teardown(() => pool.close());
  const arrays = (x: { key: Int32Array; post: Int32Array; res: Int32Array; words: Int32Array; rng: Float64Array; strings: string[] }) => [x.key, x.post, x.res, x.words, x.rng].map((a) => [...a]).concat([x.strings as never]);
  t.same(arrays(await pool.termsOf(types, [shared], spans)), arrays(inline), 'shared memory');
  t.same(arrays(await pool.termsOf(types, [plain], spans)), arrays(inline), 'a plain buffer (copied by postMessage)');
  t.equal(new Uint8Array(plain)[0], jsons[0][0], 'the plain buffer is still the caller\'s');
});

t.test('VCF lines mapped on workers answer what mapping them inline answers, with each import\'s context', async (t) => {
  const { mapLines } = await import('../../src/genomics/vcf/map-lines.js');
  const { unpackChunk } = await import('../../src/prepare/prepare.js');
  const ctx = (patient: string) => ({
    patient, build: 'GRCh38' as const, sample: 'S1', sampleCount: 1, sampleIndex: 0, contigLengths: new Map<string, number | undefined>(),
    adNumber: 'R', afNumber: 'A', source: 'germline' as const, includeFiltered: false,
    annotations: new Map([['1:1010:A:G', { clinicalSignificance: 'Pathogenic' }]]),
  });
  // calls, a phased call, a skipped (filtered) record and two malformed lines among 700
  const texts = Array.from({ length: 700 }, (_, i) =>
    i === 123 ? 'chr1\tx\t.\tA\tG\t50\tPASS\t.\tGT\t0/1' : i === 450 ? 'chr1\t1000\t.\tA\tG\t50\tPASS\t.\tGT\t0/3' : `chr1\t${1000 + i * 10}\t.\tA\tG\t50\t${i % 9 ? 'PASS' : 'q10'}\t.\tGT\t${i % 2 ? '0|1' : '1/1'}`);
  const lineNos = texts.map((_, i) => 10 + i);
  const pool = new PreparePool(2);
  t.teardown(() => pool.close());
  // (the packed bytes hold unfilled room: compared as the bodies and indexes they give)
  const strip = (m: ReturnType<typeof mapLines>) => ({
    lines: m.lines, issues: m.chunk.issues, ids: m.chunk.batch.ids, json: m.json,
    bodies: unpackChunk(m.chunk).map((p) => [p.storedJson?.(1, '2026-01-01T00:00:00.000Z'), p.indexJson]),
  });
  for (const patient of ['p1', 'p2', 'p1']) {
    const viaWorkers = await pool.mapVcfLines(ctx(patient), texts, lineNos);
    t.ok(viaWorkers.length > 1, `${patient}: sent in chunks`);
    const lines = viaWorkers.flatMap((m) => m.lines);
    t.same(lines, mapLines(ctx(patient), texts, lineNos).lines, `${patient}: same outcome per line, in order`);
    let at = 0;
    for (const m of viaWorkers) {
      t.same(strip(m), strip(mapLines(ctx(patient), texts.slice(at, at + m.lines.length), lineNos.slice(at, at + m.lines.length))), `${patient}: chunk at line ${at}: same resources, packed alike`);
      at += m.lines.length;
    }
    t.same([lines[123].error, lines[450].error?.line], [{ line: 133, reason: "POS 'x' is not a non-negative integer" }, 460], 'malformed lines answered with their line and reason');
    t.ok(viaWorkers.every((m) => m.chunk.batch.ids.every((id) => id.startsWith('vcf-') || id.startsWith('vcfdx-'))), 'resources are Variants and implications');
  }
});

t.test('with FHIR_PREPARE_HEAP_STATS=1 each worker reports its heap peak (the import memory bench reads them)', async (t) => {
  const data: Resource[] = [...generateGenomicData({ variants: 400, patients: 2, seed: 6 })];
  const before = process.env.FHIR_PREPARE_HEAP_STATS;
  process.env.FHIR_PREPARE_HEAP_STATS = '1'; // read by each worker when it starts (it inherits the environment)
  const pool = new PreparePool(2);
  t.teardown(async () => {
    await pool.close();
    if (before === undefined) delete process.env.FHIR_PREPARE_HEAP_STATS;
    else process.env.FHIR_PREPARE_HEAP_STATS = before;
  });
  t.same(pool.heapPeaks(), [], 'nothing before any work');
  await pool.prepareAll(data, BASE);
  const peaks = pool.heapPeaks();
  t.ok(peaks.length >= 1 && peaks.length <= 2, `one peak per worker that worked (${peaks.length})`);
  // a worker that compiled the validators and prepared resources holds megabytes, not nothing
  t.ok(peaks.every((p) => p.physical > 5e6 && p.used > 1e6 && p.used <= p.physical), JSON.stringify(peaks));
  const unset = new PreparePool(1);
  t.teardown(() => unset.close());
  delete process.env.FHIR_PREPARE_HEAP_STATS;
  await unset.prepareAll(data, BASE);
  t.same(unset.heapPeaks(), [], 'off by default: no samples');
});
