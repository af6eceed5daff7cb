import type { BundleEntry } from '@medplum/fhirtypes';
import { fhirError } from '../errors.js';
import { errorForEntry } from './entry-response.js';

/**
 * `Bundle.entry.fullUrl` rules for the Bundles this server processes (batch, transaction).
 * https://hl7.org/fhir/R4/bundle-definitions.html#Bundle.entry.fullUrl: the fullUrl is an
 * absolute URI; a `urn:uuid:` one carries a UUID and a `urn:oid:` one an OID
 * (https://hl7.org/fhir/R4/datatypes.html#uuid, #oid). A relative `Patient/1` or `urn:uuid:abc`
 * would be rewritten like any other fullUrl and then match strings it was never meant to.
 */
const SCHEME = /^[A-Za-z][A-Za-z0-9+.-]*:./;
// RFC 4122 §3: hex digits are case-insensitive on input (FHIR's own regex is the lower-case form).
const UUID = /^urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const OID = /^urn:oid:[0-2](\.(0|[1-9][0-9]*))+$/;

/** What is wrong with a fullUrl, or undefined when it is usable. */
export function fullUrlProblem(url: string): string | undefined {
  if (/^urn:uuid:/i.test(url)) return UUID.test(url) ? undefined : `fullUrl ${url} is not a urn:uuid: followed by a UUID (8-4-4-4-12 hex digits)`;
  if (/^urn:oid:/i.test(url)) return OID.test(url) ? undefined : `fullUrl ${url} is not a urn:oid: followed by an OID (such as 1.2.840.10008)`;
  if (!SCHEME.test(url)) return `fullUrl ${url} is not an absolute URI (use urn:uuid:<UUID> or the resource's full URL)`;
  return undefined;
}

/** Throws 400 naming `Bundle.entry[i].fullUrl` when entry `i`'s fullUrl is unusable (a batch entry fails alone). */
export function throwIfBadFullUrl(entry: BundleEntry | undefined, i: number): void {
  const url = entry?.fullUrl;
  if (typeof url !== 'string') return; // (a non-string is the schema's to report)
  const problem = fullUrlProblem(url) ?? idDisagreement(url, entry?.resource);
  if (problem) throw errorForEntry(fhirError('BAD_REQUEST', problem, 'fullUrl'), i);
}

/**
 * A RESTful fullUrl (`…/Patient/abc`) names the resource's identity: it SHALL NOT disagree with
 * the resource's own type and id (https://hl7.org/fhir/R4/bundle.html#bundle-unique). Otherwise
 * references to `…/Patient/abc` are rewritten to a resource stored as Patient/xyz.
 */
function idDisagreement(url: string, resource: unknown): string | undefined {
  const r = resource as { resourceType?: unknown; id?: unknown } | undefined;
  if (!r || typeof r.resourceType !== 'string' || typeof r.id !== 'string' || !/^https?:/i.test(url)) return undefined;
  const m = /\/([A-Z][A-Za-z]+)\/([A-Za-z0-9\-.]{1,64})$/.exec(url);
  if (!m || m[1] !== r.resourceType || m[2] === r.id) return undefined;
  return `fullUrl ${url} names ${m[1]}/${m[2]}, but the entry's resource is ${r.resourceType}/${r.id}: a RESTful fullUrl must agree with the resource's id`;
}

/**
 * bdl-7 (https://hl7.org/fhir/R4/bundle.html#invs): fullUrls are unique unless the entries
 * differ in meta.versionId, which only a history Bundle does. A batch or transaction with two
 * equal fullUrls is ambiguous (references would silently go to the last one): the whole Bundle
 * is refused, naming both entries.
 */
export function throwIfDuplicateFullUrl(entries: readonly BundleEntry[]): void {
  const seen = new Map<string, number>();
  for (let i = 0; i < entries.length; i++) {
    const url = entries[i]?.fullUrl;
    if (typeof url !== 'string') continue;
    const first = seen.get(url);
    if (first !== undefined) {
      throw errorForEntry(fhirError('BAD_REQUEST', `fullUrl ${url} is also the fullUrl of Bundle.entry[${first}]: fullUrls must be unique in a batch or transaction (bdl-7)`, 'fullUrl'), i);
    }
    seen.set(url, i);
  }
}
