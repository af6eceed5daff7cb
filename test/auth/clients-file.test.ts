import t from 'tap';
import { createServer } from 'node:http';
import { exportJWK, generateKeyPair } from 'jose';
import { parseClient } from '../../src/auth/clients.js';
import { makeApp, makeClient, requestToken } from './helpers.js';

/** The FHIR_CLIENTS_FILE format: what is accepted, what stops the server, jwks_uri clients. */
t.test('clients file entries are checked strictly', async (t) => {
  const { publicKey, privateKey } = await generateKeyPair('ES384', { extractable: true });
  const pub = await exportJWK(publicKey);
  const priv = await exportJWK(privateKey);
  t.ok(parseClient({ client_id: 'a', jwks: { keys: [pub] }, scope: 'system/*.rs' }, 'x').keys, 'inline public JWKS');
  t.same(parseClient({ client_id: 'a', jwks: { keys: [pub] }, scope: ['system/*.rs', 'system/Patient.r'] }, 'x').allowedScopes, ['system/*.rs', 'system/Patient.r'], 'scope as a list');
  const bad: Array<[string, unknown, RegExp]> = [
    ['private key', { client_id: 'a', jwks: { keys: [priv] }, scope: 's' }, /PUBLIC keys only/],
    ['symmetric key', { client_id: 'a', jwks: { keys: [{ kty: 'oct', k: 'c2VjcmV0' }] }, scope: 's' }, /RSA or EC/],
    ['both jwks and jwks_uri', { client_id: 'a', jwks: { keys: [pub] }, jwks_uri: 'https://x/jwks', scope: 's' }, /exactly one/],
    ['no key', { client_id: 'a', scope: 's' }, /exactly one/],
    ['plain http jwks_uri', { client_id: 'a', jwks_uri: 'http://keys.example/jwks', scope: 's' }, /https/],
    ['bad client_id', { client_id: 'a b', jwks: { keys: [pub] }, scope: 's' }, /client_id/],
    ['no scope', { client_id: 'a', jwks: { keys: [pub] } }, /scope/],
    ['bad patient', { client_id: 'a', jwks: { keys: [pub] }, scope: 's', patient: '../p' }, /patient/],
  ];
  for (const [name, entry, reason] of bad) t.throws(() => parseClient(entry, 'x'), reason, name);
});

t.test('a client registered by jwks_uri gets tokens', async (t) => {
  const client = await makeClient('remote-keys', 'RS384');
  const server = createServer((_req, res) => {
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ keys: [client.publicJwk] }));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  t.teardown(() => new Promise<void>((r) => server.close(() => r())));
  const url = `http://127.0.0.1:${(server.address() as { port: number }).port}/jwks.json`;
  const { writeFileSync, mkdtempSync } = await import('node:fs');
  const { join } = await import('node:path');
  const { tmpdir } = await import('node:os');
  const file = join(mkdtempSync(join(tmpdir(), 'fgs-clients-')), 'clients.json');
  writeFileSync(file, JSON.stringify([{ client_id: 'remote-keys', jwks_uri: url, scope: 'system/Observation.rs' }]));
  const app = await makeApp({ config: { clientsFile: file } });
  t.teardown(() => app.close());
  const res = await requestToken(app, client, 'system/Observation.rs');
  t.equal(res.statusCode, 200, res.body);
  t.equal(res.json().scope, 'system/Observation.rs');
});

t.test('an unreadable clients file stops the server at start', async (t) => {
  const { writeFileSync, mkdtempSync } = await import('node:fs');
  const { join } = await import('node:path');
  const { tmpdir } = await import('node:os');
  const file = join(mkdtempSync(join(tmpdir(), 'fgs-clients-')), 'clients.json');
  writeFileSync(file, '{"client_id": "not a list"}');
  await t.rejects(makeApp({ config: { clientsFile: file } }), /JSON list/);
});
