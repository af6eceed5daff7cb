import { STATUS_CODES } from 'node:http';
import type { BundleEntry, BundleEntryResponse, Resource } from '@medplum/fhirtypes';
import type { FhirContext, FhirResponse } from '../context.js';
import { FhirError } from '../errors.js';
import { parseFhirJson } from '../json-decimals.js';
import { informational, toOperationOutcome, type Issue } from '../outcome.js';
import type { VersionRecord } from '../../storage/types.js';
import type { ReturnPref } from '../rest/request-utils.js';
import { etag, versionUrl } from '../rest/response.js';
import type { EntryTarget } from './entry-request.js';

/** `Bundle.entry.response` builders shared by batch and transaction (https://hl7.org/fhir/R4/bundle.html#transaction-response). */
export function statusLine(status: number): string {
  return `${status} ${STATUS_CODES[status] ?? ''}`.trim();
}

export function entryFromWrite(ctx: FhirContext, rec: VersionRecord | undefined, status: number, pref: ReturnPref, message: string, notes: Issue[] = []): BundleEntry {
  const response: BundleEntryResponse = { status: statusLine(status) };
  if (rec) {
    if (status === 201) response.location = versionUrl(ctx, rec);
    response.etag = etag(rec.versionId);
    response.lastModified = rec.lastUpdated;
  }
  if (pref === 'OperationOutcome') response.outcome = informational(message, notes); // with the validation warnings, as a standalone write
  if (!rec || rec.deleted) return { response };
  const fullUrl = `${ctx.config.baseUrl}/${rec.resourceType}/${rec.id}`;
  if (pref === 'representation' && rec.json) return { fullUrl, resource: parseFhirJson(rec.json) as Resource, response };
  return { fullUrl, response };
}

/**
 * An entry from the answer of an equivalent standalone request (batch entries, transaction GETs).
 * A HEAD is a GET whose body is not sent (https://hl7.org/fhir/R4/http.html#read), in a Bundle
 * as on the wire: its entry keeps the status and headers, not the resource. A successful
 * OperationOutcome body is the write's note (Prefer: return=OperationOutcome), which
 * `response.outcome` holds (bundle.html: "hints and warnings produced as part of processing this
 * entry"), unless the request is an operation: then it is the operation's result ($validate's
 * verdict, its `return`), the entry's `resource` as any operation's output is.
 */
export function entryFromResponse(ctx: FhirContext, res: FhirResponse, target: Pick<EntryTarget, 'method' | 'segments'>): BundleEntry {
  const method = target.method;
  const h = res.headers ?? {};
  const response: BundleEntryResponse = { status: statusLine(res.status) };
  if (h.location) response.location = h.location;
  if (h.etag) response.etag = h.etag;
  if (res.lastUpdated) response.lastModified = res.lastUpdated;
  else if (h['last-modified']) response.lastModified = new Date(h['last-modified']).toISOString();
  const entry: BundleEntry = { response };
  if (method === 'HEAD') return entry;
  const body = typeof res.body === 'string' ? (parseFhirJson(res.body) as Resource) : res.body;
  if (body?.resourceType === 'OperationOutcome' && res.status >= 200 && res.status < 300 && !body.id && !isOperation(target)) response.outcome = body;
  else if (body) {
    entry.resource = body;
    if (body.id && body.resourceType !== 'Bundle') entry.fullUrl = `${ctx.config.baseUrl}/${body.resourceType}/${body.id}`;
  }
  return entry;
}

/** `Patient/$validate`, `Patient/p1/$validate`, `$meta`: a segment names an operation (as transaction-plan.ts reads it). */
function isOperation(target: Pick<EntryTarget, 'segments'>): boolean {
  return target.segments.some((s) => s.startsWith('$'));
}

export function entryFromError(err: unknown): BundleEntry {
  const fe = err instanceof FhirError ? err : new FhirError('INTERNAL', 'Internal server error');
  return { response: { status: statusLine(fe.status), outcome: toOperationOutcome(fe.issues) } };
}

/**
 * Re-raises an entry's error naming the entry, with the issue expressions moved under it
 * (`Observation.status` → `Bundle.entry[3].resource.status`).
 */
export function errorForEntry(err: unknown, index: number): unknown {
  if (!(err instanceof FhirError)) return err;
  const at = `Bundle.entry[${index}]`;
  const issues = err.issues.map((i) => ({
    ...i,
    diagnostics: `${at}: ${i.diagnostics}`,
    expression: i.expression?.length
      ? i.expression.map((e) => (/^[A-Z][A-Za-z]+\./.test(e) ? `${at}.resource.${e.slice(e.indexOf('.') + 1)}` : /^[A-Z][A-Za-z]+$/.test(e) ? `${at}.resource` : `${at}.${e}`))
      : [at],
  }));
  return new FhirError(err.key, `${at}: ${err.message}`, { issues, headers: err.headers });
}
