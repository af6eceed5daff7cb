import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EmbeddedStore } from '/work/main/src/storage/embedded/embedded-store.js';
import { indexResource } from '/work/main/src/search/search-service.js';
import { validateResource } from '/work/main/src/validation/validate.js';
import { generateGenomicData } from '/work/main/scripts/seed-variants.js';
const N = Number(process.env.N ?? 20000);
const data = [...generateGenomicData({ variants: N, patients: N / 100 })];
console.log('resources', data.length);
// warm
for (const r of data.slice(0, 500)) { validateResource(r); indexResource(r); }
let t = performance.now();
for (const r of data) validateResource(r);
let dt = performance.now() - t; console.log('validate', (data.length / dt * 1000).toFixed(0), '/s');
t = performance.now();
const idx = data.map((r) => indexResource(r));
dt = performance.now() - t; console.log('index', (data.length / dt * 1000).toFixed(0), '/s');
t = performance.now();
let bytes = 0; for (const r of data) bytes += JSON.stringify(r).length;
dt = performance.now() - t; console.log('stringify', (data.length / dt * 1000).toFixed(0), '/s', 'avg bytes', bytes / data.length);
let xb = 0; for (const x of idx) xb += JSON.stringify(x).length; console.log('index json avg', xb / idx.length);
console.log(JSON.stringify(idx[1]).slice(0, 3000));
const store = new EmbeddedStore(mkdtempSync(join(tmpdir(), 'p-')), { fsync: true });
await store.init();
const m0 = process.memoryUsage().rss;
t = performance.now();
for (let i = 0; i < data.length; i += 2000) {
  const part = data.slice(i, i + 2000);
  await store.transaction(async (tx) => { for (let j = 0; j < part.length; j++) await tx.put(part[j], idx[i + j]); }, { multi: true });
}
dt = performance.now() - t; console.log('store', (data.length / dt * 1000).toFixed(0), '/s', 'rss growth MB', ((process.memoryUsage().rss - m0) / 1e6).toFixed(0));
await store.close();
