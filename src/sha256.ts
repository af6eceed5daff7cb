import * as crypto from 'node:crypto';

// crypto.hash (Node >= 20.12) is the one-shot form: half the cost of createHash + update + digest,
// which matters where every produced resource hashes its id (VCF import) or every request its token.
const oneShot = (crypto as { hash?: (alg: string, data: string, enc: 'hex' | 'base64url') => string }).hash;

/** SHA-256 of a string's UTF-8 bytes, hex or base64url encoded. */
export function sha256(data: string, enc: 'hex' | 'base64url'): string {
  return oneShot ? oneShot('sha256', data, enc) : crypto.createHash('sha256').update(data).digest(enc);
}
