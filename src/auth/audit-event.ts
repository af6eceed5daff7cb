import { randomUUID } from 'node:crypto';
import type { AuditEvent, AuditEventAgent, AuditEventEntity } from '@medplum/fhirtypes';
import { auditAction, type RequestFacts } from './audit-request.js';

/**
 * Builds one AuditEvent per REST request in the style of IHE Basic Audit Log Patterns
 * (https://profiles.ihe.net/ITI/BALP/): type `rest`, subtype = the FHIR interaction, the client
 * (and the user, when the token's subject is not the client) as requesting agents with their
 * network address, this server as source, and entities for the resource, the query and the patient.
 * Never bodies, never tokens: the query string is kept minus `access_token`-like parameters.
 * Codes carry no display strings: millions of these are stored, and the codes are the standard.
 */
export interface AuditInput {
  facts: RequestFacts;
  method: string;
  /** Path below the FHIR base plus the query string, as sent. */
  url: string;
  status: number;
  clientId?: string;
  subject?: string;
  issuer?: string;
  remoteAddress?: string;
  /** Id assigned by a create, read back from the Location header. */
  createdId?: string;
  recorded?: Date;
  /**
   * Further successful reads by the same agent, from the same address, of the same type (and
   * patient), coalesced into this event by the audit log: each is one more entity, and
   * `period` spans them all.
   */
  more?: Array<{ id: string; at: number }>;
  /** The patients the request touched (default: the one its facts name). */
  patients?: string[];
}

const DCM = 'http://dicom.nema.org/resources/ontology/DCM';
const ENTITY_TYPE = 'http://terminology.hl7.org/CodeSystem/audit-entity-type';
const OBJECT_ROLE = 'http://terminology.hl7.org/CodeSystem/object-role';
const SECRET_PARAMS = /^(access_token|token|client_assertion|code|password)$/i;

export function auditOutcome(status: number): '0' | '4' | '8' {
  return status < 400 ? '0' : status < 500 ? '4' : '8';
}

/** The query string without anything that could be a credential. */
export function safeQuery(url: string): string {
  const q = url.indexOf('?');
  if (q < 0) return '';
  const params = new URLSearchParams(url.slice(q + 1));
  for (const k of [...params.keys()]) if (SECRET_PARAMS.test(k)) params.delete(k);
  return params.toString();
}

export function buildAuditEvent(input: AuditInput): AuditEvent & { id: string } {
  const { facts } = input;
  const agent: AuditEventAgent[] = [
    {
      type: { coding: [{ system: DCM, code: '110153' }] },
      who: { identifier: { system: input.issuer, value: input.clientId ?? 'anonymous' } },
      requestor: true,
      ...(input.remoteAddress ? { network: { address: input.remoteAddress, type: '2' as const } } : {}),
    },
  ];
  if (input.subject && input.subject !== input.clientId) {
    agent.push({
      type: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-RoleClass', code: 'PROV' }] },
      who: { identifier: { system: input.issuer, value: input.subject } },
      requestor: true,
    });
  }
  const entity: AuditEventEntity[] = [];
  const id = facts.id ?? input.createdId;
  if (facts.resourceType && id) {
    const ids = new Set([id, ...(input.more ?? []).map((m) => m.id)]);
    for (const one of ids) {
      entity.push({
        what: { reference: `${facts.resourceType}/${one}` },
        type: { system: ENTITY_TYPE, code: '2' },
        role: { system: OBJECT_ROLE, code: '4' },
      });
    }
  }
  const query = safeQuery(input.url);
  if (query || facts.interaction.startsWith('search') || facts.operation) {
    const path = input.url.split('?')[0];
    entity.push({
      type: { system: ENTITY_TYPE, code: '2' },
      role: { system: OBJECT_ROLE, code: '24' },
      description: `${input.method} ${path}`,
      ...(query ? { query: Buffer.from(query).toString('base64') } : {}),
    });
  }
  for (const patient of input.patients ?? (facts.patient ? [facts.patient] : [])) {
    entity.push({
      what: { reference: `Patient/${patient}` },
      type: { system: ENTITY_TYPE, code: '1' },
      role: { system: OBJECT_ROLE, code: '1' },
    });
  }
  const subtype = facts.operation ? `$${facts.operation}` : facts.interaction === 'search-compartment' ? 'search-type' : facts.interaction;
  return {
    resourceType: 'AuditEvent',
    id: randomUUID(),
    type: { system: 'http://terminology.hl7.org/CodeSystem/audit-event-type', code: 'rest' },
    subtype: [facts.operation
      ? { system: 'urn:fhir-genomics-server:operation', code: subtype }
      : { system: 'http://hl7.org/fhir/restful-interaction', code: subtype }],
    action: auditAction(facts.interaction),
    recorded: (input.recorded ?? new Date()).toISOString(),
    ...(input.more?.length
      ? { period: { start: (input.recorded ?? new Date()).toISOString(), end: new Date(input.more[input.more.length - 1].at).toISOString() } }
      : {}),
    outcome: auditOutcome(input.status),
    outcomeDesc: `HTTP ${input.status}`,
    agent,
    source: {
      observer: { display: 'fhir-genomics-server' },
      type: [{ system: 'http://terminology.hl7.org/CodeSystem/security-source-type', code: '4' }],
    },
    ...(entity.length ? { entity } : {}),
  };
}
