import t from 'tap';
import { bearer, FHIR_JSON, makeApp, serverToken } from './helpers.js';

/**
 * Hardening through the HTTP API: security headers, CORS, per-client rate limits, and hostile
 * inputs (deep JSON, huge Bundles, operator-shaped values, regex metacharacters) that must be
 * refused or taken literally while the server keeps answering.
 */
t.test('security headers', async (t) => {
  const app = await makeApp();
  t.teardown(() => app.close());
  const token = await serverToken(app, ['system/*.rs']);
  const api = await app.inject({ url: '/fhir/Patient/x', headers: bearer(token) });
  t.equal(api.headers['x-content-type-options'], 'nosniff');
  t.match(api.headers['content-security-policy'], /default-src 'none'/);
  t.equal(api.headers['x-frame-options'], 'DENY', 'frames denied (README "Hardening")');
  t.equal(api.headers['cache-control'], 'no-store', 'patient data is not cached by intermediaries');
  t.notOk(api.headers['x-powered-by']);
  t.notOk(api.headers['strict-transport-security'], 'no HSTS on plain http');
  const docs = await app.inject('/docs/');
  t.equal(docs.statusCode, 200);
  t.match(docs.headers['content-security-policy'], /script-src 'self'/, 'Swagger UI may load its own scripts');
  t.notMatch(docs.headers['content-security-policy'], /script-src[^;]*unsafe-inline/, 'but no inline script');
  t.equal(docs.headers['x-frame-options'], 'DENY', 'Swagger UI is not framed either');
  t.match(docs.headers['content-security-policy'], /frame-ancestors 'none'/);
  const crash = await app.inject({ url: '/fhir/Patient/%E0%A4%A', headers: bearer(token) });
  t.ok(crash.statusCode >= 400 && crash.statusCode < 500, 'bad percent-encoding is a 4xx');
  t.notMatch(crash.body, /node_modules|at [\w.]+ \(/, 'no stack trace');
});

t.test('CORS: off by default, configured origins only', async (t) => {
  const closed = await makeApp();
  t.teardown(() => closed.close());
  const pre0 = await closed.inject({ method: 'OPTIONS', url: '/fhir/Patient', headers: { origin: 'https://ehr.example', 'access-control-request-method': 'GET' } });
  t.notOk(pre0.headers['access-control-allow-origin'], 'no CORS unless configured');
  const app = await makeApp({ security: { corsOrigins: ['https://ehr.example'] } });
  t.teardown(() => app.close());
  const pre = await app.inject({ method: 'OPTIONS', url: '/fhir/Patient', headers: { origin: 'https://ehr.example', 'access-control-request-method': 'GET', 'access-control-request-headers': 'authorization' } });
  t.ok(pre.statusCode < 300, 'preflight needs no token');
  t.equal(pre.headers['access-control-allow-origin'], 'https://ehr.example');
  t.match(String(pre.headers['access-control-allow-headers']), /Authorization/i);
  const other = await app.inject({ method: 'OPTIONS', url: '/fhir/Patient', headers: { origin: 'https://evil.example', 'access-control-request-method': 'GET' } });
  t.notOk(other.headers['access-control-allow-origin'], 'unlisted origin');
  const token = await serverToken(app, ['system/*.rs']);
  const get = await app.inject({ url: '/fhir/Patient/x', headers: { ...bearer(token), origin: 'https://ehr.example' } });
  t.equal(get.headers['access-control-allow-origin'], 'https://ehr.example');
  t.match(String(get.headers['access-control-expose-headers']), /Location/);
});

t.test('per-client rate limits answer 429 with Retry-After', async (t) => {
  const app = await makeApp({ security: { rateLimitMax: 3, rateLimitWindowMs: 60_000 } });
  t.teardown(() => app.close());
  const a = await serverToken(app, ['system/*.rs'], { clientId: 'busy' });
  const b = await serverToken(app, ['system/*.rs'], { clientId: 'calm' });
  for (let i = 0; i < 3; i++) t.equal((await app.inject({ url: '/fhir/Patient/x', headers: bearer(a) })).statusCode, 404);
  const limited = await app.inject({ url: '/fhir/Patient/x', headers: bearer(a) });
  t.equal(limited.statusCode, 429);
  t.ok(Number(limited.headers['retry-after']) > 0, 'Retry-After');
  t.equal(limited.json().resourceType, 'OperationOutcome');
  t.equal(limited.json().issue[0].code, 'throttled');
  t.equal((await app.inject({ url: '/fhir/Patient/x', headers: bearer(b) })).statusCode, 404, 'another client is not affected');
  for (let i = 0; i < 5; i++) t.equal((await app.inject('/health/live')).statusCode, 200, 'health probes are never limited');
  // Unauthenticated callers are limited by address, so token guessing is throttled too.
  let last = 0;
  for (let i = 0; i < 5; i++) last = (await app.inject({ url: '/fhir/Patient/x', remoteAddress: '10.9.9.9' })).statusCode;
  t.equal(last, 429);
});

t.test('the token endpoint has its own, tighter budget per address', async (t) => {
  const app = await makeApp({ security: { rateLimitMax: 10_000 } });
  t.teardown(() => app.close());
  const statuses: number[] = [];
  for (let i = 0; i < 125; i++) {
    const res = await app.inject({ method: 'POST', url: '/auth/token', headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: 'grant_type=client_credentials', remoteAddress: '10.7.7.7' });
    statuses.push(res.statusCode);
  }
  t.equal(statuses[0], 400, 'refused on its merits first');
  t.equal(statuses.at(-1), 429, 'then throttled');
  t.equal(statuses.filter((s) => s === 400).length, 120);
});

t.test('hostile inputs are refused or taken literally; the server keeps answering', async (t) => {
  const app = await makeApp();
  t.teardown(() => app.close());
  const admin = await serverToken(app, ['system/*.cruds']);
  const h = { ...bearer(admin), ...FHIR_JSON };
  for (const family of ['Alpha', 'Bravo', '(a+)+$', '.*']) {
    const res = await app.inject({ method: 'POST', url: '/fhir/Patient', headers: h, payload: { resourceType: 'Patient', name: [{ family }] } });
    t.equal(res.statusCode, 201);
  }
  const alive = async () => t.equal((await app.inject('/health/live')).statusCode, 200, 'still responsive');

  let deep: unknown = 'x';
  for (let i = 0; i < 1000; i++) deep = { extension: [deep] };
  const deepRes = await app.inject({ method: 'POST', url: '/fhir/Patient', headers: h, payload: JSON.stringify({ resourceType: 'Patient', extension: [deep] }) });
  t.equal(deepRes.statusCode, 400, '1,000-deep JSON');
  t.match(deepRes.json().issue[0].diagnostics, /nesting/);
  const deepParams = await app.inject({ method: 'POST', url: '/fhir/$find-subject-variants', headers: h, payload: JSON.stringify({ resourceType: 'Parameters', parameter: [deep] }) });
  t.equal(deepParams.statusCode, 400, 'deep Parameters body');
  await alive();

  const entry = Array.from({ length: 10_000 }, () => ({ resource: { resourceType: 'Patient' }, request: { method: 'POST', url: 'Patient' } }));
  for (const type of ['transaction', 'batch']) {
    const big = await app.inject({ method: 'POST', url: '/fhir', headers: h, payload: { resourceType: 'Bundle', type, entry } });
    t.equal(big.statusCode, 400, `10,000-entry ${type}`);
    t.equal(big.json().issue[0].code, 'too-costly');
  }
  await alive();

  const search = async (qs: string) => {
    const res = await app.inject({ url: `/fhir/Patient?${qs}`, headers: bearer(admin) });
    return { status: res.statusCode, families: res.statusCode === 200 ? (res.json().entry ?? []).map((e: { resource: { name?: Array<{ family: string }> } }) => e.resource.name?.[0]?.family) : [] };
  };
  // `$`-prefixed values and operator-looking keys never become operators: if `$ne` were an
  // operator these would match every patient.
  for (const qs of ['family=$ne', 'family:exact=$ne', '_id=$ne', 'family=$where', `family=${encodeURIComponent('{"$ne":null}')}`, 'family:exact=$regex']) {
    const r = await search(qs);
    t.ok(r.status === 400 || (r.status === 200 && r.families.length === 0), `${qs}: refused or matched literally (${r.status}, ${r.families.length})`);
  }
  for (const qs of ['family[$ne]=x', 'family.$ne=x', 'x.y=1', 'constructor.prototype=x']) {
    const strict = await app.inject({ url: `/fhir/Patient?${qs}`, headers: { ...bearer(admin), prefer: 'handling=strict' } });
    t.equal(strict.statusCode, 400, `${qs}: unknown parameter under handling=strict`);
  }
  const proto = await app.inject({ url: '/fhir/Patient?__proto__[polluted]=x&__proto__=y', headers: bearer(admin) });
  t.ok(proto.statusCode === 200 || proto.statusCode === 400, '__proto__ parameter: dropped or refused');
  t.equal(({} as Record<string, unknown>).polluted, undefined, 'no prototype pollution from the query string');
  // Regular-expression metacharacters are literals.
  t.same((await search(`family:exact=${encodeURIComponent('(a+)+$')}`)).families, ['(a+)+$']);
  t.same((await search(`family=${encodeURIComponent('.*')}`)).families, ['.*'], 'a ".*" prefix search finds only the literal ".*"');
  t.same((await search(`family:contains=${encodeURIComponent('+)+')}`)).families, ['(a+)+$']);
  const evil = await search(`family:contains=${encodeURIComponent('(' + 'a?'.repeat(40) + ')' + 'a'.repeat(40))}&name=${'a'.repeat(2000)}!`);
  t.ok(evil.status === 400 || evil.families.length === 0, 'catastrophic pattern: no match, no hang');
  await alive();
});

t.test('operator objects and dotted keys in resources are refused by validation', async (t) => {
  const app = await makeApp();
  t.teardown(() => app.close());
  const admin = await serverToken(app, ['system/*.cruds']);
  const h = { ...bearer(admin), ...FHIR_JSON };
  const bodies: Array<[string, unknown]> = [
    ['operator object for a code', { resourceType: 'Patient', gender: { $ne: null } }],
    ['$where key', { resourceType: 'Patient', $where: 'sleep(1000)' }],
    ['dotted key', { resourceType: 'Patient', 'name.family': 'x' }],
    ['operator object inside a reference', { resourceType: 'Observation', status: 'final', code: { text: 'x' }, subject: { reference: { $regex: '.*' } } }],
  ];
  for (const [name, body] of bodies) {
    const type = (body as { resourceType: string }).resourceType;
    const res = await app.inject({ method: 'POST', url: `/fhir/${type}`, headers: h, payload: body as object });
    t.ok(res.statusCode === 400 || res.statusCode === 422, `${name}: ${res.statusCode}`);
  }
  // On create the server assigns the id (a client id is ignored, FHIR R4 http.html#create); on
  // update the id must be a FHIR id string.
  const created = await app.inject({ method: 'POST', url: '/fhir/Patient', headers: h, payload: { resourceType: 'Patient', id: { $gt: '' } } });
  t.ok(created.statusCode === 201 ? typeof created.json().id === 'string' : created.statusCode === 400, 'POST with an operator id: id ignored or refused');
  const updated = await app.inject({ method: 'PUT', url: '/fhir/Patient/p1', headers: h, payload: { resourceType: 'Patient', id: { $gt: '' } } });
  t.ok(updated.statusCode === 400 || updated.statusCode === 422, `PUT with an operator id: ${updated.statusCode}`);
  const proto = await app.inject({ method: 'POST', url: '/fhir/Patient', headers: h, payload: '{"resourceType":"Patient","__proto__":{"polluted":true}}' });
  t.equal(proto.statusCode, 400, '__proto__ key');
  t.equal(({} as Record<string, unknown>).polluted, undefined, 'no prototype pollution');
});
