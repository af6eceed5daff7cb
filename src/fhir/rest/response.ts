import type { FhirContext, FhirResponse } from '../context.js';
import { informational } from '../outcome.js';
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

/** The answer to a write: status, version headers, and a body chosen by `Prefer: return`. */
export function writeResponse(ctx: FhirContext, rec: VersionRecord, status: number, pref: ReturnPref, message: string): FhirResponse {
  const headers = versionHeaders(rec);
  const url = versionUrl(ctx, rec);
  if (status === 201) headers.location = url;
  headers['content-location'] = url;
  if (pref === 'minimal') return { status, headers };
  if (pref === 'OperationOutcome') return { status, headers, body: informational(message) };
  return { status, headers, body: rec.json };
}
