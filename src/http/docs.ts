import type { FastifyInstance } from 'fastify';
import fastifySwagger from '@fastify/swagger';
import fastifySwaggerUi, { type FastifySwaggerUiOptions } from '@fastify/swagger-ui';
import type { AppConfig } from '../config.js';
import type { FhirContext } from '../fhir/context.js';
import { buildCapabilityStatement } from '../fhir/rest/capabilities.js';
import { operationHandlers } from '../fhir/operations/index.js';
import { buildOpenApi } from './openapi/build-openapi.js';
import { operationDefinitionOf } from '../fhir/operations/definitions.js';
import { GENOMICS_VIEW_TYPES, documentView } from './openapi/views.js';

/**
 * OpenAPI 3.1 document generated from the server's own route definitions (every route carries JSON
 * schemas) and its CapabilityStatement, so it cannot drift from what is served (see
 * openapi/build-openapi.ts). Swagger UI is served from the package's bundled assets: it works
 * offline. Must be registered before the routes it documents.
 */
export async function registerDocs(app: FastifyInstance, config: AppConfig, ctx: () => FhirContext): Promise<void> {
  let built: Record<string, unknown> | undefined;
  await app.register(fastifySwagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'FHIR Genomics Server',
        version: '0.1.0',
        description:
          'FHIR R4 (4.0.1) API for clinical genomics: MolecularSequence, HL7 Genomics Reporting IG 3.0.0 ' +
          "Observations and DiagnosticReports, and the IG's genomics operations. Bodies are application/fhir+json; " +
          'every error is an OperationOutcome. Authorize with the bearer token `npm start` prints.',
      },
      servers: [{ url: new URL(config.baseUrl).origin }],
      components: {
        securitySchemes: { bearerAuth: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } },
      },
      security: config.auth ? [{ bearerAuth: [] }] : [],
    },
    // Built once per process: routes and capabilities do not change after start-up.
    transformObject: (doc) => {
      if (!('openapiObject' in doc)) return doc.swaggerObject;
      built ??= buildOpenApi(doc.openapiObject as Record<string, unknown>, {
        capability: buildCapabilityStatement(ctx()),
        operations: operationHandlers,
        operationDefinition: operationDefinitionOf,
      });
      return built as typeof doc.openapiObject;
    },
  });
  await app.register(fastifySwaggerUi, {
    routePrefix: '/docs',
    uiConfig: {
      deepLinking: true, persistAuthorization: true, tryItOutEnabled: true, docExpansion: 'none', filter: true,
      displayRequestDuration: true, defaultModelsExpandDepth: -1,
      // The genomics view first; the complete document is one click away in the top bar.
      urls: [
        { url: '/docs/genomics.json', name: 'Genomics API (genomic report flow and operations)' },
        { url: '/docs/json', name: 'Complete FHIR R4 API (all 146 resource types; slow to render)' },
      ],
      'urls.primaryName': 'Genomics API (genomic report flow and operations)',
    } as FastifySwaggerUiOptions['uiConfig'],
    staticCSP: false,
  });
  let view: string | undefined;
  app.get('/docs/genomics.json', { schema: { hide: true } }, async (_req, reply) => {
    view ??= JSON.stringify(documentView(app.swagger() as never, new Set(GENOMICS_VIEW_TYPES)));
    return reply.type('application/json').send(view);
  });
}
