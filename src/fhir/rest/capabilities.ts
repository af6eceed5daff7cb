import type {
  CapabilityStatement, CapabilityStatementRestResource, CapabilityStatementRestResourceOperation, CapabilityStatementRestResourceSearchParam,
} from '@medplum/fhirtypes';
import type { FhirContext, FhirRequest, FhirResponse } from '../context.js';
import { AUDIT_TYPE, authorize } from '../../auth/authorize.js';
import { smartOauthUris } from '../../auth/smart-capability.js';
import { capabilitySearchParams, includeValues, revIncludeValues } from '../../search/search-service.js';
import { operationHandlers } from '../operations/index.js';
import { resourceTypes } from '../resource-types.js';
import { fhirError } from '../errors.js';
import { param } from './request-utils.js';
import { igResourceProfiles } from '../../validation/profiles/ig-package.js';

/**
 * `GET /fhir/metadata` (https://hl7.org/fhir/R4/http.html#capabilities): generated from what the
 * server really has — the resource type list, the interactions implemented in this directory,
 * the search parameters the search module indexes, and the registered operations.
 */
const TYPE_INTERACTIONS = ['read', 'vread', 'update', 'patch', 'delete', 'history-instance', 'history-type', 'create', 'search-type'] as const;
const READ_INTERACTIONS = ['read', 'vread', 'history-instance', 'history-type', 'search-type'] as const;
const BASE_PARAMS: CapabilityStatementRestResourceSearchParam[] = [
  { name: '_id', type: 'token', definition: 'http://hl7.org/fhir/SearchParameter/Resource-id' },
  { name: '_lastUpdated', type: 'date', definition: 'http://hl7.org/fhir/SearchParameter/Resource-lastUpdated' },
];

/** Why these two types list writes that some ids refuse (built-ins.ts): the rule, stated where it applies. */
const BUILT_IN_NOTE: Record<string, string> = {
  SearchParameter: "The server's own SearchParameters (the definitions this statement names) are read-only: update, patch and delete of them answer 405. Other ids are stored like any resource; a stored SearchParameter does not change search. Search finds them with the stored ones; type or system history covers stored SearchParameters only.",
  OperationDefinition: "The server's own OperationDefinitions (the definitions this statement names) are read-only: update, patch and delete of them answer 405. Other ids are stored like any resource. Search finds them with the stored ones; type or system history covers stored OperationDefinitions only.",
};

/** The parameters the search module really indexes for this type, plus the base ones. */
function searchParams(type: string): CapabilityStatementRestResourceSearchParam[] {
  const params = capabilitySearchParams(type) as CapabilityStatementRestResourceSearchParam[];
  const names = new Set(params.map((p) => p.name));
  return [...BASE_PARAMS.filter((p) => !names.has(p.name)), ...params];
}

/** What a system search (`GET /fhir`) takes: the Resource-level parameters, as it parses them (parse.ts parseSystemClause). */
function systemParams(): CapabilityStatementRestResourceSearchParam[] {
  return searchParams('Resource');
}

/**
 * R4 has no element for the page size, so `_count` is listed among the parameters every search
 * takes, its default and maximum in `documentation` (README, Configuration).
 */
function countParam(ctx: FhirContext): CapabilityStatementRestResourceSearchParam {
  const { defaultCount, maxCount } = ctx.config;
  return {
    name: '_count', type: 'number',
    documentation: `Page size of search and history: default ${defaultCount}, maximum ${maxCount} (a larger _count is answered with ${maxCount}); _count=0 asks for the total only.`,
  };
}

function operationEntry(name: string, definition: string | undefined): CapabilityStatementRestResourceOperation {
  return { name, definition: definition ?? `OperationDefinition/${name}` };
}

let cached: { key: string; json: string } | undefined;

