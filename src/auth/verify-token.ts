import { timingSafeEqual } from 'node:crypto';
import { isIP } from 'node:net';
import { decodeJwt, jwtVerify, type CryptoKey, type JWTPayload, type JWTVerifyGetKey } from 'jose';
import type { AuthContext } from '../fhir/context.js';
import { FhirError } from '../fhir/errors.js';
import { attachGrants } from './authorize.js';
import { describeJwtError } from './jwt-errors.js';
import { safeEqual, secretDigest } from './safe-equal.js';
import { SIGNING_ALG } from './signing-key.js';

/**
 * Bearer token verification (RFC 6750). Tokens are routed by their (unverified) `iss` to the one
 * key set that may have signed them: this server's own key, or the configured external
 * authorization server's JWKS. Only asymmetric algorithms are accepted, so `alg: none` and the
 * HS256-with-the-public-key trick fail before any key is tried. Verified tokens are cached by
 * digest until their expiry (at most a minute) so a read does not pay an ECDSA verification, and
 * per connection: a keep-alive connection presenting the same token again (the common case) is
 * recognized by a constant-time comparison with the token last verified on it, without hashing.
 */
export interface TokenVerifier {
  urls: { issuer: string; audience: string };
  publicKey: CryptoKey;
  devSession: string;
  external?: { issuer: string; audience: string; keys: JWTVerifyGetKey };
  config: { baseUrl: string };
}

const EXTERNAL_ALGS = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA'];
const MAX_TOKEN_CHARS = 16_384;
const CACHE_MAX = 10_000;
const CACHE_MS = 60_000;
const PATIENT_ID = /^[A-Za-z0-9\-.]{1,64}$/;

type CacheEntry = { auth: AuthContext; until: number; dev: boolean };
/** One cache per verifier: a token verified by one server instance means nothing to another. */
const caches = new WeakMap<TokenVerifier, Map<string, CacheEntry>>();
/**
 * The token last verified on each connection (key: the server's own socket object, which no
 * client can name or forge). A hit needs the very same token, compared in constant time: even a
 * proxy multiplexing several clients over one connection cannot have one ride on another's entry,
 * nor learn anything of it from the timing.
 */
type ConnectionEntry = CacheEntry & { v: TokenVerifier; token: Buffer };
const byConnection = new WeakMap<object, ConnectionEntry>();

export function unauthorized(description: string | undefined): FhirError {
  // No error code when no credentials were sent at all (RFC 6750 §3.1).
  const challenge = description === undefined
    ? 'Bearer realm="fhir"'
    : `Bearer realm="fhir", error="invalid_token", error_description="${description.replace(/["\\]/g, '')}"`;
  return new FhirError('UNAUTHORIZED', description === undefined ? 'A bearer token is required (Authorization: Bearer …)' : `Invalid bearer token: ${description}`, {
    headers: { 'www-authenticate': challenge },
  });
}

export function isLoopback(address: string | undefined): boolean {
  if (!address) return false;
  const a = address.startsWith('::ffff:') ? address.slice(7) : address;
  return a === '::1' || (isIP(a) === 4 && a.startsWith('127.'));
}

function toContext(v: TokenVerifier, payload: JWTPayload): AuthContext {
  const clientId = [payload.client_id, payload.azp, payload.cid, payload.sub].find((x) => typeof x === 'string') as string | undefined;
  if (!clientId) throw unauthorized('the token names no client (client_id, azp or sub)');
  const raw = payload.scope ?? payload.scp;
  const scopes = (Array.isArray(raw) ? raw : typeof raw === 'string' ? raw.split(/\s+/) : []).filter((s): s is string => typeof s === 'string' && s.length > 0);
  let patient: string | undefined;
  if (payload.patient !== undefined) {
    if (typeof payload.patient !== 'string' || !PATIENT_ID.test(payload.patient)) throw unauthorized('the patient claim is not a FHIR id');
    patient = payload.patient;
  }
  const auth: AuthContext = { clientId, subject: typeof payload.sub === 'string' ? payload.sub : clientId, scopes, patient, issuer: payload.iss };
  return attachGrants(auth, v.config.baseUrl);
}

