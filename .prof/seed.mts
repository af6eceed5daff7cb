import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EmbeddedStore } from '/work/main/src/storage/embedded/embedded-store.js';
import { generateGenomicData, seedStore } from '/work/main/scripts/seed-variants.js';
const N = Number(process.env.N ?? 100000);
const store = new EmbeddedStore(mkdtempSync(join(tmpdir(), 'p-')), { fsync: true });
await store.init();
const gen = generateGenomicData({ variants: N, patients: N / 100 });
let t = performance.now(); const t0 = t;
let total = 0;
while (true) {
  const chunk: any[] = [];
  for (let it = gen.next(); !it.done; it = gen.next()) { chunk.push(it.value); if (chunk.length >= 20000) break; }
  if (!chunk.length) break;
  await seedStore(store, chunk, Number(process.env.B ?? 2000));
  total += chunk.length;
  const now = performance.now();
  console.log(total, 'chunk rate', (chunk.length / (now - t) * 1000).toFixed(0), 'rss MB', (process.memoryUsage().rss / 1e6).toFixed(0), 'heap MB', (process.memoryUsage().heapUsed / 1e6).toFixed(0));
  t = now;
}
console.log('overall', (total / (performance.now() - t0) * 1000).toFixed(0), '/s', JSON.stringify(store.stats()));
console.log("wait", (globalThis as any).WAIT, "store", (globalThis as any).STORE);
await store.close();
