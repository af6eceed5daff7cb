import { readFileSync } from 'node:fs';
import { createLocalJWKSet, createRemoteJWKSet, type JSONWebKeySet, type JWTVerifyGetKey } from 'jose';

/**
 * Registered SMART Backend Services clients, read from the JSON file named by FHIR_CLIENTS_FILE
 * (https://hl7.org/fhir/smart-app-launch/backend-services.html#registering-a-client-communicating-public-keys).
 * The file is a JSON list; each client:
 *   { "client_id": "lab-system",                       // [A-Za-z0-9._:-]{1,128}
 *     "jwks": { "keys": [ {public RSA or EC JWK} ] },    // or "jwks_uri": "https://…/jwks.json"
 *     "scope": "system/Observation.cruds system/DiagnosticReport.rs",  // allowed scopes (string or array)
 *     "patient": "p1" }                                 // optional: tokens confined to this patient
 * A file that does not parse, or a client with private key material, a symmetric key or no key,
 * stops the server at start: a half-loaded registry would be a silent security hole.
 */
export interface RegisteredClient {
  clientId: string;
  allowedScopes: string[];
  patient?: string;
  keys?: JWTVerifyGetKey;
}

const CLIENT_ID = /^[A-Za-z0-9._:-]{1,128}$/;
const PATIENT_ID = /^[A-Za-z0-9\-.]{1,64}$/;

function fail(where: string, why: string): never {
  throw new Error(`FHIR_CLIENTS_FILE: ${where}: ${why}`);
}

function isLoopbackUrl(u: URL): boolean {
  return u.hostname === '127.0.0.1' || u.hostname === 'localhost' || u.hostname === '[::1]';
}

export function parseClient(raw: unknown, where: string): RegisteredClient {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) fail(where, 'each client is a JSON object');
  const c = raw as Record<string, unknown>;
  if (typeof c.client_id !== 'string' || !CLIENT_ID.test(c.client_id)) fail(where, 'client_id must match [A-Za-z0-9._:-]{1,128}');
  const w = `${where} (${c.client_id})`;
  const scope = c.scope ?? c.scopes;
  const allowedScopes = Array.isArray(scope) ? scope : typeof scope === 'string' ? scope.split(/\s+/).filter(Boolean) : fail(w, 'scope is required');
  if (!allowedScopes.every((s) => typeof s === 'string')) fail(w, 'scope entries must be strings');
  if (c.patient !== undefined && (typeof c.patient !== 'string' || !PATIENT_ID.test(c.patient))) fail(w, 'patient must be a FHIR id');
  if ((c.jwks === undefined) === (c.jwks_uri === undefined)) fail(w, 'give exactly one of jwks or jwks_uri');
  let keys: JWTVerifyGetKey;
  if (c.jwks !== undefined) {
    const jwks = c.jwks as JSONWebKeySet;
    if (!Array.isArray(jwks?.keys) || !jwks.keys.length) fail(w, 'jwks.keys must be a non-empty list');
    for (const k of jwks.keys) {
      if (k.kty !== 'RSA' && k.kty !== 'EC') fail(w, `key type ${String(k.kty)} is not accepted (RSA or EC public keys only)`);
      if ('d' in k || 'p' in k) fail(w, 'the clients file holds PUBLIC keys only; a private key was found');
    }
    keys = createLocalJWKSet(jwks);
  } else {
    let url: URL;
    try {
      url = new URL(String(c.jwks_uri));
    } catch {
      fail(w, 'jwks_uri is not a URL');
    }
    if (url.protocol !== 'https:' && !(url.protocol === 'http:' && isLoopbackUrl(url))) fail(w, 'jwks_uri must be https (http only on loopback)');
    keys = createRemoteJWKSet(url, { timeoutDuration: 5000, cooldownDuration: 30_000, cacheMaxAge: 600_000 });
  }
  return { clientId: c.client_id, allowedScopes: allowedScopes as string[], patient: c.patient as string | undefined, keys };
}

export class ClientRegistry {
  private readonly clients = new Map<string, RegisteredClient>();

  static fromFile(path: string | undefined): ClientRegistry {
    const reg = new ClientRegistry();
    if (!path) return reg;
    let list: unknown;
    try {
      list = JSON.parse(readFileSync(path, 'utf8'));
    } catch (err) {
      throw new Error(`FHIR_CLIENTS_FILE ${path} cannot be read as JSON: ${(err as Error).message}`);
    }
    if (!Array.isArray(list)) fail(path, 'the file holds a JSON list of clients');
    list.forEach((c, i) => reg.add(parseClient(c, `${path} entry ${i}`)));
    return reg;
  }

  add(client: RegisteredClient): void {
    if (this.clients.has(client.clientId)) fail(client.clientId, 'client_id registered twice');
    this.clients.set(client.clientId, client);
  }

  get(clientId: string): RegisteredClient | undefined {
    return this.clients.get(clientId);
  }

  get size(): number {
    return this.clients.size;
  }
}
