import type { Resource } from '@medplum/fhirtypes';

/**
 * The stored body of a new version: the store's own `meta.versionId` and `meta.lastUpdated`
 * replace whatever the client sent (https://hl7.org/fhir/R4/resource.html#Meta), keys in a
 * stable order, the caller's object untouched. Shared by both adapters.
 */
export function storedJson(resource: Resource & { id: string }, versionId: number, lastUpdated: string): string {
  const { resourceType, id, meta, ...rest } = resource;
  return JSON.stringify({ resourceType, id, meta: { ...meta, versionId: String(versionId), lastUpdated }, ...rest });
}
