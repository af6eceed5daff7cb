import t from 'tap';
import type { Resource } from '@medplum/fhirtypes';
import { PreparePool } from '../../src/prepare/pool.js';
import { prepareResource } from '../../src/prepare/prepare.js';
import { generateGenomicData } from '../../scripts/seed-variants.js';

t.test('worker threads answer exactly what inline preparation answers, in order', async (t) => {
  const data: Resource[] = [...generateGenomicData({ variants: 400, patients: 4, seed: 3 })];
  // one broken Variant in the middle: a status outside the value set
  data[57] = { ...(data[57] as object), status: 'nonsense' } as unknown as Resource;
  const pool = new PreparePool(2);
  t.teardown(() => pool.close());
  const viaWorkers = await pool.prepareAll(data);
  const inline = data.map(prepareResource);
  t.equal(viaWorkers.length, data.length, 'one result per resource');
  t.same(viaWorkers, inline, 'same issues and indexes as inline, same order');
  t.ok(viaWorkers[57].issues.some((i) => i.severity === 'error' && /status/.test(i.diagnostics ?? '')), 'the broken one carries its error');
  t.equal(viaWorkers[57].indexJson, '', 'and no index');
  t.ok(JSON.parse(viaWorkers[58].indexJson)['gene-identifier'], 'a valid Variant carries its search index');
});

t.test('small batches are prepared inline, and a pool of size 0 never starts workers', async (t) => {
  const data: Resource[] = [...generateGenomicData({ variants: 10, patients: 1 })];
  const pool = new PreparePool(0);
  t.same(await pool.prepareAll(data), data.map(prepareResource));
  await pool.close();
});
