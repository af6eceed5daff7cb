import t from 'tap';
import { Agent, request } from 'node:http';
import { bearer, FHIR_JSON, makeApp, serverToken } from './helpers.js';

/**
 * The per-connection token cache (verify-token.ts): a keep-alive connection that presented a
 * verified token is answered without re-verifying only for that very token. Another client's
 * token, a forged copy of the same length, or no token at all on the same connection are each
 * judged on their own, as a proxy multiplexing several clients over one connection needs.
 */
t.test('tokens on one keep-alive connection are each verified', async (t) => {
  const app = await makeApp();
  t.teardown(() => app.close());
  const writer = await serverToken(app, ['system/*.cruds']);
  const put = await app.inject({ method: 'PUT', url: '/fhir/Patient/p1', headers: { ...FHIR_JSON, ...bearer(writer) }, payload: JSON.stringify({ resourceType: 'Patient', id: 'p1' }) });
  t.equal(put.statusCode, 201);
  await app.listen({ port: 0, host: '127.0.0.1' });
  const port = (app.server.address() as { port: number }).port;
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  t.teardown(() => agent.destroy());
  const sockets = new Set<unknown>();
  const get = (headers: Record<string, string>) => new Promise<{ status: number; body: string }>((resolve, reject) => {
    const req = request({ port, host: '127.0.0.1', path: '/fhir/Patient/p1', agent, headers }, (res) => {
      let body = '';
      res.on('data', (d) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode!, body }));
    });
    req.on('socket', (s) => sockets.add(s));
    req.on('error', reject);
    req.end();
  });

  const reader = await serverToken(app, ['system/Patient.r'], { clientId: 'reader' });
  const other = await serverToken(app, ['system/Observation.r'], { clientId: 'other' });
  // same length, one character of the signature changed
  const last = reader.at(-2) === 'A' ? 'B' : 'A';
  const forged = reader.slice(0, -2) + last + reader.slice(-1);
  t.equal(forged.length, reader.length);

  t.equal((await get(bearer(reader))).status, 200, 'verified token');
  t.equal((await get(bearer(reader))).status, 200, 'same token again');
  const refused = await get(bearer(other));
  t.equal(refused.status, 403, "another client's token gets its own grants");
  t.match(refused.body, /Patient/);
  t.equal((await get(bearer(forged))).status, 401, 'a forged token of the same length is verified and refused');
  t.equal((await get({})).status, 401, 'no token');
  t.equal((await get(bearer(reader))).status, 200, 'the verified token again');
  t.equal((await get(bearer(forged))).status, 401, 'the forged token again');
  t.equal(sockets.size, 1, 'every request used the one connection');
});
