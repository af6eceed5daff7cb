import { existsSync, mkdirSync, readFileSync, writeFileSync, renameSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { calculateJwkThumbprint, exportJWK, generateKeyPair, importJWK, type CryptoKey, type JWK } from 'jose';

/**
 * The server's token signing key (ES384). It is generated on first start and persisted (mode
 * 0600) under DATA_DIR/auth/, so access tokens stay valid across restarts and `npm start` needs no
 * set-up; several instances behind a load balancer share one key by pointing
 * FHIR_SIGNING_KEY_FILE at the same file. Only the public half is ever published (JWKS).
 */
export const SIGNING_ALG = 'ES384';

export interface SigningKey {
  kid: string;
  privateKey: CryptoKey;
  publicJwk: JWK;
}

export function signingKeyPath(dataDir: string, file?: string): string {
  return file ?? join(dataDir, 'auth', 'signing-key.json');
}

async function fromJwk(jwk: JWK): Promise<SigningKey> {
  const kid = jwk.kid ?? (await calculateJwkThumbprint(jwk));
  const privateKey = (await importJWK(jwk, SIGNING_ALG)) as CryptoKey;
  const { d: _d, ...pub } = jwk;
  return { kid, privateKey, publicJwk: { ...pub, kid, alg: SIGNING_ALG, use: 'sig' } };
}

export async function generateSigningKey(): Promise<JWK> {
  const { privateKey } = await generateKeyPair(SIGNING_ALG, { extractable: true });
  const jwk = await exportJWK(privateKey);
  jwk.kid = await calculateJwkThumbprint(jwk);
  jwk.alg = SIGNING_ALG;
  return jwk;
}

/** Loads the key from `path`, creating it (atomically: temp file + rename) when absent. */
export async function loadOrCreateSigningKey(path: string | undefined): Promise<SigningKey> {
  if (!path) return fromJwk(await generateSigningKey());
  if (existsSync(path)) return fromJwk(JSON.parse(readFileSync(path, 'utf8')) as JWK);
  const jwk = await generateSigningKey();
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify(jwk), { mode: 0o600 });
  renameSync(tmp, path);
  return fromJwk(jwk);
}
