import t, { type Test } from 'tap';
import { decodeJwt, decodeProtectedHeader, createLocalJWKSet, jwtVerify } from 'jose';
import { assertion, bearer, makeApp, makeClient, requestToken, tokenForm, TOKEN_URL } from './helpers.js';

const FORM = { 'content-type': 'application/x-www-form-urlencoded' };

t.test('SMART Backend Services token endpoint', async (t) => {
  const rsClient = await makeClient('lab-rs', 'RS384');
  const ecClient = await makeClient('ehr-ec', 'ES384');
  const stranger = await makeClient('stranger', 'ES384');
  const app = await makeApp({
    clients: [
      { client: rsClient, scope: 'system/Observation.rs system/DiagnosticReport.read' },
      { client: ecClient, scope: 'system/*.cruds' },
    ],
  });
  t.teardown(() => app.close());

  t.test('discovery documents and JWKS are public', async (t) => {
    for (const url of ['/.well-known/smart-configuration', '/fhir/.well-known/smart-configuration']) {
      const res = await app.inject(url);
      t.equal(res.statusCode, 200, url);
      const doc = res.json();
      t.equal(doc.token_endpoint, TOKEN_URL);
      t.same(doc.token_endpoint_auth_methods_supported, ['private_key_jwt']);
      t.same(doc.token_endpoint_auth_signing_alg_values_supported, ['RS384', 'ES384']);
      t.ok(doc.grant_types_supported.includes('client_credentials'));
      t.ok(doc.capabilities.includes('permission-v2'));
      t.notOk('authorization_endpoint' in doc || 'response_types_supported' in doc, 'no authorization-endpoint flow is claimed');
    }
    const jwks = (await app.inject('/.well-known/jwks.json')).json();
    t.equal(jwks.keys.length, 1);
    t.notOk('d' in jwks.keys[0], 'the private key is never published');
    const meta = await app.inject('/fhir/metadata');
    t.equal(meta.statusCode, 200, 'CapabilityStatement is public');
    const ext = meta.json().rest[0].security.extension[0];
    t.equal(ext.url, 'http://fhir-registry.smarthealthit.org/StructureDefinition/oauth-uris');
    t.same(ext.extension, [{ url: 'token', valueUri: TOKEN_URL }], 'CapabilityStatement points at the token endpoint');
  });

  t.test('RS384 and ES384 assertions get tokens with the intersection of requested and allowed scopes', async (t) => {
    const rs = await requestToken(app, rsClient, 'system/Observation.rs system/Patient.rs system/DiagnosticReport.read');
    t.equal(rs.statusCode, 200, rs.body);
    t.equal(rs.headers['cache-control'], 'no-store');
    const body = rs.json();
    t.equal(body.token_type, 'bearer');
    t.equal(body.expires_in, 300);
    t.same(body.scope.split(' ').sort(), ['system/DiagnosticReport.read', 'system/Observation.rs'], 'Patient not allowed: dropped');
    const claims = decodeJwt(body.access_token);
    t.equal(claims.sub, 'lab-rs');
    t.equal(claims.aud, 'http://localhost/fhir');
    t.ok(claims.exp! - claims.iat! <= 300, 'short-lived');
    t.equal(decodeProtectedHeader(body.access_token).alg, 'ES384');
    // The token verifies against the published JWKS.
    const jwks = (await app.inject('/.well-known/jwks.json')).json();
    await jwtVerify(body.access_token, createLocalJWKSet(jwks), { audience: 'http://localhost/fhir' });

    const ec = await requestToken(app, ecClient, 'system/Observation.read system/*.rs');
    t.equal(ec.statusCode, 200, ec.body);
    t.same(ec.json().scope.split(' ').sort(), ['system/*.rs', 'system/Observation.read']);

    // Narrowing: asking for more letters than allowed yields only the allowed ones.
    const narrowed = await requestToken(app, rsClient, 'system/Observation.cruds');
    t.equal(narrowed.json().scope, 'system/Observation.rs');

    // The issued token works on /fhir.
    const read = await app.inject({ url: '/fhir/Observation/nope', headers: bearer(body.access_token) });
    t.equal(read.statusCode, 404, 'authenticated: the resource is simply not there');
  });

  const refused = async (t: Test, payload: string, error: string, reason: RegExp) => {
    const res = await app.inject({ method: 'POST', url: '/auth/token', headers: FORM, payload });
    t.equal(res.json().error, error, res.body);
    t.match(res.json().error_description, reason);
    t.ok(res.statusCode === 400 || res.statusCode === 401);
    t.notOk(res.json().access_token);
  };

  t.test('refusals', async (t) => {
    const now = Math.floor(Date.now() / 1000);
    await refused(t, tokenForm(await assertion(stranger), 'system/*.rs'), 'invalid_client', /unknown client/);
    await refused(t, tokenForm(await assertion(rsClient, { aud: 'http://evil/token' }), 'system/Observation.rs'), 'invalid_client', /aud/);
    await refused(t, tokenForm(await assertion(rsClient, { sub: 'someone-else' }), 'system/Observation.rs'), 'invalid_client', /sub/);
    await refused(t, tokenForm(await assertion(rsClient, { exp: now - 120, iat: now - 400 }), 'system/Observation.rs'), 'invalid_client', /expired/);
    await refused(t, tokenForm(await assertion(rsClient, { exp: now + 3600 }), 'system/Observation.rs'), 'invalid_client', /5 minutes/);
    // Signed by another key than the registered one.
    const forged = await assertion({ ...stranger, clientId: 'lab-rs', publicJwk: { ...stranger.publicJwk, kid: 'lab-rs-key' } });
    await refused(t, tokenForm(forged, 'system/Observation.rs'), 'invalid_client', /signature|no known key/);
    // Replay: the same jti twice.
    const once = await assertion(ecClient, { jti: 'same-jti' });
    const first = await app.inject({ method: 'POST', url: '/auth/token', headers: FORM, payload: tokenForm(once, 'system/*.rs') });
    t.equal(first.statusCode, 200);
    const again = await assertion(ecClient, { jti: 'same-jti' });
    await refused(t, tokenForm(again, 'system/*.rs'), 'invalid_client', /already used/);
    await refused(t, tokenForm(once, 'system/*.rs'), 'invalid_client', /already used/);
    // Protocol errors.
    await refused(t, tokenForm(await assertion(ecClient), 'system/*.rs', { grant_type: 'password' }), 'unsupported_grant_type', /client_credentials/);
    await refused(t, tokenForm(await assertion(ecClient), 'system/*.rs', { client_assertion_type: 'x' }), 'invalid_request', /client_assertion_type/);
    await refused(t, tokenForm(await assertion(ecClient), ''), 'invalid_request', /scope/);
    await refused(t, tokenForm(await assertion(rsClient), 'system/Patient.rs'), 'invalid_scope', /none of the requested/);
    await refused(t, tokenForm('not-a-jwt', 'system/*.rs'), 'invalid_client', /not a JWT/);
    await refused(t, `${tokenForm(await assertion(ecClient), 'system/*.rs')}&scope=system/*.cruds`, 'invalid_request', /once|repeated/);
  });

  t.test('assertion algorithms other than RS384/ES384 are refused', async (t) => {
    const { SignJWT, generateKeyPair } = await import('jose');
    const rs256 = await generateKeyPair('RS256');
    const now = Math.floor(Date.now() / 1000);
    const jwt = await new SignJWT({ jti: 'x1' }).setProtectedHeader({ alg: 'RS256' }).setIssuer('lab-rs').setSubject('lab-rs')
      .setAudience(TOKEN_URL).setExpirationTime(now + 60).sign(rs256.privateKey);
    await refused(t, tokenForm(jwt, 'system/Observation.rs'), 'invalid_client', /RS384 or ES384/);
    const none = `${Buffer.from(JSON.stringify({ alg: 'none' })).toString('base64url')}.${Buffer.from(JSON.stringify({ iss: 'lab-rs', sub: 'lab-rs', aud: TOKEN_URL, exp: now + 60, jti: 'n1' })).toString('base64url')}.`;
    await refused(t, tokenForm(none, 'system/Observation.rs'), 'invalid_client', /RS384 or ES384/);
  });
});
