import type { Resource } from '@medplum/fhirtypes';
import type { AppConfig } from '../config.js';
import type { ResourceStore } from '../storage/types.js';

/**
 * Types shared by the FHIR core, the operations and the HTTP layer. The core never sees Fastify:
 * the HTTP layer turns a Fastify request into a `FhirRequest`, calls the core, and writes the
 * `FhirResponse` back.
 */

/** Who is calling (filled by src/auth; absent when FHIR_AUTH=off). */
export interface AuthContext {
  clientId: string;
  /** `sub` of the token (client or user). */
  subject: string;
  /** Raw granted scopes, e.g. `system/Observation.rs`, `patient/*.read`. */
  scopes: string[];
  /** Patient id from the token's `patient` claim: restricts access to that compartment. */
  patient?: string;
  /** Token issuer (local or external authorization server). */
  issuer?: string;
}

/**
 * What a request touched, for the audit trail: the core notes the resources it read or wrote (the
 * stored JSON or the resource) and, for a batch or transaction, one note per entry; the HTTP audit
 * hook turns them into patient entities after the response is sent (off the request's path).
 */
export interface AuditNotes {
  touched: Array<string | Resource>;
  entries?: AuditEntryNote[];
}
export interface AuditEntryNote {
  method: string;
  /** `request.url` of the entry, relative to the base. */
  url: string;
  status: number;
  /** Id assigned by a create. */
  id?: string;
  notes: AuditNotes;
}

/** The FHIR interactions' methods, and those a FHIR route answers without one (OPTIONS: its Allow; others: 405). */
export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE' | 'HEAD' | 'OPTIONS' | 'TRACE' | 'QUERY';

export interface FhirRequest {
  method: HttpMethod;
  /** Path below the FHIR base, without leading slash and without query, e.g. `Patient/p1/_history/2`. */
  path: string;
  /** Query parameters; repeated parameters keep every value in order. */
  query: Record<string, string[]>;
  /** Lower-cased header names. */
  headers: Record<string, string | undefined>;
  /** Parsed JSON body (or JSON Patch array, or raw text for VCF import). */
  body?: unknown;
  auth?: AuthContext;
  /** Client address, for audit. */
  remoteAddress?: string;
  /** Where the core notes what it touched, when the request is audited. */
  audit?: AuditNotes;
}

export interface FhirResponse {
  status: number;
  /** A resource, or an already-serialized JSON string (served as is: the fast read path). */
  body?: Resource | string;
  headers?: Record<string, string>;
  /** The version's meta.lastUpdated (ms precision; Last-Modified has whole seconds): for Bundle entries. */
  lastUpdated?: string;
}

/** Everything a handler needs; built once by buildApp(). */
export interface FhirContext {
  config: AppConfig;
  store: ResourceStore;
}

/** A `$operation` implementation (one file per operation, driven by its OperationDefinition). */
export interface OperationHandler {
  /** Name without `$`, e.g. `find-subject-variants`. */
  name: string;
  /** Where it can be invoked. */
  levels: Array<'system' | 'type' | 'instance'>;
  /** For type/instance level: the resource types it applies to (empty = all). */
  resourceTypes?: string[];
  /** Canonical URL or id of the OperationDefinition it implements (for the CapabilityStatement). */
  definition?: string;
  /** Whether it only reads (GET allowed) — FHIR allows GET for operations with affectsState=false. */
  affectsState: boolean;
  handle(req: FhirRequest & { resourceType?: string; id?: string }, ctx: FhirContext): Promise<FhirResponse>;
}
