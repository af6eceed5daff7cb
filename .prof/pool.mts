import { PreparePool } from '/work/main/src/prepare/pool.js';
import { generateGenomicData } from '/work/main/scripts/seed-variants.js';
const data = [...generateGenomicData({ variants: 300, patients: 3 })];
const pool = new PreparePool(2);
setTimeout(() => { console.log('TIMEOUT'); process.exit(1); }, 20000).unref();
const out = await pool.prepareAll(data);
console.log(out.length, out[1].indexJson.length, out[1].issues.length);
await pool.close();
