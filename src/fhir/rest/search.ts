import type { FhirContext, FhirRequest, FhirResponse } from '../context.js';
import { fhirError } from '../errors.js';
import { authorize, canSee, hasPermission, patientRestriction } from '../../auth/authorize.js';
import { resourceTypes } from '../resource-types.js';
import { reachedTypes, searchBundle } from '../../search/search-service.js';
import { checkId, mediaType, preferStrict } from './request-utils.js';
import { paramRecord } from '../query-params.js';
import { withBuiltIns } from './built-in-search.js';

/**
 * Search at type, system and compartment level, GET or POST `_search`
 * (https://hl7.org/fhir/R4/http.html#search). The search module does the work; this file only
 * gathers the parameters and confines patient-level tokens to their compartment.
 */
export interface Compartment {
  resourceType: string;
  id: string;
}

/** `POST …/_search`: parameters from the form body and from the URL are combined. */
function formParameters(req: FhirRequest): Record<string, string[]> {
  const query = paramRecord();
  for (const [k, vs] of Object.entries(req.query)) query[k] = [...vs];
  if (req.body === undefined || req.body === null || req.body === '') return query;
  const mt = mediaType(req);
  if (mt !== 'application/x-www-form-urlencoded' || typeof req.body !== 'string') {
    throw fhirError('UNSUPPORTED_MEDIA_TYPE', 'POST _search takes application/x-www-form-urlencoded parameters');
  }
  for (const [k, v] of new URLSearchParams(req.body)) (query[k] ??= []).push(v);
  return query;
}

export async function searchResources(
  ctx: FhirContext, req: FhirRequest, type: string | undefined, opts: { post?: boolean; compartment?: Compartment } = {},
): Promise<FhirResponse> {
  // a system-level search by a token with rights on some types only searches those (totals
  // included); it needs the search right on at least one
  const allowedTypes = req.auth && type === undefined ? resourceTypes().filter((t) => hasPermission(req.auth!, t, 's')) : undefined;
  if (!allowedTypes?.length) authorize(req.auth, { interaction: 'search', resourceType: type });
  const restriction = patientRestriction(req.auth);
  let compartment = opts.compartment;
  if (compartment) {
    checkId(compartment.id);
    if (restriction && (compartment.resourceType !== 'Patient' || compartment.id !== restriction)) {
      throw fhirError('NOT_FOUND', `${compartment.resourceType}/${compartment.id} is not known`);
    }
  } else if (restriction) {
    compartment = { resourceType: 'Patient', id: restriction };
  }
  const query = opts.post ? formParameters(req) : req.query;
  if (req.auth) for (const t of reachedTypes(type, query)) authorize(req.auth, { interaction: 'search', resourceType: t });
  // the built-in SearchParameters and OperationDefinitions are found as stored ones are (built-in-search.ts)
  // the audit names the patients of what was returned, as stored (a subset may lack its subject);
  // includes of a type the caller may not read are left out here, a batch entry's too
  const auth = req.auth;
  const bundle = await searchBundle({ ...ctx, store: withBuiltIns(ctx.store) }, {
    resourceType: type, query, strict: preferStrict(req.headers), compartment, allowedTypes, confined: restriction !== undefined, baseUrl: ctx.config.baseUrl,
    touched: req.audit?.touched, visible: auth ? (r) => canSee(auth, r) : undefined,
  });
  return { status: 200, body: bundle };
}
