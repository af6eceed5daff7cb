import type { Bundle, BundleEntry } from '@medplum/fhirtypes';
import type { FhirContext, FhirRequest, FhirResponse } from '../context.js';
import { fhirError, validationError } from '../errors.js';
import type { Issue } from '../outcome.js';
import { resourceBody, throwIfWriteQuery } from '../rest/request-utils.js';
import { validateResource } from '../../validation/validate.js';
import { processBatch } from './batch.js';
import { processTransaction, type Dispatch } from './transaction.js';
import { throwIfDuplicateFullUrl } from './full-urls.js';

/**
 * `POST /fhir` with a Bundle of type batch or transaction (https://hl7.org/fhir/R4/http.html#transaction).
 * Entries are capped (FHIR_MAX_BUNDLE_ENTRIES) so one request cannot hold the single writer for minutes.
 */

export async function processBundle(ctx: FhirContext, req: FhirRequest, dispatch: Dispatch): Promise<FhirResponse> {
  throwIfWriteQuery(req.query, 'POST', undefined, 'bundle');
  const bundle = resourceBody(req) as Bundle;
  if (bundle.resourceType !== 'Bundle') throw fhirError('BAD_REQUEST', `POST ${ctx.config.baseUrl} takes a Bundle (got ${String(bundle.resourceType)})`, 'Bundle.resourceType');
  if (bundle.type !== 'batch' && bundle.type !== 'transaction') {
    throw fhirError('BAD_REQUEST', `Bundle.type must be batch or transaction (got ${String(bundle.type)})`, 'Bundle.type');
  }
  const entries = bundle.entry ?? [];
  if (!Array.isArray(entries)) throw fhirError('BAD_REQUEST', 'Bundle.entry must be an array', 'Bundle.entry');
  const max = ctx.config.security.maxBundleEntries;
  if (entries.length > max) throw fhirError('TOO_COSTLY', `A Bundle may carry at most ${max} entries (got ${entries.length}); split it`, 'Bundle.entry');
  // A transaction is all or nothing: every entry's own elements are checked first; a batch's per entry.
  throwIfMalformedEnvelope(validateResource(shellOf(bundle, bundle.type === 'transaction')));
  throwIfDuplicateFullUrl(entries);
  return bundle.type === 'transaction' ? processTransaction(ctx, req, entries, dispatch) : processBatch(ctx, req, entries, dispatch);
}

/**
 * The Bundle without its entries' resources (`entries`: which entries to keep, the others go):
 * what is validated before entries run (type, fullUrl, request.method/url/ifNoneExist…, unknown
 * elements), so a malformed request answers 400 with the path of the offending element. The
 * resources are validated one by one as their entries run, with their entry's path, not twice.
 */
function shellOf(bundle: Bundle, keepEntries: boolean): Bundle {
  // `entry: []` is the Bundle's own malformed element (ele-1), in a batch too
  if (!Array.isArray(bundle.entry) || (!keepEntries && bundle.entry.length)) {
    const { entry: _checkedPerEntry, ...rest } = bundle;
    return rest as Bundle;
  }
  return { ...bundle, entry: bundle.entry.map(entryShell) };
}

function entryShell(e: BundleEntry): BundleEntry {
  // (a resource that is not an object stays: the shell's validation says what is wrong with it)
  if (e === null || typeof e !== 'object' || Array.isArray(e) || e.resource === null || typeof e.resource !== 'object') return e;
  const { resource: _validatedLater, ...rest } = e;
  return rest;
}

/**
 * The Bundle and its entries' own elements are the request's envelope (what to run, where): any
 * error there is a malformed request, 400 as the README promises for the Bundle check, whatever
 * the rule: `entry: []` or `request: {}` (ele-1, JSON FHIR has no empty arrays or objects) is as
 * malformed as an unknown element, not a business-rule failure (422). The entries' resources keep
 * the usual 400/422 split (validate-incoming.ts).
 */
function throwIfMalformedEnvelope(issues: Issue[]): void {
  const errors = issues.filter((i) => i.severity === 'error' || i.severity === 'fatal');
  if (errors.length) throw validationError(errors, 'INVALID_RESOURCE');
}

/**
 * A batch entry's own elements (request, fullUrl…), validated as entry `i` of a Bundle of one, so
 * a malformed entry fails alone, with its path (`Bundle.entry[3].request.url`).
 */
export function throwIfInvalidEntry(entry: BundleEntry, i: number): void {
  const issues = validateResource({ resourceType: 'Bundle', type: 'batch', entry: [entryShell(entry)] });
  if (!issues.length) return;
  const at = (x: string) => x.replaceAll('Bundle.entry[0]', `Bundle.entry[${i}]`);
  throwIfMalformedEnvelope(issues.map((x) => ({ ...x, diagnostics: x.diagnostics && at(x.diagnostics), expression: x.expression?.map(at) })));
}
