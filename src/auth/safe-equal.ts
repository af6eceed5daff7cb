import { createHash, timingSafeEqual } from 'node:crypto';
import { sha256 } from '../sha256.js';

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
export function secretDigest(secret: string): string {
  return sha256(secret, 'base64url');
}
