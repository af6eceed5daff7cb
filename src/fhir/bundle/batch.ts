import type { Bundle, BundleEntry } from '@medplum/fhirtypes';
import type { FhirContext, FhirRequest, FhirResponse } from '../context.js';
import { entryFromError, entryFromResponse } from './entry-response.js';
import { entryToRequest, parseEntryUrl } from './entry-request.js';
import type { Dispatch } from './transaction.js';

/**
 * Batch Bundles (https://hl7.org/fhir/R4/http.html#transaction): every entry is an independent
 * request, run through the same dispatcher as a standalone one (so it is authorized, validated
 * and atomic on its own), and answered in its own `entry.response`; one failing entry does not
 * affect the others. Entries run one after another in Bundle order.
 */
export async function processBatch(ctx: FhirContext, req: FhirRequest, entries: BundleEntry[], dispatch: Dispatch): Promise<FhirResponse> {
  const out: BundleEntry[] = [];
  for (const entry of entries) {
    try {
      const target = parseEntryUrl(ctx, entry?.request?.method, entry?.request?.url);
      out.push(entryFromResponse(ctx, await dispatch(entryToRequest(req, target, entry))));
    } catch (err) {
      out.push(entryFromError(err));
    }
  }
  const bundle: Bundle = { resourceType: 'Bundle', type: 'batch-response', entry: out };
  return { status: 200, body: bundle };
}
