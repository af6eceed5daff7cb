/**
 * A minimal SMART Backend Services client for operators and integration engineers:
 *
 *   node --import tsx scripts/smart-client.ts keygen --client-id lab-system [--alg ES384|RS384] [--scope "system/*.rs"] [--out FILE]
 *     writes lab-system.private.jwk.json (mode 0600, keep it secret) and prints the entry to add
 *     to the FHIR_CLIENTS_FILE list (public key only).
 *
 *   node --import tsx scripts/smart-client.ts token --client-id lab-system --key lab-system.private.jwk.json \
 *     --scope "system/Observation.rs" [--token-url http://127.0.0.1:8080/auth/token]
 *     signs a client assertion (RFC 7523) and exchanges it for an access token; prints the response.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { calculateJwkThumbprint, exportJWK, generateKeyPair, importJWK, SignJWT, type JWK } from 'jose';

function arg(name: string, fallback?: string): string {
  const i = process.argv.indexOf(`--${name}`);
  const v = i > 0 ? process.argv[i + 1] : fallback;
  if (v === undefined) throw new Error(`--${name} is required`);
  return v;
}

async function keygen(): Promise<void> {
  const clientId = arg('client-id');
  const alg = arg('alg', 'ES384');
  if (alg !== 'ES384' && alg !== 'RS384') throw new Error('--alg must be ES384 or RS384');
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
  const pub = await exportJWK(publicKey);
  const kid = await calculateJwkThumbprint(pub);
  const out = arg('out', `${clientId}.private.jwk.json`);
  writeFileSync(out, JSON.stringify({ ...(await exportJWK(privateKey)), kid, alg }), { mode: 0o600 });
  const entry = { client_id: clientId, jwks: { keys: [{ ...pub, kid, alg, use: 'sig' }] }, scope: arg('scope', 'system/*.rs') };
  console.error(`private key written to ${out}; add this entry to the FHIR_CLIENTS_FILE list:`);
  console.log(JSON.stringify(entry, null, 2));
}

async function token(): Promise<void> {
  const clientId = arg('client-id');
  const jwk = JSON.parse(readFileSync(arg('key'), 'utf8')) as JWK;
  const tokenUrl = arg('token-url', 'http://127.0.0.1:8080/auth/token');
  const key = await importJWK(jwk, jwk.alg);
  const now = Math.floor(Date.now() / 1000);
  const assertion = await new SignJWT({ jti: randomUUID() })
    .setProtectedHeader({ alg: jwk.alg!, kid: jwk.kid, typ: 'JWT' })
    .setIssuer(clientId).setSubject(clientId).setAudience(tokenUrl).setIssuedAt(now).setExpirationTime(now + 240)
    .sign(key);
  const res = await fetch(tokenUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'client_credentials', scope: arg('scope'),
      client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer', client_assertion: assertion,
    }),
  });
  console.log(JSON.stringify(await res.json(), null, 2));
  if (!res.ok) process.exitCode = 1;
}

const command = process.argv[2];
if (command === 'keygen') await keygen();
else if (command === 'token') await token();
else {
  console.error('usage: smart-client.ts keygen --client-id ID [--alg ES384|RS384] [--scope S] | token --client-id ID --key FILE --scope S [--token-url URL]');
  process.exitCode = 2;
}
