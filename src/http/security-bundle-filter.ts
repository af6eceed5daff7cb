import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Bundle, Resource } from '@medplum/fhirtypes';
import { canSee, mayReadType } from '../auth/authorize.js';
import { parseFhirJson, stringifyFhir } from '../fhir/json-decimals.js';
import type { ResourceStore } from '../storage/types.js';

/**
 * Last line of defense on Bundles leaving the server: entries the caller may not see (type not
 * covered by its scopes, or outside a patient token's compartment) are dropped. The search
 * engine already confines matches and includes to the compartment; this also enforces the type
 * scopes on `_include`/`_revinclude` targets (a `system/DiagnosticReport.rs` token does not get
 * Observations by including them) and guards operation outputs. It only parses responses that
 * can carry such resources: requests with include parameters, `$` operations, and every Bundle
 * answered to a patient-level token; plain searches and reads keep the fast path.
 *
 * A subsetted resource (`_elements`, `_summary=text`) may lack the very elements that put it in
 * the compartment (`subject`), so it is judged by its stored version instead: judged as trimmed,
 * a patient app's `Observation?_elements=status` lost every match.
 */
/** `GET /fhir?…` and `/fhir/_search`: results of any type. */
const SYSTEM_SEARCH = /^\/fhir\/?(\?|$|_search)/;
/** `/fhir/Patient/p1/*` and `/fhir/Patient/p1/_search`: every type of a compartment. */
const COMPARTMENT_ALL = /^\/fhir\/[A-Za-z]+\/[^/?]+\/(\*|_search)(\?|$)/;
const BUNDLE = /^\s*\{\s*"resourceType"\s*:\s*"Bundle"/;

function needsFilter(request: FastifyRequest): boolean {
  if (!request.auth) return false;
  if (request.auth.patient !== undefined) return true;
  const url = request.url;
  if (url.includes('$') || /[?&](_include|_revinclude|_type)/.test(url) || SYSTEM_SEARCH.test(url) || COMPARTMENT_ALL.test(url)) return true;
  return typeof request.body === 'string' && /(^|&)_(rev)?include/.test(request.body);
}

export function registerBundleFilter(app: FastifyInstance): void {
  app.addHook('onSend', async (request, reply, payload) => {
    if (typeof payload !== 'string' || reply.statusCode >= 300 || !needsFilter(request) || !BUNDLE.test(payload.slice(0, 64))) return payload;
    return filterBundle(request, payload, app.store);
  });
}

function isSubsetted(resource: Resource): boolean {
  return !!resource.meta?.tag?.some((t) => t?.code === 'SUBSETTED' && t.system === 'http://terminology.hl7.org/CodeSystem/v3-ObservationValue');
}

/** Whether the caller may see the stored version a subsetted entry was cut from. */
async function storedVisible(request: FastifyRequest, store: ResourceStore, resource: Resource): Promise<boolean> {
  if (!resource.id || !mayReadType(request.auth, resource.resourceType)) return false;
  const v = Number(resource.meta?.versionId);
  const rec = Number.isSafeInteger(v) && v > 0 ? await store.vread(resource.resourceType, resource.id, v) : await store.read(resource.resourceType, resource.id);
  return !!rec?.json && !rec.deleted && canSee(request.auth, JSON.parse(rec.json) as Resource);
}

async function filterBundle(request: FastifyRequest, payload: string, store: ResourceStore): Promise<string> {
  const bundle = JSON.parse(payload) as Bundle;
  if (!bundle.entry?.length || (bundle.type !== 'searchset' && bundle.type !== 'collection' && bundle.type !== 'history')) return payload;
  const keptAt = new Set<number>();
  for (const [i, e] of bundle.entry.entries()) {
    if (!e.resource || e.resource.resourceType === 'OperationOutcome' || canSee(request.auth, e.resource)) keptAt.add(i);
    else if (isSubsetted(e.resource) && (await storedVisible(request, store, e.resource))) keptAt.add(i);
  }
  if (keptAt.size === bundle.entry.length) return payload;
  // re-read keeping decimals as written (json-decimals.ts) only when something is dropped
  const exact = parseFhirJson(payload) as Bundle;
  exact.entry = exact.entry!.filter((_e, i) => keptAt.has(i));
  if (!exact.entry.length) delete exact.entry; // FHIR JSON has no empty arrays (ele-1)
  return stringifyFhir(exact, /[\n]/.test(payload.slice(0, 3)) ? 2 : undefined);
}
