import type { FhirContext, FhirRequest, FhirResponse } from '../context.js';
import { fhirError, FhirError } from '../errors.js';
import { authorize } from '../../auth/authorize.js';
import type { VersionRecord } from '../../storage/types.js';
import type { Resource } from '@medplum/fhirtypes';
import { builtInResource } from './built-ins.js';
import { parseSummary, subsetResource } from '../summary.js';
import { checkId, GENERAL_PARAMETERS, noteTouched, param, preferStrict, VERSION } from './request-utils.js';
import { etagMatches, parseEtags } from './etag.js';
import { etag, versionHeaders, versionUrl } from './response.js';
import { checkVisible, knownRecord, parseRecord, requireLive } from './write-core.js';

/**
 * read and vread (https://hl7.org/fhir/R4/http.html#read, #vread). Without `_summary`/`_elements`
 * the stored JSON string is sent unchanged: no parse, no stringify (the fast path).
 */
function answer(ctx: FhirContext, req: FhirRequest, rec: VersionRecord & { json: string }, vread = false): FhirResponse {
  const headers = versionHeaders(rec);
  if (vread) headers['content-location'] = versionUrl(ctx, rec);
  // a Bundle entry's response.lastModified: the instant itself, not Last-Modified's whole second
  const lastUpdated = rec.lastUpdated;
  // RFC 7232 §3.2: weak comparison, any listed tag, `*` for any current representation
  const ifNoneMatch = parseEtags('If-None-Match', req.headers['if-none-match']);
  if (ifNoneMatch !== undefined ? etagMatches(ifNoneMatch, rec) : notModifiedSince(req.headers['if-modified-since'], rec.lastUpdated)) {
    return { status: 304, headers, lastUpdated };
  }
  const summary = parseSummary(param(req, '_summary'));
  const elements = param(req, '_elements')?.split(',').map((s) => s.trim()).filter(Boolean);
  if ((summary && summary !== 'false' && summary !== 'count') || elements?.length) {
    return { status: 200, headers, lastUpdated, body: subsetResource(parseRecord(rec), summary, elements) };
  }
  return { status: 200, headers, lastUpdated, body: rec.json };
}

/**
 * If-Modified-Since (RFC 7232 §3.3; https://hl7.org/fhir/R4/http.html#cread): not modified when the
 * version was last modified at or before the date. A value that is not a date is ignored, as the
 * RFC asks; If-None-Match, when sent, decides alone (the caller).
 * - An HTTP-date is GMT (RFC 7231 §7.1.1.1; asctime names no zone): one without a zone is read as
 *   GMT, not in the server's local time.
 * - It has whole seconds, as Last-Modified has: against such a date the version's time is cut to
 *   its second, so the Last-Modified a client got back answers 304. A Bundle entry's
 *   `ifModifiedSince` is a FHIR instant, which may have milliseconds: that compares exactly.
 */
function notModifiedSince(value: string | undefined, lastUpdated: string): boolean {
  if (value === undefined) return false;
  const text = value.trim();
  const since = Date.parse(/(GMT|UTC|Z|[+-]\d\d:?\d\d)$/i.test(text) ? text : `${text} GMT`);
  if (Number.isNaN(since)) return false;
  const modified = Date.parse(lastUpdated);
  return (since % 1000 === 0 ? Math.floor(modified / 1000) * 1000 : modified) <= since;
}

/** A built-in definition, as version 1 (built-ins.ts): ETag W/"1", If-None-Match, _summary/_elements. */
function answerBuiltIn(ctx: FhirContext, req: FhirRequest, res: Resource, type: string, id: string, vread: boolean): FhirResponse {
  const headers: Record<string, string> = { etag: etag(1) };
  if (vread) headers['content-location'] = versionUrl(ctx, { resourceType: type, id, versionId: 1 });
  const ifNoneMatch = parseEtags('If-None-Match', req.headers['if-none-match']);
  if (ifNoneMatch !== undefined && etagMatches(ifNoneMatch, { versionId: 1, deleted: false })) return { status: 304, headers };
  return { status: 200, headers, body: subsetResource(res, parseSummary(param(req, '_summary')), param(req, '_elements')?.split(',')) };
}

