import t from 'tap';
import { assertion, makeApp, makeClient, tokenForm } from './helpers.js';

/**
 * Token endpoint edges (found by black-box testing): a client_id that differs from the assertion's
 * iss/sub (RFC 7521 §4.2), an iat far in the future, a JSON body (RFC 6749 §4.4.2: form encoded),
 * and a 429 that came back as a FHIR OperationOutcome instead of OAuth JSON.
 */
const FORM = { 'content-type': 'application/x-www-form-urlencoded' };

t.test('token endpoint refuses what RFC 6749/7521/7523 refuse', async (t) => {
  const client = await makeClient('lab', 'ES384');
  const app = await makeApp({ clients: [{ client, scope: 'system/*.rs' }], security: { rateLimitMax: 10_000 } });
  t.teardown(() => app.close());
  const token = async (payload: string, headers: Record<string, string> = FORM) => app.inject({ method: 'POST', url: '/auth/token', headers, payload });

  const mismatch = await token(tokenForm(await assertion(client), 'system/*.rs', { client_id: 'someone-else' }));
  t.equal(mismatch.statusCode, 401, mismatch.body);
  t.equal(mismatch.json().error, 'invalid_client', 'a client_id that is not the assertion\'s iss: invalid_client');
  const same = await token(tokenForm(await assertion(client), 'system/*.rs', { client_id: 'lab' }));
  t.equal(same.statusCode, 200, 'a matching client_id is fine');

  const now = Math.floor(Date.now() / 1000);
  const future = await token(tokenForm(await assertion(client, { iat: now + 100 }), 'system/*.rs'));
  t.equal(future.statusCode, 401, future.body);
  t.match(future.json().error_description, /iat/);
  const skew = await token(tokenForm(await assertion(client, { iat: now + 20 }), 'system/*.rs'));
  t.equal(skew.statusCode, 200, 'a small clock skew is allowed');

  const form = Object.fromEntries(new URLSearchParams(tokenForm(await assertion(client), 'system/*.rs')));
  const json = await token(JSON.stringify(form), { 'content-type': 'application/json' });
  t.equal(json.statusCode, 400, json.body);
  t.equal(json.json().error, 'invalid_request', 'a JSON body: invalid_request');

  let limited;
  for (let i = 0; i < 130 && !limited; i++) {
    const res = await token('grant_type=x');
    if (res.statusCode === 429) limited = res;
  }
  t.ok(limited, 'the token endpoint is rate limited');
  t.match(limited!.headers['content-type'], /^application\/json/);
  t.equal(limited!.json().error, 'temporarily_unavailable', `a 429 is OAuth JSON: ${limited!.body}`);
  t.ok(limited!.headers['retry-after'], 'with Retry-After');
});
