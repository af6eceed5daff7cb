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
  keys.load(now);
  t.ok(keys.claim('aaa', now + 60_000, now));
  t.notOk(keys.claim('aaa', now + 60_000, now), 'a second claim is refused');
  t.ok(keys.claim('old', now + 10, now));
  keys.close();
  appendFileSync(join(dir, 'once-keys.log'), `${now + 60_000} torn`.slice(0, 9)); // a crash mid-append
  keys = new OnceKeys(dir, false);
  keys.load(now + 1000);
  t.notOk(keys.claim('aaa', now + 60_000, now + 1000), 'remembered across a reopen');
  t.ok(keys.claim('old', now + 60_000, now + 1000), 'an expired key is claimable again');
  t.notMatch(readFileSync(join(dir, 'once-keys.log'), 'utf8'), /torn/, 'the reopen rewrote the file without the torn line');
  keys.close();
});

t.test('MongoDB once-keys: unique _id, TTL on exp', async (t) => {
  const specs = indexSpecs()[COLLECTIONS.onceKeys];
  t.same(specs, [{ key: { exp: 1 }, name: 'exp_ttl', expireAfterSeconds: 0 }]);
  t.same(onceKeyDoc('k', 1_000), { _id: 'k', exp: new Date(1_000) });
  t.same(expiredOnceKeyFilter('k', 5), { _id: 'k', exp: { $lte: new Date(5) } });
});
