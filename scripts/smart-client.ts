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

const USAGE = 'usage: smart-client.ts keygen --client-id ID [--alg ES384|RS384] [--scope S] [--out FILE] | token --client-id ID --key FILE --scope S [--token-url URL]';

/** A mistake on the command line or in what it names: one line, with the usage when it is the command line's (exit 2). */
class UsageError extends Error {
  constructor(message: string, readonly usage = true) {
    super(message);
  }
}

function arg(name: string, fallback?: string): string {
  const i = process.argv.indexOf(`--${name}`);
  const v = i > 0 ? process.argv[i + 1] : fallback;
  if (v === undefined || v.startsWith('--')) throw new UsageError(`--${name} is required`);
  return v;
}

function readKey(file: string): JWK {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as JWK;
  } catch (e) {
    throw new UsageError(`cannot read --key ${file}: ${(e as Error).message}`, false);
  }
}

async function keygen(): Promise<void> {
  const clientId = arg('client-id');
  const alg = arg('alg', 'ES384');
  if (alg !== 'ES384' && alg !== 'RS384') throw new UsageError('--alg must be ES384 or RS384');
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
  const jwk = readKey(arg('key'));
  const tokenUrl = arg('token-url', 'http://127.0.0.1:8080/auth/token');
  const key = await importJWK(jwk, jwk.alg);
  const now = Math.floor(Date.now() / 1000);
  const assertion = await new SignJWT({ jti: randomUUID() })
    .setProtectedHeader({ alg: jwk.alg!, kid: jwk.kid, typ: 'JWT' })
    .setIssuer(clientId).setSubject(clientId).setAudience(tokenUrl).setIssuedAt(now).setExpirationTime(now + 240)
    .sign(key);
  const scope = arg('scope');
  const res = await fetch(tokenUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'client_credentials', scope,
      client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer', client_assertion: assertion,
    }),
  }).catch((e: Error) => {
    throw new Error(`cannot reach ${tokenUrl}: ${(e.cause as Error | undefined)?.message ?? e.message}`);
  });
  console.log(JSON.stringify(await res.json(), null, 2));
  if (!res.ok) process.exitCode = 1;
}

const command = process.argv[2];
try {
  if (command === 'keygen') await keygen();
  else if (command === 'token') await token();
  else if (command === '--help' || command === '-h') console.log(USAGE);
  else throw new UsageError(command === undefined ? 'a command is required' : `unknown command '${command}'`);
} catch (e) {
  // what went wrong, in one line: an operator's mistake is not a crash
  console.error(`smart-client: ${(e as Error).message}${e instanceof UsageError && e.usage ? `\n${USAGE}` : ''}`);
  process.exitCode = e instanceof UsageError ? 2 : 1;
}