/** What read and vread take (http.html#read, #general). */
const READ_PARAMS = new Set(['_summary', '_elements', ...GENERAL_PARAMETERS]);

/**
 * Another parameter is ignored, as search and history ignore one, and refused under `Prefer:
 * handling=strict` (http.html#prefer), as history refuses one: `Patient/p1?identifier=x` filters nothing.
 */
function checkReadParameters(req: FhirRequest, what: string): void {
  const unknown = Object.keys(req.query).find((k) => !READ_PARAMS.has(k));
  if (unknown === undefined || !preferStrict(req.headers)) return;
  throw fhirError('BAD_REQUEST', `Unknown ${what} parameter "${unknown.slice(0, 60)}" (Prefer: handling=strict); ${what} reads _summary, _elements, _format and _pretty`, unknown.slice(0, 60));
}

export async function readResource(ctx: FhirContext, req: FhirRequest, type: string, id: string): Promise<FhirResponse> {
  authorize(req.auth, { interaction: 'read', resourceType: type });
  checkId(id);
  checkReadParameters(req, 'read');
  // The server's own definitions are read from code first: they are read-only (built-ins.ts), so a
  // stored resource under such an id can only be one written before that rule, and must not shadow them.
  const builtIn = builtInResource(type, id);
  if (builtIn) return answerBuiltIn(ctx, req, builtIn, type, id, false);
  const rec = requireLive(await knownRecord(ctx.store, req.auth, await ctx.store.read(type, id)), type, id);
  // noted before the check: a refused read is recorded against the patient it reached for
  noteTouched(req, rec);
  checkVisible(req.auth, rec);
  return answer(ctx, req, rec);
}

export async function vreadResource(ctx: FhirContext, req: FhirRequest, type: string, id: string, vid: string): Promise<FhirResponse> {
  authorize(req.auth, { interaction: 'vread', resourceType: type });
  checkId(id);
  checkId(vid, 'version id');
  checkReadParameters(req, 'vread');
  const builtIn = builtInResource(type, id);
  if (builtIn) {
    if (vid === '1') return answerBuiltIn(ctx, req, builtIn, type, id, true);
    throw fhirError('NOT_FOUND', `${type}/${id}/_history/${vid} is not known (a built-in definition has version 1 only)`);
  }
  // A version id is an id, a string: `01` or `x` is a valid one that names no version (404),
  // not another spelling of version 1, just as If-Match W/"01" does not match version 1.
  const rec = VERSION.test(vid) ? await ctx.store.vread(type, id, Number(vid)) : undefined;
  const unknown = () => fhirError('NOT_FOUND', `${type}/${id}/_history/${vid} is not known`);
  if (!rec) throw unknown();
  if (rec.deleted) {
    // Existence of the deleted version must not leak either: check what is visible of the resource.
    if (req.auth) {
      const current = await ctx.store.read(type, id);
      const lastLive = current?.deleted && current.versionId > 1 ? await ctx.store.vread(type, id, current.versionId - 1) : current;
      if (lastLive) visibleVersion(req.auth, lastLive, unknown);
    }
    throw fhirError('GONE', `${type}/${id} version ${vid} is a deletion`);
  }
  noteTouched(req, rec);
  visibleVersion(req.auth, rec, unknown);
  return answer(ctx, req, requireLive(rec, type, id), true);
}

/** checkVisible for a vread: hidden, it answers as a version that never was, in the same words. */
function visibleVersion(auth: FhirRequest['auth'], rec: VersionRecord, unknown: () => FhirError): void {
  try {
    checkVisible(auth, rec);
  } catch (err) {
    throw err instanceof FhirError && err.status === 404 ? unknown() : err;
  }
}
