import type { Bundle, BundleEntry } from '@medplum/fhirtypes';
import type { FhirContext, FhirRequest, FhirResponse } from '../context.js';
import { adopt } from '../json-decimals.js';
import { entryFromError, entryFromResponse } from './entry-response.js';
import { entryToRequest, parseEntryUrl, patchFromEntry } from './entry-request.js';
import type { Dispatch } from './transaction.js';
import { patchRefersToAny, refersToAny } from './references.js';
import { fhirError } from '../errors.js';
import { throwIfInvalidEntry } from './bundle-handler.js';
import { throwIfBadFullUrl } from './full-urls.js';
import { ResponseBudget } from './response-budget.js';
import { entryNotes, noteEntry } from './entry-audit.js';

/**
 * Batch Bundles (https://hl7.org/fhir/R4/http.html#transaction): every entry is an independent
 * request, run through the same dispatcher as a standalone one (so it is authorized, validated
 * and atomic on its own), and answered in its own `entry.response`; one failing entry does not
 * affect the others. Entries run one after another in Bundle order.
 */
export async function processBatch(ctx: FhirContext, req: FhirRequest, entries: BundleEntry[], dispatch: Dispatch): Promise<FhirResponse> {
  const out: BundleEntry[] = [];
  // Entries of a batch SHALL NOT depend on each other (https://hl7.org/fhir/R4/http.html#brules):
  // one that refers to another's fullUrl fails instead of storing a reference nothing resolves
  const fullUrls = new Set(entries.map((e) => e?.fullUrl).filter((u): u is string => typeof u === 'string' && u.length > 0));
  const budget = new ResponseBudget(ctx.config.security.maxBundleResponseBytes);
  for (let i = 0; i < entries.length; i++) {
    const entry = entries[i];
    const notes = entryNotes(req);
    try {
      throwIfInvalidEntry(entry, i);
      throwIfBadFullUrl(entry, i);
      const target = parseEntryUrl(ctx, entry?.request?.method, entry?.request?.url);
      // a PATCH entry's resource is the Binary holding the patch: what it would write is in the patch's values
      const dependency = !fullUrls.size || !entry?.resource ? undefined
        : target.method === 'PATCH' ? patchRefersToAny(patchFromEntry(entry.resource), fullUrls)
        : refersToAny(entry.resource, fullUrls, entry.fullUrl);
      if (dependency) throw fhirError('BAD_REQUEST', `This batch entry refers to ${dependency}, another entry of the batch: batch entries are independent (use a transaction Bundle)`);
      const answer = entryFromResponse(ctx, await dispatch({ ...entryToRequest(req, target, entry), audit: notes }), target);
      out.push(target.method === 'GET' || target.method === 'HEAD' ? budget.read(answer) : budget.write(answer));
    } catch (err) {
      out.push(budget.take(entryFromError(err)));
    }
    noteEntry(req, entry, out[out.length - 1], notes);
  }
  const bundle: Bundle = { resourceType: 'Bundle', type: 'batch-response', ...(out.length ? { entry: out } : {}) };
  for (const e of out) adopt(bundle, e.resource); // decimals as written (json-decimals.ts)
  return { status: 200, body: bundle };
}
