import t from 'tap';
import { createServer, type Server } from 'node:http';
import { randomUUID } from 'node:crypto';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey } from 'jose';
import { readFileSync } from 'node:fs';
import { bearer, makeApp, serverToken } from './helpers.js';

/**
 * The negative matrix for bearer tokens on /fhir: every forged, stale or misdirected token is
 * refused with 401, an OperationOutcome and a WWW-Authenticate challenge; and tokens from a
 * configured external authorization server (JWKS served by a local HTTP server) are accepted.
 */
const b64 = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');

async function serveJwks(keys: object[]): Promise<{ server: Server; url: string }> {
  const server = createServer((req, res) => {
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ keys }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  return { server, url: `http://127.0.0.1:${port}/jwks.json` };
}

t.test('bearer token negative matrix', async (t) => {
  const idp = await generateKeyPair('RS256', { extractable: true });
  const idpJwk = { ...(await exportJWK(idp.publicKey)), kid: 'idp-1', alg: 'RS256' };
  const { server, url } = await serveJwks([idpJwk]);
  t.teardown(() => new Promise<void>((r) => server.close(() => r())));
  const app = await makeApp({ security: { externalIssuer: 'https://idp.example', externalJwksUrl: url, externalAudience: 'https://fhir.example/fhir' } });
  t.teardown(() => app.close());

  const now = Math.floor(Date.now() / 1000);
  const ownKey = JSON.parse(readFileSync(`${app.config.dataDir}/auth/signing-key.json`, 'utf8'));
  const ownPrivate = (await (await import('jose')).importJWK(ownKey, 'ES384')) as CryptoKey;
  const own = (claims: Record<string, unknown>, header: Record<string, unknown> = {}) =>
    new SignJWT({ scope: 'system/*.rs', client_id: 'c1', ...claims })
      .setProtectedHeader({ alg: 'ES384', kid: ownKey.kid, ...header })
      .setIssuer((claims.iss as string) ?? 'http://localhost').setAudience((claims.aud as string) ?? 'http://localhost/fhir')
      .setSubject('c1').setIssuedAt(now).setExpirationTime((claims.exp as number) ?? now + 300).setJti(randomUUID())
      .sign(ownPrivate);
  const external = (claims: Record<string, unknown>, key: CryptoKey = idp.privateKey) =>
    new SignJWT({ scope: 'system/Observation.rs', azp: 'hospital-app', ...claims })
      .setProtectedHeader({ alg: 'RS256', kid: 'idp-1' })
      .setIssuer('https://idp.example').setAudience((claims.aud as string) ?? 'https://fhir.example/fhir')
      .setSubject('user-42').setIssuedAt(now).setExpirationTime((claims.exp as number) ?? now + 300)
      .sign(key);

  const good = await serverToken(app, ['system/*.rs']);
  t.equal((await app.inject({ url: '/fhir/Observation/x', headers: bearer(good) })).statusCode, 404, 'a valid token gets through');

  const publicPem = await (await import('jose')).exportSPKI((await (await import('jose')).importJWK({ ...ownKey, d: undefined }, 'ES384', { extractable: true })) as CryptoKey);
  const hs256 = await new SignJWT({ scope: 'system/*.rs', client_id: 'c1' }).setProtectedHeader({ alg: 'HS256' })
    .setIssuer('http://localhost').setAudience('http://localhost/fhir').setSubject('c1').setExpirationTime(now + 300)
    .sign(new TextEncoder().encode(publicPem));
  const goodParts = good.split('.');
  const otherKey = await generateKeyPair('ES384');

  const cases: Array<[string, string | undefined, RegExp]> = [
    ['no token', undefined, /required/],
    ['not a bearer scheme', 'Basic dXNlcjpwYXNz', /Bearer/],
    ['garbage', 'Bearer abc.def', /not a JWT|invalid/],
    ['expired', `Bearer ${await own({ exp: now - 120 })}`, /expired/],
    ['not yet valid (nbf)', `Bearer ${await own({ nbf: now + 600 })}`, /not valid yet/],
    ['wrong aud', `Bearer ${await own({ aud: 'https://other.example/fhir' })}`, /audience/],
    ['wrong iss', `Bearer ${await own({ iss: 'https://evil.example' })}`, /issuer/],
    ['bad signature (payload altered)', `Bearer ${goodParts[0]}.${b64({ ...JSON.parse(Buffer.from(goodParts[1], 'base64url').toString()), scope: 'system/*.cruds' })}.${goodParts[2]}`, /signature/],
    ['signed by another key', `Bearer ${await new SignJWT({ scope: 'system/*.rs', client_id: 'c1' }).setProtectedHeader({ alg: 'ES384', kid: ownKey.kid }).setIssuer('http://localhost').setAudience('http://localhost/fhir').setExpirationTime(now + 300).sign(otherKey.privateKey)}`, /signature/],
    ['alg none', `Bearer ${b64({ alg: 'none', typ: 'JWT' })}.${b64({ iss: 'http://localhost', aud: 'http://localhost/fhir', sub: 'c1', client_id: 'c1', scope: 'system/*.cruds', exp: now + 300 })}.`, /algorithm|invalid/],
    ['HS256 with the public key as secret', `Bearer ${hs256}`, /algorithm/],
    ['external: wrong key', `Bearer ${await external({}, (await generateKeyPair('RS256')).privateKey)}`, /signature/],
    ['external: wrong aud', `Bearer ${await external({ aud: 'http://localhost/fhir' })}`, /audience/],
    ['external: expired', `Bearer ${await external({ exp: now - 300 })}`, /expired/],
    ['patient claim not an id', `Bearer ${await own({ patient: '../x' })}`, /patient claim/],
  ];
  for (const [name, header, reason] of cases) {
    const res = await app.inject({ url: '/fhir/Observation?code=x', headers: header ? { authorization: header } : {} });
    t.equal(res.statusCode, 401, name);
    t.equal(res.json().resourceType, 'OperationOutcome', `${name}: OperationOutcome`);
    t.match(res.json().issue[0].diagnostics, reason, `${name}: says why`);
    t.match(res.headers['www-authenticate'], /^Bearer realm="fhir"/, `${name}: WWW-Authenticate`);
    t.notMatch(res.body, /at .*\.ts:\d+/, `${name}: no stack trace`);
  }

  t.test('external authorization server tokens are accepted, with their scopes', async (t) => {
    const token = await external({});
    const res = await app.inject({ url: '/fhir/Observation/x', headers: bearer(token) });
    t.equal(res.statusCode, 404, res.body);
    const forbidden = await app.inject({ url: '/fhir/Patient/x', headers: bearer(token) });
    t.equal(forbidden.statusCode, 403, 'scope system/Observation.rs does not reach Patient');
    t.match(forbidden.json().issue[0].diagnostics, /system\/Patient\.r/);
    t.match(forbidden.headers['www-authenticate'], /insufficient_scope/);
    const scp = await external({ scope: undefined, scp: ['system/Patient.read'] });
    t.equal((await app.inject({ url: '/fhir/Patient/x', headers: bearer(scp) })).statusCode, 404, 'scp array claim understood');
  });

  t.test('the development token: this process only, loopback only', async (t) => {
    const dev = await app.authService!.mintDevToken();
    t.equal((await app.inject({ url: '/fhir/Patient/x', headers: bearer(dev) })).statusCode, 404, 'accepted from 127.0.0.1');
    const remote = await app.inject({ url: '/fhir/Patient/x', headers: bearer(dev), remoteAddress: '10.1.2.3' });
    t.equal(remote.statusCode, 401, 'refused from another address');
    t.match(remote.json().issue[0].diagnostics, /loopback/);
    const stale = await own({ dev_session: 'from-an-earlier-process', scope: 'system/*.cruds' });
    const res = await app.inject({ url: '/fhir/Patient/x', headers: bearer(stale) });
    t.equal(res.statusCode, 401);
    t.match(res.json().issue[0].diagnostics, /earlier server process/);
  });

  t.test('public paths stay public; near-misses are not', async (t) => {
    for (const url of ['/fhir/metadata', '/health/live', '/health/ready', '/docs/json', '/.well-known/smart-configuration', '/fhir/.well-known/smart-configuration']) {
      t.equal((await app.inject(url)).statusCode, 200, url);
    }
    for (const url of ['/fhir', '/fhir/', '/fhir/Patient', '/fhir//metadata', '/fhir/metadata/../Patient/x', '/fhir/%6Detadata', '/fhir/Patient/$everything', '/fhir/_history']) {
      t.equal((await app.inject(url)).statusCode, 401, url);
    }
    t.equal((await app.inject({ method: 'POST', url: '/fhir/metadata' })).statusCode, 401, 'POST metadata is not public');
  });
});
