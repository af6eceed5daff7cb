import type { FastifyInstance } from 'fastify';
import type { AuthService } from '../auth/auth-service.js';
import { ASSERTION_ALGS, ASSERTION_TYPE } from '../auth/client-assertion.js';
import { OAuthError } from '../auth/oauth-error.js';
import { parseMediaType } from '../fhir/rest/media-type.js';

/**
 * SMART discovery (https://hl7.org/fhir/smart-app-launch/conformance.html), the server's JWKS
 * and the token endpoint (https://hl7.org/fhir/smart-app-launch/backend-services.html).
 * Token errors are OAuth JSON (`{"error", "error_description"}`), not OperationOutcomes.
 */
const SCOPES_SUPPORTED = [
  'system/*.rs', 'system/*.cruds', 'system/*.read', 'system/*.write', 'system/*.*',
  'user/*.rs', 'user/*.cruds', 'patient/*.rs', 'patient/*.cruds',
  'system/Observation.rs', 'system/DiagnosticReport.rs', 'system/MolecularSequence.rs', 'system/AuditEvent.rs',
];

// Public endpoints: `security: []` overrides the document's global bearer requirement.
const smartConfigSchema = {
  tags: ['auth'],
  security: [],
  summary: 'SMART on FHIR discovery document',
  response: {
    200: {
      type: 'object',
      properties: {
        issuer: { type: 'string' },
        jwks_uri: { type: 'string' },
        token_endpoint: { type: 'string' },
        token_endpoint_auth_methods_supported: { type: 'array', items: { type: 'string' } },
        token_endpoint_auth_signing_alg_values_supported: { type: 'array', items: { type: 'string' } },
        grant_types_supported: { type: 'array', items: { type: 'string' } },
        scopes_supported: { type: 'array', items: { type: 'string' } },
        capabilities: { type: 'array', items: { type: 'string' } },
      },
    },
  },
} as const;

const tokenSchema = {
  tags: ['auth'],
  security: [],
  summary: 'Token endpoint: client_credentials grant with a private_key_jwt client assertion (RS384/ES384)',
  consumes: ['application/x-www-form-urlencoded'],
  body: {
    type: 'object',
    properties: {
      grant_type: { type: 'string', maxLength: 64, examples: ['client_credentials'] },
      scope: { type: 'string', maxLength: 4096, examples: ['system/Observation.rs system/DiagnosticReport.rs'] },
      client_assertion_type: { type: 'string', maxLength: 128, examples: [ASSERTION_TYPE] },
      client_assertion: { type: 'string', maxLength: 16_384 },
      client_id: { type: 'string', maxLength: 256, description: 'optional; must be the assertion\'s iss and sub (RFC 7521 §4.2)' },
    },
  },
  response: {
    200: {
      type: 'object',
      properties: {
        access_token: { type: 'string' }, token_type: { type: 'string' }, expires_in: { type: 'integer' },
        scope: { type: 'string' }, patient: { type: 'string' },
      },
    },
    '4xx': { type: 'object', properties: { error: { type: 'string' }, error_description: { type: 'string' } } },
  },
} as const;

export async function smartRoutes(app: FastifyInstance, opts: { svc: AuthService }): Promise<void> {
  const { svc } = opts;
  // No response_types_supported: it names authorization-endpoint flows ("token" would claim
  // the implicit grant), and this server has only a token endpoint for client_credentials.
  const discovery = {
    issuer: svc.urls.issuer,
    jwks_uri: svc.urls.jwksUrl,
    token_endpoint: svc.urls.tokenUrl,
    token_endpoint_auth_methods_supported: ['private_key_jwt'],
    token_endpoint_auth_signing_alg_values_supported: ASSERTION_ALGS,
    grant_types_supported: ['client_credentials'],
    scopes_supported: SCOPES_SUPPORTED,
    capabilities: ['client-confidential-asymmetric', 'permission-v1', 'permission-v2', 'permission-patient', 'permission-user'],
  };
  for (const url of ['/.well-known/smart-configuration', '/fhir/.well-known/smart-configuration']) {
    app.get(url, { schema: smartConfigSchema }, async () => discovery);
  }
  app.get('/.well-known/jwks.json', { schema: { tags: ['auth'], security: [], summary: 'Public keys that sign this server\'s access tokens' } }, async () => svc.jwks());

  // Form bodies for the token endpoint only (this plugin is encapsulated). Repeated parameters
  // are kept as arrays so that validation refuses them (RFC 6749 §3.2: MUST NOT be repeated).
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string', bodyLimit: 64 * 1024 }, (_req, body, done) => {
    const out: Record<string, string | string[]> = {};
    for (const [k, v] of new URLSearchParams(body as string)) {
      const prev = out[k];
      out[k] = prev === undefined ? v : ([] as string[]).concat(prev, v);
    }
    done(null, out);
  });
  // A tighter budget per address than the API's: the token endpoint verifies signatures.
  // (Ignored when rate limiting is off: FHIR_RATE_LIMIT=0.)
  const config = { rateLimit: { max: 120, timeWindow: 60_000 } };
  app.post('/auth/token', { schema: tokenSchema, attachValidation: true, config }, async (request, reply) => {
    reply.header('cache-control', 'no-store').header('pragma', 'no-cache');
    try {
      const body = request.body as Record<string, unknown> | undefined;
      // RFC 6749 §4.4.2: the parameters are application/x-www-form-urlencoded, nothing else
      if (parseMediaType(request.headers['content-type']).type !== 'application/x-www-form-urlencoded') throw new OAuthError('invalid_request', 'send the parameters as application/x-www-form-urlencoded');
      if (request.validationError || !body || typeof body !== 'object') {
        throw new OAuthError('invalid_request', 'send application/x-www-form-urlencoded parameters, each once');
      }
      for (const v of Object.values(body)) if (typeof v !== 'string') throw new OAuthError('invalid_request', 'parameters must not be repeated');
      const { clientId, response } = await svc.token(body as Record<string, string>);
      request.log.info({ client: clientId, scope: response.scope }, 'access token issued');
      return response;
    } catch (err) {
      if (!(err instanceof OAuthError)) throw err;
      request.log.warn({ error: err.error, reason: err.description }, 'token request refused');
      reply.code(err.status);
      if (err.status === 401) reply.header('www-authenticate', 'Bearer realm="fhir"');
      return err.toJSON();
    }
  });
}
