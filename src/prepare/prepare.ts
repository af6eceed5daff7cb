import type { Resource } from '@medplum/fhirtypes';
import type { Issue } from '../fhir/outcome.js';
import { indexResource } from '../search/search-service.js';
import { hasErrors, validateResource } from '../validation/validate.js';

/**
 * What a resource needs before it can be stored: its validation issues and, when it is valid,
 * its search index serialized (what the embedded store keeps and journals). Pure and
 * self-contained, so worker threads can run it for bulk loads (pool.ts).
 */
export interface Prepared {
  issues: Issue[];
  /** JSON of indexResource(resource); empty when the issues hold an error. */
  indexJson: string;
}

export function prepareResource(resource: Resource): Prepared {
  const issues = validateResource(resource);
  if (hasErrors(issues)) return { issues, indexJson: '' };
  return { issues, indexJson: JSON.stringify(indexResource(resource)) };
}
