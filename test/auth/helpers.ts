import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK } from 'jose';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../src/http/app.js';
import { testConfig, type AppConfig, type SecurityConfig } from '../../src/config.js';

/** Shared set-up for the auth tests: real app, real keys, real tokens (no mocks). */
export interface TestClient {
  clientId: string;
  alg: 'RS384' | 'ES384';
  privateKey: CryptoKey;
  publicJwk: JWK;
}

export async function makeClient(clientId: string, alg: 'RS384' | 'ES384' = 'ES384'): Promise<TestClient> {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
  const publicJwk = { ...(await exportJWK(publicKey)), kid: `${clientId}-key`, alg };
  return { clientId, alg, privateKey, publicJwk };
}

export interface ClientEntry {
  client: TestClient;
  scope: string;
  patient?: string;
}

export function writeClientsFile(dir: string, entries: ClientEntry[]): string {
  const path = join(dir, 'clients.json');
  writeFileSync(path, JSON.stringify(entries.map((e) => ({
    client_id: e.client.clientId, jwks: { keys: [e.client.publicJwk] }, scope: e.scope, ...(e.patient ? { patient: e.patient } : {}),
  }))));
  return path;
}

export function securityConfig(overrides: Partial<SecurityConfig> = {}): SecurityConfig {
  return { ...testConfig().security, audit: true, rateLimitMax: 0, ...overrides };
}

export async function makeApp(opts: { clients?: ClientEntry[]; security?: Partial<SecurityConfig>; config?: Partial<AppConfig> } = {}): Promise<FastifyInstance> {
  const dataDir = mkdtempSync(join(tmpdir(), 'fgs-auth-'));
  const clientsFile = opts.clients ? writeClientsFile(dataDir, opts.clients) : undefined;
  return buildApp(testConfig({ auth: true, dataDir, fsync: false, clientsFile, security: securityConfig(opts.security), ...opts.config }));
}

export const TOKEN_URL = 'http://localhost/auth/token';
export const ASSERTION_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';

export async function assertion(client: TestClient, over: { aud?: string; iss?: string; sub?: string; exp?: number; jti?: string; iat?: number } = {}): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({ jti: over.jti ?? randomUUID() })
    .setProtectedHeader({ alg: client.alg, kid: client.publicJwk.kid, typ: 'JWT' })
    .setIssuer(over.iss ?? client.clientId)
    .setSubject(over.sub ?? client.clientId)
    .setAudience(over.aud ?? TOKEN_URL)
    .setIssuedAt(over.iat ?? now)
    .setExpirationTime(over.exp ?? now + 240)
    .sign(client.privateKey);
}

export function tokenForm(clientAssertion: string, scope: string, extra: Record<string, string> = {}): string {
  return new URLSearchParams({ grant_type: 'client_credentials', client_assertion_type: ASSERTION_TYPE, client_assertion: clientAssertion, scope, ...extra }).toString();
}

export async function requestToken(app: FastifyInstance, client: TestClient, scope: string) {
  return app.inject({ method: 'POST', url: '/auth/token', headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: tokenForm(await assertion(client), scope) });
}

/** A token straight from the server's own signing service (as the token endpoint would issue). */
export async function serverToken(app: FastifyInstance, scopes: string[], opts: { clientId?: string; patient?: string; lifetime?: number } = {}): Promise<string> {
  const res = await app.authService!.issue({ clientId: opts.clientId ?? 'test-client', patient: opts.patient }, scopes, opts.lifetime ?? 300);
  return res.access_token;
}

export function bearer(token: string): Record<string, string> {
  return { authorization: `Bearer ${token}` };
}

export const FHIR_JSON = { 'content-type': 'application/fhir+json' };

/** A PUT of `r` at its own id under `token` (setting up data for a scope test). */
export function putAs(app: FastifyInstance, token: string) {
  return (r: { resourceType: string; id: string }) => app.inject({ method: 'PUT', url: `/fhir/${r.resourceType}/${r.id}`, headers: { ...bearer(token), ...FHIR_JSON }, payload: r as never });
}
