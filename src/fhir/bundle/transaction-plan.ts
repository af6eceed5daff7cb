import type { BundleEntry, Resource } from '@medplum/fhirtypes';
import type { FhirContext, FhirRequest } from '../context.js';
import { fhirError } from '../errors.js';
import { authorize, type Interaction } from '../../auth/authorize.js';
import type { VersionRecord } from '../../storage/types.js';
import { isKnownResourceType } from '../resource-types.js';
import { checkId, throwIfNoneExistOnWrite, throwIfWriteQuery } from '../rest/request-utils.js';
import { parseEtags, type EtagCondition } from '../rest/etag.js';
import { prepareIncoming } from '../rest/validate-incoming.js';
import { ifNoneExistCriteria } from '../rest/write-core.js';
import { errorForEntry } from './entry-response.js';
import { parseEntryUrl, patchFromEntry, type EntryTarget } from './entry-request.js';
import { throwIfBadFullUrl } from './full-urls.js';
import { undoRewrites, type RewriteLog } from './references.js';

/**
 * The first pass of a transaction, outside the store: every entry is parsed, authorized and (for
 * POST/PUT) validated before anything is written, so a bad entry fails the whole Bundle cheaply.
 */
export interface Planned {
  index: number;
  entry: BundleEntry;
  target: EntryTarget;
  kind: 'create' | 'update' | 'patch' | 'delete' | 'get';
  type?: string;
  /** Known target id (from the URL, or assigned / resolved later). */
  id?: string;
  /** Search criteria of a conditional update/patch/delete. */
  condition?: string;
  ifMatch?: EtagCondition;
  /** On a write, as the If-None-Match header (write-core.ts); a GET entry's is a read's, dispatched. */
  ifNoneMatch?: EtagCondition;
  ifNoneExist?: string;
  resource?: Resource;
  patch?: unknown[];
  /** Filled while executing (by each attempt anew: ./transaction.ts). */
  existing?: VersionRecord;
  record?: VersionRecord;
  status?: number;
}

const INTERACTION: Record<Planned['kind'], Interaction> = { create: 'create', update: 'update', patch: 'patch', delete: 'delete', get: 'read' };

function planEntry(ctx: FhirContext, req: FhirRequest, entry: BundleEntry, index: number): Planned {
  if (!entry || typeof entry !== 'object') throw fhirError('BAD_REQUEST', 'An entry must be an object');
  const target = parseEntryUrl(ctx, entry.request?.method, entry.request?.url);
  const [type, id, ...rest] = target.segments;
  const p: Planned = { index, entry, target, kind: 'get' };
  if (target.method === 'GET' || target.method === 'HEAD') return p; // authorized when dispatched
  // An $operation runs its own store work (or none), outside the transaction's all-or-nothing
  // commit, and its answer is no write result: it is refused by name, rather than read as a
  // type/id (`Invalid id "$validate"`). A batch runs operations (entries are independent requests),
  // and a GET operation here runs like any GET entry.
  if (target.segments.some((s) => s.startsWith('$'))) {
    throw fhirError('NOT_SUPPORTED_HERE', `Operations (${entry.request!.url}) are not supported as ${target.method} entries of a transaction: send them on their own or in a batch`, 'request.url');
  }
  if (!type || !isKnownResourceType(type)) throw fhirError('UNKNOWN_TYPE', `Unknown resource type in request.url ${entry.request!.url}`, 'request.url');
  if (rest.length) throw fhirError('BAD_REQUEST', `request.url ${entry.request!.url} is not a ${target.method} target`, 'request.url');
  p.type = type;
  if (id !== undefined) p.id = checkId(id);
  // criteria on a create or on an id would be ignored (request-utils.ts throwIfWriteQuery)
  if (target.method === 'POST' || id !== undefined) throwIfWriteQuery(target.query, target.method, type, id === undefined ? 'create' : { id }, 'request.url');
  // the same semantics as the If-Match header (http.html#transaction): one parser for both
  p.ifMatch = parseEtags('If-Match', entry.request?.ifMatch);
  p.ifNoneMatch = parseEtags('If-None-Match', entry.request?.ifNoneMatch);
  if (target.method !== 'POST') throwIfNoneExistOnWrite(entry.request?.ifNoneExist, target.method, true);
  if (target.method === 'POST') {
    if (id !== undefined) throw fhirError('BAD_REQUEST', 'A POST entry URL is the resource type only', 'request.url');
    p.kind = 'create';
    const ifNoneExist = entry.request?.ifNoneExist;
    p.ifNoneExist = ifNoneExist === undefined ? undefined : ifNoneExistCriteria(ifNoneExist, type, ctx.config.baseUrl, 'request.ifNoneExist');
    p.resource = prepareIncoming(ctx, requireResource(entry), { resourceType: type, ignoreId: true, resolvesConditionalReferences: true });
  } else if (target.method === 'PUT') {
    p.kind = 'update';
    if (id === undefined) p.condition = target.queryString;
    p.resource = prepareIncoming(ctx, requireResource(entry), { resourceType: type, id, resolvesConditionalReferences: true });
  } else if (target.method === 'PATCH') {
    p.kind = 'patch';
    if (id === undefined) p.condition = target.queryString;
    p.patch = patchFromEntry(entry.resource);
  } else {
    p.kind = 'delete';
    if (id === undefined) p.condition = target.queryString;
  }
  if (id === undefined && p.kind !== 'create' && !p.condition) throw fhirError('BAD_REQUEST', `${target.method} needs an id or search criteria`, 'request.url');
  authorize(req.auth, { interaction: INTERACTION[p.kind], resourceType: type });
  return p;
}

function requireResource(entry: BundleEntry): Resource {
  const r = entry.resource;
  if (!r || typeof r !== 'object' || Array.isArray(r)) throw fhirError('BAD_REQUEST', 'This entry needs a resource', 'resource');
  return r;
}

export function planTransaction(ctx: FhirContext, req: FhirRequest, entries: BundleEntry[]): Planned[] {
  entries.forEach(throwIfBadFullUrl);
  return entries.map((entry, i) => {
    try {
      return planEntry(ctx, req, entry, i);
    } catch (err) {
      throw errorForEntry(err, i);
    }
  });
}

/**
 * What puts the plan back as planned before each attempt of the store transaction (the store may
 * run the work more than once: ResourceStore.transaction): the ids known from the entry URLs, no
 * target resolved or executed yet, and the resources' reference slots as posted (`rewrites`).
 */
export function planReset(plan: readonly Planned[], rewrites: RewriteLog): () => void {
  const ids = plan.map((p) => p.id);
  return () => {
    undoRewrites(rewrites);
    plan.forEach((p, i) => {
      p.id = ids[i];
      delete p.existing;
      delete p.record;
      delete p.status;
    });
  };
}

/** https://hl7.org/fhir/R4/http.html#trules: DELETE, then POST, then PUT/PATCH, then GET/HEAD. */
export const ORDER: Record<Planned['kind'], number> = { delete: 0, create: 1, update: 2, patch: 2, get: 3 };
