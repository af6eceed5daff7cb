import type { VersionRecord } from '../../storage/types.js';
import { fhirError } from '../errors.js';

/**
 * `If-Match` and `If-None-Match` (RFC 7232 §3.1, §3.2; https://hl7.org/fhir/R4/http.html#concurrency,
 * #cread): one parser for both headers. A header is `*` or a comma-separated list of entity tags;
 * a tag is opaque, so `W/"01"` is not version 1.
 *
 * Both headers compare weakly (the opaque tags, `W/` aside). RFC 7232 asks for strong comparison
 * in If-Match, under which a weak tag never matches; but the server's tags are all weak (`W/"3"`)
 * and FHIR's version-aware update is spelled `If-Match: W/"3"`, so strong comparison would make it
 * impossible.
 */
export type EtagCondition = '*' | string[];

/** `W/"3"` or `"3"`; the opaque tag may hold any visible character but `"` (RFC 7232 etagc). */
const TAG = /^\s*(?:W\/)?"([\x21\x23-\x7e\x80-\xff]*)"\s*$/;

/** The header's condition, or undefined when it is absent; a malformed header answers 400. */
export function parseEtags(header: 'If-Match' | 'If-None-Match', value: string | undefined): EtagCondition | undefined {
  if (value === undefined) return undefined;
  // present but empty: RFC 9110 needs `*` or at least one tag; ignoring it would run an
  // unconditional write the client meant to be conditional
  if (value.trim() === '') throw fhirError('BAD_REQUEST', `${header} is empty: send * or entity tags such as W/"3"`);
  if (value.trim() === '*') return '*';
  const tags: string[] = [];
  // an opaque tag cannot hold a comma-free `"`, but it may hold a comma: split between tags only
  for (const part of value.match(/(?:W\/)?"[^"]*"|[^,\s][^,]*/g) ?? []) {
    const m = TAG.exec(part);
    if (!m) throw fhirError('BAD_REQUEST', `${header} must be * or entity tags such as W/"3" (got ${value.slice(0, 60)})`);
    tags.push(m[1]);
  }
  if (!tags.length) throw fhirError('BAD_REQUEST', `${header} must be * or entity tags such as W/"3" (got ${value.slice(0, 60)})`);
  return tags;
}

/**
 * Whether the condition holds for the current version (undefined: there is none). `*` needs a
 * current representation, so a deleted resource does not match it; a listed tag matches the
 * current version, a tombstone's included (a DELETE answers the tombstone's ETag).
 */
export function etagMatches(cond: EtagCondition, current: Pick<VersionRecord, 'versionId' | 'deleted'> | undefined): boolean {
  if (cond === '*') return current !== undefined && !current.deleted;
  return current !== undefined && cond.includes(String(current.versionId));
}

/**
 * The version a write may replace under `If-Match`, for the store to check again atomically:
 * undefined without a condition, else the current version when the condition holds; 412 when it
 * does not. A plain number (a transaction entry's single version) is left to the store.
 */
export function matchedVersion(
  ifMatch: EtagCondition | undefined, current: VersionRecord | undefined, what: string,
): number | undefined {
  if (ifMatch === undefined) return undefined;
  if (!etagMatches(ifMatch, current)) {
    const now = current === undefined ? 'it does not exist' : current.deleted ? `it was deleted (version ${current.versionId})` : `current is W/"${current.versionId}"`;
    throw fhirError('PRECONDITION_FAILED', `Version conflict on ${what}: If-Match ${ifMatch === '*' ? '*' : ifMatch.map((t) => `"${t}"`).join(', ')}, ${now}`);
  }
  return current!.versionId;
}

/**
 * If-None-Match on a write (RFC 9110 §13.1.2, §13.2.2 step 3): the method must not run when the
 * condition fails, that is when `*` meets a current representation (a create-only `PUT`) or a
 * listed tag is the current version; 412 then. Evaluated after If-Match (matchedVersion), as the
 * RFC orders them. Reads answer 304 instead (read.ts).
 */
export function refuseNoneMatch(ifNoneMatch: EtagCondition | undefined, current: VersionRecord | undefined, what: string): void {
  if (ifNoneMatch === undefined || !etagMatches(ifNoneMatch, current)) return;
  const cond = ifNoneMatch === '*' ? '*' : ifNoneMatch.map((t) => `"${t}"`).join(', ');
  throw fhirError('PRECONDITION_FAILED', `If-None-Match ${cond} fails on ${what}: current is W/"${current!.versionId}"${current!.deleted ? ' (a deletion)' : ''}; nothing was written`);
}
