import { randomBytes, randomUUID } from 'node:crypto';
import { createRemoteJWKSet, importJWK, SignJWT, type CryptoKey, type JWTVerifyGetKey } from 'jose';
import type { AppConfig } from '../config.js';
import type { AuthContext } from '../fhir/context.js';
import { ClientRegistry, type RegisteredClient } from './clients.js';
import { ASSERTION_TYPE, verifyClientAssertion } from './client-assertion.js';
import { OAuthError } from './oauth-error.js';
import { ReplayCache } from './replay-cache.js';
import type { ResourceStore } from '../storage/types.js';
import { intersectScopes } from './scopes.js';
import { loadOrCreateSigningKey, SIGNING_ALG, signingKeyPath, type SigningKey } from './signing-key.js';
import { knownOnConnection, verifyAccessToken, verifyAccessTokenOn, type TokenVerifier } from './verify-token.js';

/**
 * The SMART Backend Services authorization server built into the FHIR server
 * (https://hl7.org/fhir/smart-app-launch/backend-services.html): client registry, token
 * endpoint logic, the signing key, and verification of bearer tokens from itself or from a
 * configured external authorization server.
 */
export const DEV_CLIENT_ID = 'local-dev';
const DEV_SCOPES = ['system/*.cruds', 'system/AuditEvent.rs'];
const DEV_TOKEN_DAYS = 30;

export interface TokenResponse {
  access_token: string;
  token_type: 'bearer';
  expires_in: number;
  scope: string;
  patient?: string;
}

export interface AuthUrls {
  issuer: string;
  /** `aud` of the access tokens this server issues: the FHIR base URL. */
  audience: string;
  tokenUrl: string;
  jwksUrl: string;
}

export function authUrls(baseUrl: string): AuthUrls {
  const root = baseUrl.endsWith('/fhir') ? baseUrl.slice(0, -'/fhir'.length) : new URL(baseUrl).origin;
  return { issuer: root, audience: baseUrl, tokenUrl: `${root}/auth/token`, jwksUrl: `${root}/.well-known/jwks.json` };
}

export class AuthService implements TokenVerifier {
  readonly urls: AuthUrls;
  readonly clients: ClientRegistry;
  /** Random per process: the development token is valid only while this process runs. */
  readonly devSession = randomBytes(18).toString('base64url');
  readonly replay = new ReplayCache();
  private usedJtis?: (key: string, expiresAtMs: number) => Promise<boolean>;
  readonly external?: { issuer: string; audience: string; keys: JWTVerifyGetKey };
  publicKey!: CryptoKey;

  private constructor(readonly config: AppConfig, readonly key: SigningKey) {
    this.urls = authUrls(config.baseUrl);
    this.clients = ClientRegistry.fromFile(config.clientsFile);
    const s = config.security;
    if (s.externalIssuer) {
      if (!s.externalJwksUrl) throw new Error('FHIR_AUTH_ISSUER is set: FHIR_AUTH_JWKS_URL must be set too');
      this.external = {
        issuer: s.externalIssuer,
        audience: s.externalAudience ?? config.baseUrl,
        keys: createRemoteJWKSet(new URL(s.externalJwksUrl), { timeoutDuration: 5000, cooldownDuration: 30_000, cacheMaxAge: 600_000 }),
      };
    }
  }

  /** `store`: where used assertion `jti`s are kept durably (replays are refused across restarts and, on MongoDB, instances). */
  static async create(config: AppConfig, store?: Pick<ResourceStore, 'claimOnce'>): Promise<AuthService> {
    const key = await loadOrCreateSigningKey(signingKeyPath(config.dataDir, config.security.signingKeyFile));
    const svc = new AuthService(config, key);
    svc.usedJtis = store?.claimOnce?.bind(store);
    svc.publicKey = (await importJWK(key.publicJwk, SIGNING_ALG)) as CryptoKey;
    return svc;
  }

  jwks(): { keys: object[] } {
    return { keys: [this.key.publicJwk] };
  }

  /** The token endpoint: client_credentials grant with a private_key_jwt client assertion. */
  async token(form: Record<string, string | undefined>): Promise<{ clientId: string; response: TokenResponse }> {
    if (form.grant_type !== 'client_credentials') throw new OAuthError('unsupported_grant_type', 'grant_type must be client_credentials');
    if (form.client_assertion_type !== ASSERTION_TYPE) throw new OAuthError('invalid_request', `client_assertion_type must be ${ASSERTION_TYPE}`);
    if (!form.client_assertion) throw new OAuthError('invalid_request', 'client_assertion is required');
    if (!form.scope) throw new OAuthError('invalid_request', 'scope is required');
    const client = await verifyClientAssertion(form.client_assertion, this.clients, this.urls.tokenUrl, this.replay, this.usedJtis);
    // RFC 7521 §4.2: a client_id sent beside the assertion must name the client the assertion is from
    if (form.client_id !== undefined && form.client_id !== client.clientId) throw new OAuthError('invalid_client', 'client_id does not match the client_assertion\'s iss and sub');
    const granted = intersectScopes(form.scope.split(/\s+/).filter(Boolean), client.allowedScopes);
    if (!granted.length) throw new OAuthError('invalid_scope', 'none of the requested scopes is allowed for this client');
    return { clientId: client.clientId, response: await this.issue(client, granted, this.config.security.tokenLifetimeSec) };
  }

  async issue(client: Pick<RegisteredClient, 'clientId' | 'patient'>, scopes: string[], lifetimeSec: number, extra: Record<string, unknown> = {}): Promise<TokenResponse> {
    const now = Math.floor(Date.now() / 1000);
    const claims: Record<string, unknown> = { scope: scopes.join(' '), client_id: client.clientId, ...extra };
    if (client.patient) claims.patient = client.patient;
    const access_token = await new SignJWT(claims)
      .setProtectedHeader({ alg: SIGNING_ALG, kid: this.key.kid, typ: 'at+jwt' })
      .setIssuer(this.urls.issuer)
      .setAudience(this.urls.audience)
      .setSubject(client.clientId)
      .setIssuedAt(now)
      .setExpirationTime(now + lifetimeSec)
      .setJti(randomUUID())
      .sign(this.key.privateKey);
    return { access_token, token_type: 'bearer', expires_in: lifetimeSec, scope: scopes.join(' '), ...(client.patient ? { patient: client.patient } : {}) };
  }

  /**
   * The development token printed by `npm start`: full system access plus the audit scope, bound
   * to this process (`dev_session`) and accepted from loopback addresses only.
   */
  async mintDevToken(): Promise<string> {
    const res = await this.issue({ clientId: DEV_CLIENT_ID }, DEV_SCOPES, DEV_TOKEN_DAYS * 86_400, { dev_session: this.devSession });
    return res.access_token;
  }

  /** Verifies a bearer token; throws a 401 FhirError carrying WWW-Authenticate. */
  verify(token: string, remoteAddress?: string): Promise<AuthContext> {
    return verifyAccessToken(this, token, remoteAddress);
  }

  /** `verify` for a request arriving on `connection`, which remembers the token as that connection's. */
  verifyOn(token: string, remoteAddress: string | undefined, connection: object): Promise<AuthContext> {
    return verifyAccessTokenOn(this, token, remoteAddress, connection);
  }

  /** The caller when `token` is the one last verified on `connection` (synchronous), else undefined. */
  knownOn(token: string, remoteAddress: string | undefined, connection: object): AuthContext | undefined {
    return knownOnConnection(this, token, remoteAddress, connection);
  }
}
