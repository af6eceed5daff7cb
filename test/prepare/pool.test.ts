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
