import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Bundle } from '@medplum/fhirtypes';
import { canSee } from '../auth/authorize.js';
import { parseFhirJson, stringifyFhir } from '../fhir/json-decimals.js';

/**
 * Last line of defense on Bundles leaving the server: entries the caller may not see (type not
 * covered by its scopes, or outside a patient token's compartment) are dropped. The search
 * engine already confines matches and includes to the compartment; this also enforces the type
 * scopes on `_include`/`_revinclude` targets (a `system/DiagnosticReport.rs` token does not get
 * Observations by including them) and guards operation outputs. It only parses responses that
 * can carry such resources: requests with include parameters, `$` operations, and every Bundle
 * answered to a patient-level token; plain searches and reads keep the fast path.
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
  app.addHook('onSend', (request, reply, payload, done) => {
    if (typeof payload !== 'string' || reply.statusCode >= 300 || !needsFilter(request) || !BUNDLE.test(payload.slice(0, 64))) return done(null, payload);
    try {
      done(null, filterBundle(request, payload));
    } catch (err) {
      done(err as Error);
    }
  });
}

function filterBundle(request: FastifyRequest, payload: string): string {
  const bundle = JSON.parse(payload) as Bundle;
  if (!bundle.entry?.length || (bundle.type !== 'searchset' && bundle.type !== 'collection' && bundle.type !== 'history')) return payload;
  const keptAt = new Set<number>();
  bundle.entry.forEach((e, i) => {
    if (!e.resource || e.resource.resourceType === 'OperationOutcome' || canSee(request.auth, e.resource)) keptAt.add(i);
  });
  if (keptAt.size === bundle.entry.length) return payload;
  // re-read keeping decimals as written (json-decimals.ts) only when something is dropped
  const exact = parseFhirJson(payload) as Bundle;
  exact.entry = exact.entry!.filter((_e, i) => keptAt.has(i));
  return stringifyFhir(exact, /[\n]/.test(payload.slice(0, 3)) ? 2 : undefined);
}
