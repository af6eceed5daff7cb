import type { FhirContext, FhirResponse } from '../context.js';
import { informational, type Issue } from '../outcome.js';
import type { VersionRecord } from '../../storage/types.js';
import type { ReturnPref } from './request-utils.js';

/**
 * Version headers and `Prefer: return` handling shared by every interaction that answers with one
 * resource (https://hl7.org/fhir/R4/http.html#versioning, #ops).
 */
export function etag(versionId: number): string {
  return `W/"${versionId}"`;
}

export function versionHeaders(rec: VersionRecord): Record<string, string> {
  return { etag: etag(rec.versionId), 'last-modified': new Date(rec.lastUpdated).toUTCString() };
}

export function versionUrl(ctx: FhirContext, rec: Pick<VersionRecord, 'resourceType' | 'id' | 'versionId'>): string {
  return `${ctx.config.baseUrl}/${rec.resourceType}/${rec.id}/_history/${rec.versionId}`;
}

/** The resource id in a versionUrl (a create's Location), for the audit trail. */
export function idOfVersionUrl(location: unknown): string | undefined {
  return typeof location === 'string' ? /\/([A-Za-z0-9\-.]{1,64})\/_history\//.exec(location)?.[1] : undefined;
}

/**
 * The answer to a write: status, version headers, and a body chosen by `Prefer: return`;
 * `return=OperationOutcome` carries the validation's warnings too (https://hl7.org/fhir/R4/http.html#ops).
 */
export function writeResponse(ctx: FhirContext, rec: VersionRecord, status: number, pref: ReturnPref, message: string, notes: Issue[] = []): FhirResponse {
  const headers = versionHeaders(rec);
  const url = versionUrl(ctx, rec);
  if (status === 201) headers.location = url;
  headers['content-location'] = url;
  const lastUpdated = rec.lastUpdated;
  if (pref === 'minimal') return { status, headers, lastUpdated };
  if (pref === 'OperationOutcome') return { status, headers, lastUpdated, body: informational(message, notes) };
  return { status, headers, lastUpdated, body: rec.json };
}
