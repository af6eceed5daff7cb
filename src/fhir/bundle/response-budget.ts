import type { BundleEntry } from '@medplum/fhirtypes';
import { fhirError } from '../errors.js';
import { entryFromError } from './entry-response.js';

/**
 * A bound on the size of a batch/transaction response (FHIR_MAX_BUNDLE_RESPONSE_BYTES), measured
 * entry by entry as the response is built. Without it, 900 `GET metadata` entries or 300 large
 * searches built a response that JSON.stringify could not hold (V8 strings stop near 512 MiB):
 * a 500 after the transaction had committed, which clients retry, duplicating its creates.
 * Sizes are JSON characters (UTF-16 code units: bytes for ASCII, an under-count for the rest;
 * the limit is a memory guard, not a byte-exact quota).
 *
 * Where the limit is hit:
 * - every entry of a transaction, its GETs included, is measured inside the store transaction,
 *   before commit: too big, the transaction is refused and nothing is stored (responseTooLarge),
 *   as for any failing entry (a transaction succeeds or fails as a whole);
 * - a batch read whose answer does not fit answers an error entry in its place: it changed
 *   nothing, the client can read it alone;
 * - a batch write whose full answer does not fit keeps its response line (status, location,
 *   etag: what happened) without the resource or outcome, so its effect is never hidden.
 * `GET metadata` stays allowed in a Bundle (useless more than once, but a read like any other);
 * at ~600 KB a CapabilityStatement is the usual way to reach the limit, and the budget bounds it.
 * 400 too-costly, not 413: 413 says the request content is too large (RFC 9110 §15.5.14), while
 * here the request may be small and its answer is what costs too much; it is also what the
 * entry-count cap (FHIR_MAX_BUNDLE_ENTRIES) answers.
 */
export class ResponseBudget {
  private used = 0;

  constructor(readonly limit: number) {}

  /** Takes `entry` into the budget if it fits; false (nothing taken) when it does not. */
  fits(entry: BundleEntry): boolean {
    const size = JSON.stringify(entry).length + 1; // (+1: the comma between entries)
    if (this.used + size > this.limit) return false;
    this.used += size;
    return true;
  }

  /** Counts an entry that is answered whatever its size (error entries, trimmed write responses: small). */
  take(entry: BundleEntry): BundleEntry {
    this.used += JSON.stringify(entry).length + 1;
    return entry;
  }

  /** A read's answer, or an error entry when it does not fit. */
  read(entry: BundleEntry): BundleEntry {
    return this.fits(entry) ? entry : this.take(entryFromError(tooLargeEntry(this.limit)));
  }

  /** A write's answer, or its response line alone when the whole does not fit. */
  write(entry: BundleEntry): BundleEntry {
    if (this.fits(entry)) return entry;
    const { status, location, etag, lastModified } = entry.response ?? { status: '200 OK' };
    return this.take({ response: { status, ...(location ? { location } : {}), ...(etag ? { etag } : {}), ...(lastModified ? { lastModified } : {}) } });
  }
}

function tooLargeEntry(limit: number) {
  return fhirError('TOO_COSTLY', `This entry's answer would take the Bundle response over its limit of ${limit} characters (FHIR_MAX_BUNDLE_RESPONSE_BYTES): request it on its own`);
}

/** The whole transaction refused before commit: its entries exceed the limit. */
export function responseTooLarge(limit: number) {
  return fhirError(
    'TOO_COSTLY',
    `The response to this transaction would exceed ${limit} characters (FHIR_MAX_BUNDLE_RESPONSE_BYTES); nothing was stored. Send it with Prefer: return=minimal (for the write entries), or split it`,
  );
}
