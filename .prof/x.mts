import { indexResource } from '/work/main/src/search/search-service.js';
import { generateGenomicData } from '/work/main/scripts/seed-variants.js';
const data = [...generateGenomicData({ variants: 30, patients: 1 })];
const x = indexResource(data[2]) as Record<string, unknown[]>;
for (const [k, v] of Object.entries(x)) console.log(k, v.length, JSON.stringify(v).length);
console.log(JSON.stringify(indexResource(data.find((r) => r.resourceType === 'DiagnosticReport')!)).length);
