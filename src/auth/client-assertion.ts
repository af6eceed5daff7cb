import { decodeJwt, decodeProtectedHeader, jwtVerify } from 'jose';
import type { ClientRegistry, RegisteredClient } from './clients.js';
import { describeJwtError } from './jwt-errors.js';
import { OAuthError } from './oauth-error.js';
import type { ReplayCache } from './replay-cache.js';
import { sha256 } from '../sha256.js';

/**
 * Verifies a `private_key_jwt` client assertion (RFC 7523; SMART Backend Services,
 * https://hl7.org/fhir/smart-app-launch/backend-services.html#request-access-token):
 * RS384 or ES384 only, `iss` = `sub` = client_id of a registered client, `aud` = the token
 * endpoint URL, `exp` no more than five minutes ahead, and a `jti` never seen before within its
 * lifetime. Every failure is `invalid_client` (401) with a short reason.
 */
export const ASSERTION_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';
export const ASSERTION_ALGS = ['RS384', 'ES384'];
const MAX_LIFETIME_SEC = 300;
const CLOCK_SKEW_SEC = 30;
const MAX_IAT_SKEW_SEC = 60;

export async function verifyClientAssertion(
  assertion: string, clients: ClientRegistry, tokenUrl: string, replay: ReplayCache,
  durable?: (key: string, expiresAtMs: number) => Promise<boolean>,
): Promise<RegisteredClient> {
  let iss: unknown;
  let alg: unknown;
  try {
    alg = decodeProtectedHeader(assertion).alg;
    iss = decodeJwt(assertion).iss;
  } catch {
    throw new OAuthError('invalid_client', 'client_assertion is not a JWT');
  }
  if (typeof alg !== 'string' || !ASSERTION_ALGS.includes(alg)) {
    throw new OAuthError('invalid_client', `client_assertion must be signed with ${ASSERTION_ALGS.join(' or ')}`);
  }
  const client = typeof iss === 'string' ? clients.get(iss) : undefined;
  if (!client?.keys) throw new OAuthError('invalid_client', 'unknown client (iss)');
  let payload;
  try {
    ({ payload } = await jwtVerify(assertion, client.keys, {
      algorithms: ASSERTION_ALGS,
      issuer: client.clientId,
      subject: client.clientId,
      audience: tokenUrl,
      requiredClaims: ['exp', 'jti'],
      clockTolerance: CLOCK_SKEW_SEC,
    }));
  } catch (err) {
    throw new OAuthError('invalid_client', `client_assertion rejected: ${describeJwtError(err).replace('the token', 'the assertion')}`);
  }
  const now = Math.floor(Date.now() / 1000);
  // an assertion issued in the future: beyond a small clock skew, the client's clock is wrong or
  // the assertion was made to be used later
  if (payload.iat !== undefined && (typeof payload.iat !== 'number' || payload.iat > now + MAX_IAT_SKEW_SEC)) {
    throw new OAuthError('invalid_client', `client_assertion iat is more than ${MAX_IAT_SKEW_SEC} seconds in the future`);
  }
  if (payload.exp! > now + MAX_LIFETIME_SEC + CLOCK_SKEW_SEC) {
    throw new OAuthError('invalid_client', 'client_assertion exp is more than 5 minutes ahead');
  }
  if (typeof payload.jti !== 'string' || payload.jti.length === 0 || payload.jti.length > 256) {
    throw new OAuthError('invalid_client', 'client_assertion needs a jti of 1-256 characters');
  }
  const key = `${client.clientId}\u0000${payload.jti}`;
  const until = (payload.exp! + CLOCK_SKEW_SEC) * 1000;
  // in memory first (cheap, and the same key twice at once in this process), then in the store,
  // which remembers across restarts and instances sharing it
  if (!replay.remember(key, until) || (durable && !(await durable(sha256(key, 'base64url'), until)))) {
    throw new OAuthError('invalid_client', 'client_assertion jti was already used');
  }
  return client;
}
