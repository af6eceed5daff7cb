import type { FastifyInstance } from 'fastify';
import fastifySwagger from '@fastify/swagger';
import fastifySwaggerUi from '@fastify/swagger-ui';
import type { AppConfig } from '../config.js';

/**
 * OpenAPI document generated from the server's own route definitions (every route carries JSON
 * schemas), so it cannot drift from what is served. Swagger UI is served from the package's
 * bundled assets: it works offline. Must be registered before the routes it documents.
 */
export async function registerDocs(app: FastifyInstance, config: AppConfig): Promise<void> {
  await app.register(fastifySwagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'FHIR Genomics Server',
        version: '0.1.0',
        description:
          'FHIR R4 (4.0.1) API for clinical genomics: MolecularSequence, HL7 Genomics Reporting IG 3.0.0 ' +
          'Observations and DiagnosticReports, and the IG\'s genomics operations.',
      },
      servers: [{ url: new URL(config.baseUrl).origin }],
      components: {
        securitySchemes: { bearerAuth: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } },
      },
      security: config.auth ? [{ bearerAuth: [] }] : [],
    },
  });
  await app.register(fastifySwaggerUi, {
    routePrefix: '/docs',
    uiConfig: { deepLinking: true, persistAuthorization: true, tryItOutEnabled: true },
    staticCSP: false,
  });
}