export function buildCapabilityStatement(ctx: FhirContext): CapabilityStatement {
  const types = resourceTypes();
  const resource: CapabilityStatementRestResource[] = types.map((type) => {
    const ops = operationHandlers
      .filter((h) => (h.levels.includes('type') || h.levels.includes('instance')) && (!h.resourceTypes?.length || h.resourceTypes.includes(type)))
      .map((h) => operationEntry(h.name, h.definition));
    // With auth on, the server writes the audit trail itself and refuses every client write of it
    // (authorize.ts): only the reading interactions are listed (CapabilityStatement.rest.resource.interaction)
    const readOnly = ctx.config.auth && type === AUDIT_TYPE;
    // the Genomics Reporting profiles a claim on this type is validated against (validation/profiles)
    const profiles = igResourceProfiles(type);
    return {
      type: type as CapabilityStatementRestResource['type'],
      interaction: (readOnly ? READ_INTERACTIONS : TYPE_INTERACTIONS).map((code) => ({ code })),
      versioning: 'versioned-update',
      readHistory: true,
      updateCreate: !readOnly,
      conditionalCreate: !readOnly,
      conditionalRead: 'full-support', // If-None-Match and If-Modified-Since answer 304 (read.ts)
      conditionalUpdate: !readOnly,
      conditionalDelete: readOnly ? 'not-supported' : 'single',
      ...(readOnly ? { documentation: 'Written by the server only (the audit trail); readable with a scope naming AuditEvent itself.' } : {}),
      referencePolicy: ['literal', 'local'],
      ...(profiles.length ? { supportedProfile: profiles } : {}),
      searchInclude: includeValues(type),
      searchRevInclude: revIncludeValues(type),
      searchParam: searchParams(type),
      ...(ops.length ? { operation: ops } : {}),
      ...(BUILT_IN_NOTE[type] ? { documentation: BUILT_IN_NOTE[type] } : {}),
    };
  });
  return {
    resourceType: 'CapabilityStatement',
    status: 'active',
    date: new Date().toISOString(),
    kind: 'instance',
    name: 'FhirGenomicsServer',
    title: 'FHIR Genomics Server',
    publisher: 'fhir-genomics-server',
    software: { name: 'fhir-genomics-server', version: '0.1.0' },
    implementation: { description: 'FHIR R4 genomics server', url: ctx.config.baseUrl },
    fhirVersion: '4.0.1',
    format: ['json', 'application/fhir+json'],
    patchFormat: ['application/json-patch+json'],
    implementationGuide: ['http://hl7.org/fhir/uv/genomics-reporting/ImplementationGuide/hl7.fhir.uv.genomics-reporting|3.0.0'],
    rest: [
      {
        mode: 'server',
        ...(ctx.config.auth
          ? {
              security: {
                extension: smartOauthUris(ctx.config.baseUrl),
                service: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/restful-security-service', code: 'SMART-on-FHIR' }] }],
                description: 'SMART Backend Services (client_credentials + private_key_jwt); bearer token required',
              },
            }
          : {}),
        resource,
        interaction: [{ code: 'transaction' }, { code: 'batch' }, { code: 'search-system' }, { code: 'history-system' }],
        searchParam: [...systemParams(), countParam(ctx)],
        operation: operationHandlers.filter((h) => h.levels.includes('system')).map((h) => operationEntry(h.name, h.definition)),
      },
    ],
  };
}

export async function capabilities(ctx: FhirContext, req: FhirRequest): Promise<FhirResponse> {
  authorize(req.auth, { interaction: 'capabilities' });
  // http.html#capabilities: full (default) and normative are this statement (all of it is normative
  // in R4); terminology asks for a TerminologyCapabilities, which a server without a terminology
  // service does not have: answering the CapabilityStatement would be another resource than asked.
  const mode = param(req, 'mode');
  if (mode !== undefined && mode !== 'full' && mode !== 'normative') {
    throw fhirError('BAD_REQUEST', `metadata mode=${mode.slice(0, 40)} is not supported: full or normative (this server has no terminology service, so no TerminologyCapabilities)`, 'mode');
  }
  // Rebuilt only when what it describes changes (type list generated, operations registered).
  const key = `${ctx.config.baseUrl}|${ctx.config.auth}|${ctx.config.defaultCount}|${ctx.config.maxCount}|${resourceTypes().length}|${operationHandlers.length}`;
  if (cached?.key !== key) cached = { key, json: JSON.stringify(buildCapabilityStatement(ctx)) };
  return { status: 200, body: cached.json };
}
