import t from 'tap';
import { mkdtempSync, readFileSync, appendFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildApp } from '../../src/http/app.js';
import { testConfig } from '../../src/config.js';
import { OnceKeys } from '../../src/storage/embedded/once-keys.js';
import { indexSpecs } from '../../src/storage/mongodb/index-specs.js';
import { COLLECTIONS, expiredOnceKeyFilter, onceKeyDoc } from '../../src/storage/mongodb/layout.js';
import { assertion, makeClient, securityConfig, tokenForm, writeClientsFile } from './helpers.js';

/**
 * A client assertion's jti is refused again within its validity window after a restart too
 * (RFC 7523 §3; found by black-box testing: the replay cache was in memory only). Used jtis live
 * in the store: a file in the embedded data directory, a TTL collection in MongoDB.
 */
const FORM = { 'content-type': 'application/x-www-form-urlencoded' };

t.test('a used assertion is refused after a restart', async (t) => {
  const client = await makeClient('lab', 'ES384');
  const dataDir = mkdtempSync(join(tmpdir(), 'fgs-jti-'));
  const clientsFile = writeClientsFile(dataDir, [{ client, scope: 'system/*.rs' }]);
  const config = testConfig({ auth: true, dataDir, fsync: false, clientsFile, security: securityConfig() });
  const jwt = await assertion(client);
  let app = await buildApp(config);
  const first = await app.inject({ method: 'POST', url: '/auth/token', headers: FORM, payload: tokenForm(jwt, 'system/*.rs') });
  t.equal(first.statusCode, 200, first.body);
  await app.close();
  t.notMatch(readFileSync(join(dataDir, 'once-keys.log'), 'utf8'), /lab|[-]{4}/, 'the file holds hashes, not client ids or jtis');

  app = await buildApp(config);
  t.teardown(() => app.close());
  const replay = await app.inject({ method: 'POST', url: '/auth/token', headers: FORM, payload: tokenForm(jwt, 'system/*.rs') });
  t.equal(replay.statusCode, 401, replay.body);
  t.equal(replay.json().error, 'invalid_client');
  t.match(replay.json().error_description, /already used/);
  const fresh = await app.inject({ method: 'POST', url: '/auth/token', headers: FORM, payload: tokenForm(await assertion(client), 'system/*.rs') });
  t.equal(fresh.statusCode, 200, 'a fresh jti still works');
});

t.test('embedded once-keys: durable, expiring, torn tail skipped', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'fgs-once-'));
  const now = Date.now();
  let keys = new OnceKeys(dir, false);
  await keys.load(now);
  t.ok(await keys.claim('aaa', now + 60_000, now));
  t.notOk(await keys.claim('aaa', now + 60_000, now), 'a second claim is refused');
  t.ok(await keys.claim('old', now + 10, now));
  await keys.close();
  appendFileSync(join(dir, 'once-keys.log'), `${now + 60_000} torn`.slice(0, 9)); // a crash mid-append
  keys = new OnceKeys(dir, false);
  await keys.load(now + 1000);
  t.notOk(await keys.claim('aaa', now + 60_000, now + 1000), 'remembered across a reopen');
  t.ok(await keys.claim('old', now + 60_000, now + 1000), 'an expired key is claimable again');
  t.notMatch(readFileSync(join(dir, 'once-keys.log'), 'utf8'), /torn/, 'the reopen rewrote the file without the torn line');
  await keys.close();
});

t.test('embedded once-keys: concurrent claims share write rounds, each answered once on disk', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'fgs-once-'));
  const now = Date.now();
  const keys = new OnceKeys(dir, true);
  await keys.load(now);
  const before = keys.rounds;
  const names = Array.from({ length: 50 }, (_, i) => `k${i}`);
  const claims = names.map((k) => keys.claim(k, now + 60_000, now).then((won) => {
    // answered only once its own line is in the file
    t.ok(readFileSync(join(dir, 'once-keys.log'), 'utf8').includes(` ${k}\n`), `${k} on disk when answered`);
    return won;
  }));
  const twice = keys.claim('k7', now + 60_000, now);
  t.same(await Promise.all(claims), names.map(() => true));
  t.equal(await twice, false, 'a concurrent second claim of one key loses');
  t.ok(keys.rounds - before <= 2, `50 claims in ${keys.rounds - before} rounds (one running, one queued)`);
  await keys.close();
  const reopened = new OnceKeys(dir, false);
  await reopened.load(now);
  t.notOk(await reopened.claim('k49', now + 60_000, now), 'every claim survived');
  await reopened.close();
});

t.test('MongoDB once-keys: unique _id, TTL on exp', async (t) => {
  const specs = indexSpecs()[COLLECTIONS.onceKeys];
  t.same(specs, [{ key: { exp: 1 }, name: 'exp_ttl', expireAfterSeconds: 0 }]);
  t.same(onceKeyDoc('k', 1_000), { _id: 'k', exp: new Date(1_000) });
  t.same(expiredOnceKeyFilter('k', 5), { _id: 'k', exp: { $lte: new Date(5) } });
});
