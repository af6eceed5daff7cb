import t from 'tap';
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * scripts/smart-client.ts as README "Registering clients" has an integration engineer run it:
 * a mistake on its command line is one line and the usage (exit 2), not an uncaught stack trace.
 */
const dir = mkdtempSync(join(tmpdir(), 'smart-client-'));
const run = (...args: string[]) => spawnSync(process.execPath, ['--import', 'tsx', 'scripts/smart-client.ts', ...args], { encoding: 'utf8' });

t.test('--help prints the usage on stdout, exit 0', async (t) => {
  const r = run('--help');
  t.equal(r.status, 0, r.stderr);
  t.match(r.stdout, /^usage: .*keygen --client-id ID/);
});

t.test('a missing option, a key file that cannot be read, an unreachable server: one line each, no stack', async (t) => {
  const missing = run('token', '--client-id', 'lab-system');
  t.equal(missing.status, 2);
  t.match(missing.stderr, /^smart-client: --key is required\nusage: /);
  const noKey = run('token', '--client-id', 'lab-system', '--key', join(dir, 'nope.json'), '--scope', 'system/*.rs');
  t.equal(noKey.status, 2);
  t.match(noKey.stderr, /^smart-client: cannot read --key .*nope\.json: ENOENT[^\n]*\n$/);
  const gen = run('keygen', '--client-id', 'lab-system', '--out', join(dir, 'lab.jwk.json'));
  t.equal(gen.status, 0, gen.stderr);
  t.match(JSON.parse(gen.stdout), { client_id: 'lab-system', scope: 'system/*.rs' });
  // port 9 (discard) on loopback: nothing listens there
  const down = run('token', '--client-id', 'lab-system', '--key', join(dir, 'lab.jwk.json'), '--scope', 'system/*.rs', '--token-url', 'http://127.0.0.1:9/auth/token');
  t.equal(down.status, 1);
  t.match(down.stderr, /^smart-client: cannot reach http:\/\/127\.0\.0\.1:9\/auth\/token: [^\n]+\n$/);
  for (const r of [missing, noKey, down]) t.notMatch(r.stderr, /\n\s+at /, 'no stack trace');
});