/**
 * The caller of a request on `connection` that presents the token last verified there, at once
 * (no promise, no hash); undefined when it is another token or none was verified there yet.
 */
export function knownOnConnection(v: TokenVerifier, token: string, remoteAddress: string | undefined, connection: object): AuthContext | undefined {
  const e = byConnection.get(connection);
  if (e === undefined || e.v !== v || e.until <= Date.now() || !sameToken(e.token, token)) return undefined;
  return checkedHit(e, remoteAddress);
}

/** verifyAccessToken, remembering the token as the one last verified on `connection`. */
export async function verifyAccessTokenOn(v: TokenVerifier, token: string, remoteAddress: string | undefined, connection: object): Promise<AuthContext> {
  const entry = await verifiedEntry(v, token, remoteAddress);
  byConnection.set(connection, { ...entry, v, token: Buffer.from(token, 'utf8') });
  return entry.auth;
}

function sameToken(known: Buffer, token: string): boolean {
  if (token.length !== known.length) return false; // (tokens are ASCII: chars = bytes; a length says nothing secret)
  const presented = Buffer.from(token, 'utf8');
  return presented.length === known.length && timingSafeEqual(presented, known);
}

function checkedHit(hit: CacheEntry, remoteAddress: string | undefined): AuthContext {
  if (hit.dev && !isLoopback(remoteAddress)) throw unauthorized('the development token is accepted from loopback addresses only');
  return hit.auth;
}

export async function verifyAccessToken(v: TokenVerifier, token: string, remoteAddress?: string): Promise<AuthContext> {
  return (await verifiedEntry(v, token, remoteAddress)).auth;
}

async function verifiedEntry(v: TokenVerifier, token: string, remoteAddress: string | undefined): Promise<CacheEntry> {
  if (token.length > MAX_TOKEN_CHARS) throw unauthorized('the token is too long');
  const digest = secretDigest(token);
  const now = Date.now();
  let cache = caches.get(v);
  if (!cache) caches.set(v, (cache = new Map()));
  const hit = cache.get(digest);
  if (hit && hit.until > now) {
    checkedHit(hit, remoteAddress);
    return hit;
  }
  let iss: unknown;
  try {
    iss = decodeJwt(token).iss;
  } catch {
    throw unauthorized('the token is not a JWT');
  }
  let payload: JWTPayload;
  try {
    if (iss === v.urls.issuer) {
      ({ payload } = await jwtVerify(token, v.publicKey, {
        issuer: v.urls.issuer, audience: v.urls.audience, algorithms: [SIGNING_ALG], requiredClaims: ['exp'], clockTolerance: 30,
      }));
    } else if (v.external && iss === v.external.issuer) {
      ({ payload } = await jwtVerify(token, v.external.keys, {
        issuer: v.external.issuer, audience: v.external.audience, algorithms: EXTERNAL_ALGS, requiredClaims: ['exp'], clockTolerance: 30,
      }));
    } else {
      throw unauthorized('the token issuer (iss) is not accepted');
    }
  } catch (err) {
    if (err instanceof FhirError) throw err;
    throw unauthorized(describeJwtError(err));
  }
  const dev = payload.dev_session !== undefined;
  if (dev) {
    if (typeof payload.dev_session !== 'string' || !safeEqual(payload.dev_session, v.devSession)) {
      throw unauthorized('the development token belongs to an earlier server process');
    }
    if (!isLoopback(remoteAddress)) throw unauthorized('the development token is accepted from loopback addresses only');
  }
  const entry = { auth: toContext(v, payload), until: Math.min(payload.exp! * 1000, now + CACHE_MS), dev };
  if (cache.size >= CACHE_MAX) cache.delete(cache.keys().next().value!);
  cache.set(digest, entry);
  return entry;
}
