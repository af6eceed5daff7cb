import { indexResource } from '/work/main/src/search/search-service.js';
import { validateResource } from '/work/main/src/validation/validate.js';
import { generateGenomicData } from '/work/main/scripts/seed-variants.js';
const data = [...generateGenomicData({ variants: 20000, patients: 200 })];
const which = process.env.W ?? 'both';
for (let k = 0; k < 3; k++) {
  const t = performance.now();
  for (const r of data) { if (which !== 'index') validateResource(r); if (which !== 'validate') JSON.stringify(indexResource(r)); }
  console.log(which, ((performance.now() - t) * 1000 / data.length).toFixed(1), 'µs/resource');
}
