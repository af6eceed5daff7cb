import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { AuthService } from '../auth/auth-service.js';
import { describeRequest, patientIdOf } from '../auth/audit-request.js';
import { assertCanWrite, authorize } from '../auth/authorize.js';
import type { AuthContext } from '../fhir/context.js';
import { fhirError, FhirError } from '../fhir/errors.js';
import { unauthorized } from '../auth/verify-token.js';
import { paramRecord } from '../fhir/query-params.js';
import { errorForEntry } from '../fhir/bundle/entry-response.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** Verified caller (absent when FHIR_AUTH=off or on public paths). */
    auth?: AuthContext;
    /** Authentication failure, raised after the rate limiter has counted the request. */
    authError?: FhirError;
  }
}

/**
 * Bearer authentication for everything under /fhir (RFC 6750, SMART Backend Services), except
 * the public discovery documents. Fails closed: any path that starts with /fhir and is not
 * exactly a public one needs a token. The failure is only raised in preParsing, after the
 * route-level rate limiter has counted the request (so token guessing is rate limited too) and
 * before the body is parsed (so an anonymous caller cannot make the server parse 64 MB).
 */
const PUBLIC = new Set(['/fhir/metadata', '/fhir/metadata/', '/fhir/.well-known/smart-configuration', '/fhir/.well-known/smart-configuration/']);

export function pathOf(url: string): string {
  const q = url.indexOf('?');
  return q < 0 ? url : url.slice(0, q);
}

const FHIR_PREFIX = /^\/fhir/i;

export function isFhirPath(url: string): boolean {
  return FHIR_PREFIX.test(url);
}

export function isPublicFhirPath(method: string, url: string): boolean {
  return (method === 'GET' || method === 'HEAD') && PUBLIC.has(pathOf(url));
}

/** A reference the transaction resolves (conditional `Type?…`, or another entry's `urn:uuid:`). */
const RESOLVED_LATER = /"reference":"(?:urn:|[A-Za-z]+\?)/;

const BEARER = /^Bearer[ ]+([A-Za-z0-9\-._~+/]+=*)$/;

const BEARER_PREFIX = 'Bearer ';

function failed(request: FastifyRequest, err: unknown): void {
  request.authError = err instanceof FhirError ? err : unauthorized('the token could not be verified');
}

/**
 * Sets request.auth or request.authError, then calls `done`: at once when the connection's last
 * verified token is presented again (the common case: no regex, no hash, no promise; that token
 * passed the checks below when it was verified), else once the token is verified.
 */
function authenticate(svc: AuthService, request: FastifyRequest, done: () => void): void {
  const header = request.headers.authorization;
  const connection = request.raw.socket as object | null;
  if (connection && header !== undefined && header.startsWith(BEARER_PREFIX)) {
    try {
      const known = svc.knownOn(header.slice(BEARER_PREFIX.length), request.ip, connection);
      if (known) {
        request.auth = known;
        return done();
      }
    } catch (err) {
      failed(request, err);
      return done();
    }
  }
  if (header === undefined || header === '') {
    request.authError = unauthorized(undefined);
    return done();
  }
  const m = BEARER.exec(header);
  if (!m) {
    request.authError = unauthorized('the Authorization header must be "Bearer <token>"');
    return done();
  }
  (connection ? svc.verifyOn(m[1], request.ip, connection) : svc.verify(m[1], request.ip)).then((auth) => {
    request.auth = auth;
    done();
  }, (err: unknown) => {
    failed(request, err);
    done();
  });
}

export function registerAuthHooks(app: FastifyInstance, svc: AuthService): void {
  app.decorateRequest('auth', undefined);
  app.decorateRequest('authError', undefined);
  app.addHook('onRequest', (request, _reply, done) => {
    if (request.method === 'OPTIONS' || !isFhirPath(request.url) || isPublicFhirPath(request.method, request.url)) return done();
    authenticate(svc, request, done);
  });
  // Callback-style hooks on the hot path: no promise per request.
  app.addHook('preParsing', (request, _reply, payload, done) => {
    done(request.authError ?? null, payload);
  });
  app.addHook('preHandler', (request, _reply, done) => {
    if (!request.auth) return done();
    try {
      if (request.url.includes('_has') || request.url.includes('_type')) guardSearchTypes(request, request.auth);
      if (request.auth.patient !== undefined) guardPatientToken(request, request.auth.patient, app.config.baseUrl);
      done();
    } catch (err) {
      done(err as Error);
    }
  });
}

/**
 * Types a search reaches besides its own: `_has:Type:…` (reverse chaining) and `_type=A,B`
 * (system search) need the search right on each, so a token cannot probe data, the audit trail
 * included, it may not read.
 */
