import * as crypto from 'node:crypto';
import { createHash, timingSafeEqual } from 'node:crypto';

/**
 * Constant-time string comparison for secrets. Both sides are hashed first so that inputs of
 * different lengths take the same time too (timingSafeEqual itself requires equal lengths).
 */
export function safeEqual(a: string, b: string): boolean {
  const ha = createHash('sha256').update(a).digest();
  const hb = createHash('sha256').update(b).digest();
  return timingSafeEqual(ha, hb) && a.length === b.length;
}

/** A digest of a secret, for use as a lookup key (the secret itself never becomes a Map key). */
// crypto.hash (Node >= 20.12) is the one-shot form: half the cost of createHash on a hot path.
const oneShot = (crypto as { hash?: (alg: string, data: string, enc: 'base64url') => string }).hash;

export function secretDigest(secret: string): string {
  return oneShot ? oneShot('sha256', secret, 'base64url') : createHash('sha256').update(secret).digest('base64url');
}
