import { randomUUID } from 'node:crypto';
import type { FhirContext, FhirRequest, FhirResponse } from '../context.js';
import { fhirError } from '../errors.js';
import { withId } from '../json-decimals.js';
import { informational } from '../outcome.js';
import { authorize } from '../../auth/authorize.js';
import type { VersionRecord } from '../../storage/types.js';
import { indexResource } from '../../search/search-service.js';
import { checkId, noteTouched, patchBody, preferReturn, resourceBody, searchQueryString, throwIfNoneExistOnWrite, throwIfWriteQuery } from './request-utils.js';
import { etag, writeResponse } from './response.js';
import { parseEtags } from './etag.js';
import { prepareIncoming, validationNotes } from './validate-incoming.js';
import { refuseBuiltInWrite } from './built-ins.js';
import {
  conditionalDeleteInTx, conditionalMatches, conditionalUpdateInTx, createInTx, deleteInTx, ifNoneExistCriteria, patchInTx, updateInTx,
  type IfMatch, type IfNoneMatch, type Stored,
} from './write-core.js';

/**
 * The single-resource write interactions (https://hl7.org/fhir/R4/http.html#create, #update,
 * #patch, #delete and their conditional forms). Validation runs before the store transaction, so
 * the store's writer lock is never held while a resource is being checked.
 */
export const newId = (): string => randomUUID();

/**
 * The preconditions a write holds against the current version: If-Match (412 unless it holds) and
 * If-None-Match (412 when it holds: `*` on an existing resource, or its current tag), RFC 9110 §13.
 */
function writeConditions(req: FhirRequest): { ifMatch: IfMatch; ifNoneMatch: IfNoneMatch } {
  throwIfNoneExistOnWrite(req.headers['if-none-exist'], req.method); // (every write but create reads its conditions here)
  return { ifMatch: parseEtags('If-Match', req.headers['if-match']), ifNoneMatch: parseEtags('If-None-Match', req.headers['if-none-match']) };
}

export async function createResource(ctx: FhirContext, req: FhirRequest, type: string): Promise<FhirResponse> {
  authorize(req.auth, { interaction: 'create', resourceType: type });
  throwIfWriteQuery(req.query, 'POST', type, 'create');
  const prepared = prepareIncoming(ctx, resourceBody(req), { resourceType: type, ignoreId: true });
  const resource = withId(prepared, newId()) as Stored;
  const ifNoneExist = req.headers['if-none-exist'];
  const criteria = ifNoneExist === undefined ? undefined : ifNoneExistCriteria(ifNoneExist, type, ctx.config.baseUrl);
  const index = indexResource(resource, ctx.config.baseUrl); // outside the transaction: the writer lock stays short
  const { record, status } = await ctx.store.transaction((tx) => createInTx(tx, resource, criteria, req.auth, index));
  const msg = status === 201 ? `Created ${type}/${record.id}` : `If-None-Exist matched ${type}/${record.id}; nothing created`;
  noteTouched(req, record);
  return writeResponse(ctx, record, status, preferReturn(req.headers), msg, validationNotes(prepared));
}

export async function updateResource(ctx: FhirContext, req: FhirRequest, type: string, id: string): Promise<FhirResponse> {
  authorize(req.auth, { interaction: 'update', resourceType: type });
  checkId(id);
  throwIfWriteQuery(req.query, 'PUT', type, { id });
  refuseBuiltInWrite(type, id); // before validating a body that could never be stored
  const resource = prepareIncoming(ctx, resourceBody(req), { resourceType: type, id }) as Stored;
  const { ifMatch, ifNoneMatch } = writeConditions(req);
  const index = indexResource(resource, ctx.config.baseUrl);
  const { record, status } = await ctx.store.transaction((tx) => updateInTx(tx, resource, ifMatch, req.auth, index, ctx.store, ifNoneMatch));
  noteTouched(req, record);
  return writeResponse(ctx, record, status, preferReturn(req.headers), `${status === 201 ? 'Created' : 'Updated'} ${type}/${id}`, validationNotes(resource));
}

export async function conditionalUpdate(ctx: FhirContext, req: FhirRequest, type: string): Promise<FhirResponse> {
  authorize(req.auth, { interaction: 'update', resourceType: type });
  const resource = prepareIncoming(ctx, resourceBody(req), { resourceType: type });
  if (resource.id !== undefined) checkId(resource.id);
  const { ifMatch, ifNoneMatch } = writeConditions(req);
  const qs = searchQueryString(req.query);
  const { record, status } = await ctx.store.transaction((tx) => conditionalUpdateInTx(tx, resource, qs, ifMatch, newId, req.auth, ctx.config.baseUrl, ctx.store, ifNoneMatch));
  noteTouched(req, record);
  return writeResponse(ctx, record, status, preferReturn(req.headers), `${status === 201 ? 'Created' : 'Updated'} ${type}/${record.id}`, validationNotes(resource));
}

export async function patchResource(ctx: FhirContext, req: FhirRequest, type: string, id: string | undefined): Promise<FhirResponse> {
  authorize(req.auth, { interaction: 'patch', resourceType: type });
  if (id !== undefined) {
    checkId(id);
    throwIfWriteQuery(req.query, 'PATCH', type, { id });
  }
  const ops = patchBody(req);
  const { ifMatch, ifNoneMatch } = writeConditions(req);
  const qs = id === undefined ? searchQueryString(req.query) : '';
  const { record } = await ctx.store.transaction(async (tx) => {
    let target = id;
    if (target === undefined) {
      const matches = await conditionalMatches(tx, type, qs, req.auth);
      if (matches.length !== 1) {
        throw fhirError(matches.length ? 'MULTIPLE_MATCHES' : 'NOT_FOUND', `Conditional patch matched ${matches.length} ${type} resources (needs exactly one)`);
      }
      target = matches[0].id;
    }
    return patchInTx(ctx, tx, type, target, ops, ifMatch, req.auth, undefined, ifNoneMatch);
  });
  noteTouched(req, record);
  return writeResponse(ctx, record, 200, preferReturn(req.headers), `Patched ${type}/${record.id}`);
}

function deleted(req: FhirRequest, rec: VersionRecord | undefined, message: string): FhirResponse {
  const headers: Record<string, string> = rec ? { etag: etag(rec.versionId) } : {};
  if (preferReturn(req.headers) === 'OperationOutcome') return { status: 200, headers, body: informational(message) };
  return { status: 204, headers };
}

export async function deleteResource(ctx: FhirContext, req: FhirRequest, type: string, id: string): Promise<FhirResponse> {
  authorize(req.auth, { interaction: 'delete', resourceType: type });
  checkId(id);
  throwIfWriteQuery(req.query, 'DELETE', type, { id });
  const { ifMatch, ifNoneMatch } = writeConditions(req);
  const rec = await ctx.store.transaction((tx) => deleteInTx(tx, type, id, ifMatch, req.auth, ctx.store, ifNoneMatch));
  return deleted(req, rec, rec ? `Deleted ${type}/${id}` : `${type}/${id} did not exist or was already deleted`);
}

export async function conditionalDelete(ctx: FhirContext, req: FhirRequest, type: string): Promise<FhirResponse> {
  authorize(req.auth, { interaction: 'delete', resourceType: type });
  const qs = searchQueryString(req.query);
  const { ifMatch, ifNoneMatch } = writeConditions(req);
  const rec = await ctx.store.transaction((tx) => conditionalDeleteInTx(tx, type, qs, req.auth, ifMatch, ifNoneMatch));
  return deleted(req, rec, rec ? `Deleted ${type}/${rec.id}` : `No ${type} matched; nothing deleted`);
}