function guardSearchTypes(request: FastifyRequest, auth: AuthContext): void {
  const query = queryOf(request);
  const types = new Set<string>();
  for (const key of Object.keys(query)) {
    for (const m of key.matchAll(/_has:([A-Za-z]+):/g)) types.add(m[1]);
  }
  for (const v of query._type ?? []) for (const t of v.split(',')) if (t.trim()) types.add(t.trim());
  for (const t of types) authorize(auth, { interaction: 'search', resourceType: t });
}

function queryOf(request: FastifyRequest): Record<string, string[]> {
  const out = paramRecord();
  for (const [k, v] of Object.entries((request.query ?? {}) as Record<string, unknown>)) {
    out[k] = (Array.isArray(v) ? v : [v]).filter((x): x is string => typeof x === 'string');
  }
  return out;
}

/** Values of `subject`/`patient` parameters in a Parameters body (operations invoked by POST). */
function parameterPatients(body: unknown): string[] {
  const params = (body as { resourceType?: unknown; parameter?: unknown })?.resourceType === 'Parameters' ? (body as { parameter?: unknown }).parameter : undefined;
  if (!Array.isArray(params)) return [];
  const out: string[] = [];
  for (const p of params.slice(0, 1000) as Array<Record<string, unknown>>) {
    if (p?.name !== 'subject' && p?.name !== 'patient') continue;
    for (const k of ['valueString', 'valueId', 'valueUri', 'valueCode']) if (typeof p[k] === 'string') out.push(p[k] as string);
    const ref = (p.valueReference as { reference?: unknown } | undefined)?.reference;
    if (typeof ref === 'string') out.push(ref);
  }
  return out;
}

/**
 * Defense in depth for patient-level tokens, on top of the per-resource checks in the core:
 * the URL and the operation parameters may only name the token's own patient (anything else
 * answers 404, as if it did not exist), and every resource written, alone or in a Bundle, must
 * land in the token's compartment.
 */
function guardPatientToken(request: FastifyRequest, patient: string, baseUrl: string): void {
  const path = pathOf(request.url).replace(/^\/fhir\/?/, '');
  const query = queryOf(request);
  const facts = describeRequest(request.method, path, query, baseUrl);
  const named: string[] = [];
  // A read of another Patient is the core's to judge: one whose `link` names the token's patient
  // is in its compartment (R4 Patient CompartmentDefinition: Patient via `link`), as search says.
  const readOnly = facts.interaction === 'read' || facts.interaction === 'vread' || facts.interaction === 'history-instance';
  if (facts.resourceType === 'Patient' && facts.id && !readOnly) named.push(facts.id);
  if (facts.operation || facts.interaction === 'search-compartment') {
    if (facts.patient) named.push(facts.patient);
    for (const k of ['subject', 'patient']) for (const v of query[k] ?? []) named.push(v);
    named.push(...parameterPatients(request.body));
  }
  for (const v of named) {
    const id = patientIdOf(v, baseUrl);
    if (id !== patient) throw fhirError('NOT_FOUND', id === undefined ? `${v.slice(0, 80)} is not a patient of this server` : `Patient/${id.slice(0, 64)} is not known`);
  }
  if (request.method === 'PATCH') return guardPatch(request.body, patient);
  const body = request.body as { resourceType?: unknown; entry?: unknown } | undefined;
  if (request.method !== 'POST' && request.method !== 'PUT') return;
  if (!body || typeof body !== 'object' || typeof body.resourceType !== 'string') return;
  if (body.resourceType === 'Bundle' && path === '') {
    // A batch's entries are authorized one by one by the core, each answered in its own entry (one
    // refused entry must not refuse the others). A transaction's are checked here too, except
    // where the core alone knows the target: a conditional entry (`PUT Patient?identifier=…`) or a
    // resource with conditional or `urn:uuid:` references, checked once they are resolved.
    if ((body as { type?: unknown }).type !== 'transaction' || !Array.isArray(body.entry)) return;
    (body.entry as Array<{ resource?: { resourceType?: unknown }; request?: { method?: unknown; url?: unknown } }>).forEach((e, i) => {
      const m = e?.request?.method;
      const url = e?.request?.url;
      if ((m !== 'POST' && m !== 'PUT') || !e.resource || typeof e.resource.resourceType !== 'string') return;
      if ((typeof url === 'string' && url.includes('?')) || RESOLVED_LATER.test(JSON.stringify(e.resource))) return;
      try {
        assertCanWrite(request.auth, e.resource as { resourceType: string });
      } catch (err) {
        throw errorForEntry(err, i);
      }
    });
  } else if (!facts.operation && body.resourceType !== 'Parameters') {
    assertCanWrite(request.auth, body as { resourceType: string });
  }
}

/** A JSON Patch from a patient token must not introduce a reference to another patient. */
function guardPatch(body: unknown, patient: string): void {
  const text = JSON.stringify(body ?? null);
  for (const m of text.matchAll(/Patient\/([A-Za-z0-9\-.]{1,64})/g)) {
    if (m[1] !== patient) throw fhirError('FORBIDDEN', `A patient-level token can only write resources in the compartment of Patient/${patient}`);
  }
}
