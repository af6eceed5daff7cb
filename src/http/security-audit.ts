import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Resource } from '@medplum/fhirtypes';
import { AuditLog, readGroupKey } from '../auth/audit-log.js';
import { describeRequest, type RequestFacts } from '../auth/audit-request.js';
import { targetPatients, touchedPatients } from '../auth/audit-patients.js';
import type { AuditInput } from '../auth/audit-event.js';
import type { AuditNotes } from '../fhir/context.js';
import type { AppConfig } from '../config.js';
import { isFhirPath, isPublicFhirPath, pathOf } from './security-auth-hook.js';
import { paramRecord, paramsOf } from '../fhir/query-params.js';
import { idOfVersionUrl } from '../fhir/rest/response.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** What the FHIR core touched (audited requests only). */
    auditNotes?: AuditNotes;
  }
}

/** A plain read or vread by URL (no query, nothing percent-encoded): what describeRequest calls read/vread. */
const READ_PATH = /^\/fhir\/([A-Z][A-Za-z]{1,63})\/([A-Za-z0-9\-.]{1,64})(?:\/_history\/([A-Za-z0-9\-.]{1,64}))?$/;

/**
 * Records an AuditEvent for every /fhir request except the public CapabilityStatement, once the
 * response is sent (outcome included), including refused ones (401/403/404 are what an auditor
 * looks for). Writes are batched by AuditLog and flushed by the onClose hook, which Fastify runs
 * before the store's own onClose (hooks run in reverse order of registration).
 * Patients: those of the resources the request actually read or wrote (AuditNotes, from their
 * compartment), else the one its URL names, else a patient token's own (its searches are confined
 * there). A batch or transaction records one event for the Bundle (every entry's patients) and one
 * per entry, with the entry's interaction, resource or query, patients and status.
 */
