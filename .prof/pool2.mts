import { PreparePool } from '/work/main/src/prepare/pool.js';
import { prepareResource } from '/work/main/src/prepare/prepare.js';
import { generateGenomicData } from '/work/main/scripts/seed-variants.js';
const data = [...generateGenomicData({ variants: 20000, patients: 200 })];
const th = Number(process.env.T ?? 2);
const pool = new PreparePool(th);
for (let k = 0; k < 4; k++) {
  const t = performance.now();
  if (th === 0) data.map(prepareResource); else await pool.prepareAll(data);
  console.log('threads', th, 'round', k, ((performance.now() - t) * 1000 / data.length).toFixed(1), 'µs/resource wall');
}
await pool.close();
