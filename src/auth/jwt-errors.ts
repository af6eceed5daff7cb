import { errors } from 'jose';

/**
 * Turns a jose verification failure into a short, safe explanation for the client: which check
 * failed (expired, not yet valid, audience, issuer, signature, algorithm), never key material or
 * stack details.
 */
export function describeJwtError(err: unknown): string {
  if (err instanceof errors.JWTExpired) return 'the token has expired';
  if (err instanceof errors.JWTClaimValidationFailed) {
    if (err.claim === 'nbf' || err.claim === 'iat') return `the token is not valid yet (${err.claim})`;
    if (err.claim === 'aud') return 'the token audience (aud) is not this server';
    if (err.claim === 'iss') return 'the token issuer (iss) is not accepted';
    if (err.claim === 'sub') return 'the token subject (sub) is wrong';
    return `the token claim ${err.claim} is invalid (${err.reason})`;
  }
  if (err instanceof errors.JOSEAlgNotAllowed) return 'the token signing algorithm is not allowed';
  if (err instanceof errors.JWSSignatureVerificationFailed) return 'the token signature is invalid';
  if (err instanceof errors.JWKSNoMatchingKey || err instanceof errors.JWKSMultipleMatchingKeys) return 'no known key matches the token';
  if (err instanceof errors.JWKSTimeout) return 'the signing keys could not be fetched in time';
  if (err instanceof errors.JOSENotSupported) return 'the token uses an unsupported algorithm or key';
  return 'the token is malformed or invalid';
}
