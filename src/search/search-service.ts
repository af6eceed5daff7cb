import type { Bundle, Resource } from '@medplum/fhirtypes';
import type { FhirContext } from '../fhir/context.js';
import type { Issue } from '../fhir/outcome.js';
import type { ResourceStore, SearchIndex, StoreTx, VersionRecord } from '../storage/types.js';
import { andAll, buildFilter } from './build-filter.js';
import { runSearch } from './execute.js';
import { indexWith } from './index-resource.js';
import { takeComponentTable } from './observation-components.js';
import { genomicIndexInto } from '../genomics/operations/genomic-index.js';
import { parseClause, parseSearch } from './parse.js';
import { compartmentFilter, inPatientCompartment } from './compartment.js';
import { capabilityParamsFor, searchParameterIds, searchParameterResource } from './registry.js';
import { GENOMIC_REGION_URL } from './genomics-params.js';
import { paramsOf } from '../fhir/query-params.js';

/**
 * The search facade the FHIR core calls. src/search owns everything behind it: index values
 * computed at write time (index-resource.ts), the parser (parse.ts) and compiler to a MongoDB
 * query document (compile.ts), chains (build-filter.ts), includes and paging (execute.ts).
 */

/**
 * Index values stored beside a resource, computed from the SearchParameter expressions.
 * `ownBase` is the configured BASE_URL (config.baseUrl), never a request's Host: it decides which
 * absolute references are local (`{ownBase}/Patient/p1` is Patient/p1, another base's is not), so
 * the index is the same on every thread and instance. Resources the server builds itself with
 * relative references only may pass RELATIVE_REFS_ONLY.
 */
export function indexResource(resource: Resource, ownBase: string): SearchIndex {
  // gx-* fields: the genomics operations' own index (src/genomics/operations/genomic-index.ts),
  // from the Observation components as computeIndex filed them.
  return indexWith(resource, ownBase, (put) => genomicIndexInto(resource, ownBase, put, takeComponentTable(resource)));
}

/** indexResource's ownBase for resources whose references are all relative (VCF mapping, AuditEvents). */
export const RELATIVE_REFS_ONLY = '';

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
  /** A system-level search confined to these types (what the caller may search). */
  allowedTypes?: string[];
  /**
   * The caller sees only `compartment` (a patient-level token): every level of a chain or `_has`
   * then searches only inside it too. A compartment search by an unconfined caller
   * (`/Patient/p1/Observation?subject.…`) restricts its matches only, as FHIR defines.
   */
  confined?: boolean;
  /**
   * Where each returned resource (matches and includes) is noted as stored, before `_summary` or
   * `_elements` trims it: the audit names its patients, and a subset may lack the `subject` that does.
   */
  touched?: Array<string | Resource>;
  /**
   * Whether the caller may see a resource, judged whole (before `_summary`/`_elements`): an
   * `_include`d or `_revinclude`d one it may not read is left out, wherever the search runs (a
   * batch or transaction GET entry too, which no response filter sees).
   */
  visible?: (resource: Resource) => boolean;
}

/** Runs a search and answers a `searchset` Bundle (paging links, includes, warnings). */
export async function searchBundle(ctx: FhirContext, req: SearchRequest): Promise<Bundle> {
  return runSearch(ctx, req);
}

const NO_CRITERIA: Issue = {
  severity: 'error', code: 'invalid',
  diagnostics: 'A conditional request needs search criteria: result parameters such as _sort, _count, _summary or _include select nothing',
};

/**
 * Resolves a conditional request (`If-None-Exist`, conditional update/delete, conditional
 * references like `Patient?identifier=x|1`): returns up to `limit` current matches.
 * Runs inside the given transaction so the check and the write are atomic. Unknown parameters are
 * errors here: ignoring one would widen the match (https://hl7.org/fhir/R4/http.html#ccreate).
 * `patient`: only matches inside that patient's compartment count (the caller's patient-level token).
 */
export async function findConditionalMatches(
  tx: StoreTx | ResourceStore,
  resourceType: string,
  queryString: string,
  limit = 2,
  patient?: string,
): Promise<{ matches: VersionRecord[]; issues: Issue[] }> {
  const query = paramsOf(queryString.replace(/^\?/, ''));
  const parsed = parseSearch(resourceType, query, 'refuse');
  const issues: Issue[] = parsed.issues;
  if (issues.length) return { matches: [], issues };
  // Result parameters (_sort, _count, _summary, _include …) select nothing: criteria made of them
  // alone would match every resource of the type, as an empty query would.
  if (!parsed.clauses.length) return { matches: [], issues: [NO_CRITERIA] };
  // a patient-level caller matches only inside its compartment: a match elsewhere must neither
  // count nor be named (it would tell the caller what another patient's record holds)
  if (patient !== undefined && !inPatientCompartment(resourceType)) return { matches: [], issues };
  const restrict = patient === undefined ? undefined
    : (type: string) => (inPatientCompartment(type) ? compartmentFilter(type, { resourceType: 'Patient', id: patient }) : undefined);
  let filter = await buildFilter(tx, resourceType, parsed.clauses, '', restrict);
  if (restrict) filter = andAll([filter, restrict(resourceType)!]);
  const res = await tx.search({ types: [resourceType], filter, limit });
  return { matches: res.records, issues };
}

/**
 * The resource types a query searches besides its own: chain targets (`subject:Patient.name`,
 * every level) and `_has` types. The caller needs search rights on them too: a chain answers
 * questions about the resources it goes through.
 */
export function reachedTypes(resourceType: string | undefined, query: Record<string, string[]>): string[] {
  const out = new Set<string>();
  const walk = (type: string, key: string, value: string, depth: number) => {
    if (depth > 8) return;
    const c = parseClause(type, key, value);
    if (c?.kind === 'chain') {
      for (const t of c.targetTypes) {
        out.add(t);
        walk(t, c.rest, value, depth + 1);
      }
    } else if (c?.kind === 'has') {
      out.add(c.type);
      walk(c.type, c.rest, value, depth + 1);
    }
  };
  for (const [key, values] of Object.entries(query)) {
    if (!key.includes('.') && !key.startsWith('_has:')) continue;
    for (const v of values) walk(resourceType ?? 'Resource', key, v, 0);
  }
  return [...out];
}

/** Search parameters per type for the CapabilityStatement (name, type, definition, documentation). */
export function capabilitySearchParams(resourceType: string) {
  return capabilityParamsFor(resourceType);
}

/** `GET /fhir/SearchParameter/{id}`: the SearchParameter resources the server implements. */
export function getSearchParameter(id: string): Resource | undefined {
  return searchParameterResource(id) as Resource | undefined;
}
export function listSearchParameterIds(): string[] {
  return searchParameterIds();
}
export { GENOMIC_REGION_URL };

export { searchIndexFields } from './mongo-index-fields.js';
export { includeValues, revIncludeValues } from './includes.js';
