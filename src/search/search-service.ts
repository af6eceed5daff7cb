import type { Bundle, Resource } from '@medplum/fhirtypes';
import type { FhirContext } from '../fhir/context.js';
import type { Issue } from '../fhir/outcome.js';
import type { ResourceStore, SearchIndex, StoreTx, VersionRecord } from '../storage/types.js';
import { genomicIndex } from '../genomics/operations/genomic-index.js';

/**
 * The search facade the FHIR core calls. src/search owns everything behind it: index values
 * computed at write time, the query parser (AST), the compiler to a MongoDB query document,
 * includes, paging. (Initial version: `_id` and `_lastUpdated` only; the search engine replaces it.)
 */

/** Index values stored beside a resource, computed from the SearchParameter expressions. */
export function indexResource(resource: Resource): SearchIndex {
  // gx-* fields: the genomics operations' own index (src/genomics/operations/genomic-index.ts).
  return { _id: [resource.id], ...genomicIndex(resource) };
}

export interface SearchRequest {
  /** Absent for a system-level search (`GET /fhir?_type=…`). */
  resourceType?: string;
  query: Record<string, string[]>;
  /** `Prefer: handling=strict`: unknown parameters are errors instead of warnings. */
  strict: boolean;
  /** Restrict results (and includes) to one compartment, e.g. a patient-level token or `/Patient/p1/Observation`. */
  compartment?: { resourceType: 'Patient' | string; id: string };
  /** Base URL for `fullUrl` and links, e.g. `http://127.0.0.1:8080/fhir`. */
  baseUrl: string;
}

/** Runs a search and answers a `searchset` Bundle (paging links, includes, warnings). */
export async function searchBundle(_ctx: FhirContext, _req: SearchRequest): Promise<Bundle> {
  throw new Error('search engine not wired yet');
}

/**
 * Resolves a conditional request (`If-None-Exist`, conditional update/delete, conditional
 * references like `Patient?identifier=x|1`): returns up to `limit` current matches.
 * Runs inside the given transaction so the check and the write are atomic.
 */
export async function findConditionalMatches(
  _tx: StoreTx | ResourceStore,
  _resourceType: string,
  _queryString: string,
  _limit = 2,
): Promise<{ matches: VersionRecord[]; issues: Issue[] }> {
  throw new Error('search engine not wired yet');
}
