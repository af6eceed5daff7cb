import { readFileSync } from 'node:fs';

/**
 * The 146 concrete resource types of FHIR R4 4.0.1 (https://hl7.org/fhir/R4/resourcelist.html),
 * generated into schemas/r4/resource-types.json by `npm run generate:schemas` from the R4
 * definitions, without Medplum's own types. Read once at import: the file is small.
 */
export const RESOURCE_TYPES: readonly string[] = Object.freeze(
  JSON.parse(readFileSync(new URL('../../schemas/r4/resource-types.json', import.meta.url), 'utf8')) as string[],
);

const SET: ReadonlySet<string> = new Set(RESOURCE_TYPES);

export function isResourceType(name: unknown): name is string {
  return typeof name === 'string' && SET.has(name);
}