export function registerAudit(app: FastifyInstance, config: AppConfig): AuditLog | undefined {
  if (!config.security.audit) return undefined;
  const log = new AuditLog(app.store, {
    onError: (err, dropped) => app.log.error({ err, dropped }, 'audit batch could not be written; will retry'),
  });
  // look-ups of a target's patients still running (refused writes, deletes): awaited on close
  const pending = new Set<Promise<unknown>>();
  app.decorateRequest('auditNotes', undefined);
  app.addHook('onRequest', (request, _reply, done) => {
    if (isFhirPath(request.url)) request.auditNotes = { touched: [] };
    done();
  });
  app.addHook('onResponse', (request, reply, done) => {
    try {
      recordRequest(request, reply);
    } catch (err) {
      request.log.error({ err }, 'audit record failed');
    }
    done();
  });
  app.addHook('onClose', async () => {
    while (pending.size) await Promise.allSettled([...pending]);
    await log.close();
  });
  return log;

  /** Records one event; answers the patients it named (at once, or after a look-up in the store). */
  function record(input: AuditInput, notes: AuditNotes | undefined, tokenPatient: string | undefined): string[] | Promise<string[]> {
    const touched = touchedPatients(notes, config.baseUrl);
    const { facts } = input;
    const finish = (found: string[]): string[] => {
      const patients = namedPatients(found, facts.patient, tokenPatient);
      log.record({ ...input, patients });
      return patients;
    };
    // an instance the core did not note (a refused write, a delete): its patients from the store.
    // Not when the core noted what it touched (a Practitioner names no patient: no second read),
    // nor for a 401 (an unauthenticated probe costs no store read) or a read answered 404.
    const looked = (notes?.touched.length ?? 0) > 0;
    const nothingThere = input.status === 404 && (facts.interaction === 'read' || facts.interaction === 'vread');
    if (!touched.length && !looked && input.status !== 401 && !nothingThere && facts.resourceType && facts.id && !facts.operation && facts.interaction !== 'create') {
      return track(targetPatients(app.store, facts.resourceType, facts.id, config.baseUrl).then(finish, () => finish([])));
    }
    return finish(touched);
  }

  function track<T>(work: Promise<T>): Promise<T> {
    const p = work.finally(() => pending.delete(p));
    pending.add(p);
    return p;
  }

  /**
   * The common case under load, cheaply: a successful plain read whose event of the same group is
   * still open joins it (AuditLog.join) without building an AuditInput. Keys, patients and time
   * are what the full path below would compute for it; anything else takes the full path.
   */
  function joinRead(request: FastifyRequest, reply: FastifyReply): boolean {
    if (request.method !== 'GET' || reply.statusCode >= 300) return false;
    const m = READ_PATH.exec(request.url);
    const notes = request.auditNotes;
    if (!m || !notes || notes.touched.length !== 1 || notes.entries) return false;
    const [, type, id, version] = m;
    const touched = touchedPatients(notes, config.baseUrl);
    const tokenPatient = request.auth?.patient;
    const patients = namedPatients(touched, type === 'Patient' ? id : undefined, tokenPatient);
    const key = readGroupKey(agentOf(request), version === undefined ? 'read' : 'vread', type, patients);
    return log.join(key, id, Date.now());
  }

  function agentOf(request: FastifyRequest): { clientId: string; subject?: string; issuer?: string; remoteAddress?: string } {
    return {
      clientId: request.auth?.clientId ?? (config.auth ? 'unauthenticated' : 'anonymous'),
      subject: request.auth?.subject,
      issuer: request.auth?.issuer,
      remoteAddress: request.ip,
    };
  }

  function recordRequest(request: FastifyRequest, reply: FastifyReply): void {
    if (joinRead(request, reply)) return;
    if (request.method === 'OPTIONS' || !isFhirPath(request.url) || isPublicFhirPath(request.method, request.url)) return;
    const path = pathOf(request.url).replace(/^\/fhir\/?/, '');
    const query = paramRecord();
    if (request.url.includes('?')) {
      for (const [k, v] of Object.entries((request.query ?? {}) as Record<string, unknown>)) {
        query[k] = (Array.isArray(v) ? v : [v]).filter((x): x is string => typeof x === 'string');
      }
    }
    const facts = factsOf(request.method, path, query, config.baseUrl);
    const body = request.body as { resourceType?: unknown; type?: unknown; entry?: unknown } | undefined;
    const bundleType = body?.type;
    const isBundle = facts.interaction === 'batch/transaction' && (bundleType === 'batch' || bundleType === 'transaction');
    if (isBundle) facts.interaction = bundleType;
    const location = reply.getHeader('location');
    const created = idOfVersionUrl(location);
    const agent = { ...agentOf(request), recorded: new Date() };
    const tokenPatient = request.auth?.patient;
    const notes = request.auditNotes;
    if (isBundle) {
      const entries = notes?.entries ?? refusedEntries(body, reply.statusCode);
      const named: Array<string[] | Promise<string[]>> = [];
      for (const e of entries) {
        const [rel, entryPath, entryQuery] = splitEntryUrl(e.url);
        const entryFacts = factsOf(e.method, entryPath, entryQuery, config.baseUrl);
        named.push(record({
          ...agent, facts: entryFacts, method: e.method, url: `/${rel}`,
          status: e.status, createdId: entryFacts.interaction === 'create' ? e.id : undefined,
        }, e.notes, tokenPatient));
      }
      // the Bundle's own event names every entry's patients
      const whole: AuditInput = { ...agent, facts, method: request.method, url: request.url.replace(/^\/fhir/, ''), status: reply.statusCode };
      void track(Promise.all(named).then((lists) => log.record({ ...whole, patients: [...new Set(lists.flat())].sort() })));
      return;
    }
    record({
      ...agent,
      facts,
      method: request.method,
      url: request.url.replace(/^\/fhir/, ''),
      status: reply.statusCode,
      createdId: facts.interaction === 'create' ? created : undefined,
    }, reachedFor(facts, reply.statusCode, body, notes), tokenPatient);
  }

  /** A refused create touched nothing, but it reached for the patients its resource names. */
  function reachedFor(facts: RequestFacts, status: number, body: unknown, notes: AuditNotes | undefined): AuditNotes | undefined {
    if (facts.interaction !== 'create' || status < 400 || notes?.touched.length) return notes;
    const r = body as { resourceType?: unknown } | undefined;
    return r && typeof r === 'object' && typeof r.resourceType === 'string' ? { ...notes, touched: [r as Resource] } : notes;
  }

  /** The entries of a Bundle refused as a whole (nothing ran): their requests and resources, the Bundle's status. */
  function refusedEntries(body: { entry?: unknown } | undefined, status: number): NonNullable<AuditNotes['entries']> {
    if (!Array.isArray(body?.entry)) return [];
    return (body.entry as Array<{ request?: { method?: unknown; url?: unknown }; resource?: unknown } | null>).slice(0, 1000).map((e) => ({
      method: typeof e?.request?.method === 'string' ? e.request.method : 'unknown',
      url: typeof e?.request?.url === 'string' ? e.request.url : '',
      status,
      notes: { touched: e?.resource && typeof e.resource === 'object' ? [e.resource as never] : [] },
    }));
  }

  function splitEntryUrl(url: string): [string, string, Record<string, string[]>] {
    let rel = url.startsWith(config.baseUrl + '/') ? url.slice(config.baseUrl.length + 1) : url;
    rel = rel.replace(/^\/+/, '');
    const q = rel.indexOf('?');
    return q < 0 ? [rel, rel, {}] : [rel, rel.slice(0, q), paramsOf(rel.slice(q + 1))];
  }
}

/** The patients an event names: those touched, else the one the URL names, else a patient token's own. */
function namedPatients(touched: string[], urlPatient: string | undefined, tokenPatient: string | undefined): string[] {
  return touched.length ? touched : urlPatient ? [urlPatient] : tokenPatient ? [tokenPatient] : [];
}

function factsOf(method: string, path: string, query: Record<string, string[]>, baseUrl: string): RequestFacts {
  try {
    return describeRequest(method, path.includes('%') ? decodeURIComponent(path) : path, query, baseUrl);
  } catch {
    return describeRequest(method, path, query, baseUrl);
  }
}
