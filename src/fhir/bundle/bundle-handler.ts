import type { Bundle } from '@medplum/fhirtypes';
import type { FhirContext, FhirRequest, FhirResponse } from '../context.js';
import { fhirError } from '../errors.js';
import { resourceBody } from '../rest/request-utils.js';
import { processBatch } from './batch.js';
import { processTransaction, type Dispatch } from './transaction.js';

/**
 * `POST /fhir` with a Bundle of type batch or transaction (https://hl7.org/fhir/R4/http.html#transaction).
 * Entries are capped (FHIR_MAX_BUNDLE_ENTRIES) so one request cannot hold the single writer for minutes.
 */

export async function processBundle(ctx: FhirContext, req: FhirRequest, dispatch: Dispatch): Promise<FhirResponse> {
  const bundle = resourceBody(req) as Bundle;
  if (bundle.resourceType !== 'Bundle') throw fhirError('BAD_REQUEST', `POST ${ctx.config.baseUrl} takes a Bundle (got ${String(bundle.resourceType)})`, 'resourceType');
  if (bundle.type !== 'batch' && bundle.type !== 'transaction') {
    throw fhirError('BAD_REQUEST', `Bundle.type must be batch or transaction (got ${String(bundle.type)})`, 'Bundle.type');
  }
  const entries = bundle.entry ?? [];
  if (!Array.isArray(entries)) throw fhirError('BAD_REQUEST', 'Bundle.entry must be an array', 'Bundle.entry');
  const max = ctx.config.security.maxBundleEntries;
  if (entries.length > max) throw fhirError('TOO_COSTLY', `A Bundle may carry at most ${max} entries (got ${entries.length}); split it`, 'Bundle.entry');
  return bundle.type === 'transaction' ? processTransaction(ctx, req, entries, dispatch) : processBatch(ctx, req, entries, dispatch);
}
