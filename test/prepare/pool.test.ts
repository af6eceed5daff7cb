import t from 'tap';
import type { Resource } from '@medplum/fhirtypes';
import { PreparePool } from '../../src/prepare/pool.js';
import { prepareResource, type Prepared } from '../../src/prepare/prepare.js';
import { generateGenomicData } from '../../scripts/seed-variants.js';

/** What `prepareResource` answers: issues and index JSON (the packed form is tested with the store). */
const plain = (p: Prepared) => ({ issues: p.issues, indexJson: p.indexJson });

t.test('worker threads answer exactly what inline preparation answers, in order', async (t) => {
  const data: Resource[] = [...generateGenomicData({ variants: 400, patients: 4, seed: 3 })];
  // one broken Variant in the middle: a status outside the value set
  data[57] = { ...(data[57] as object), status: 'nonsense' } as unknown as Resource;
  const pool = new PreparePool(2);
  t.teardown(() => pool.close());
  const viaWorkers = await pool.prepareAll(data);
  const inline = data.map(prepareResource);
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
  const out = await pool.prepareAll(data);
  t.same(out.map(plain), data.map(prepareResource));
  t.ok(out.every((p) => p.packed), 'packed inline too');
  await pool.close();
});
