import t from 'tap';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * `npm run seed -- --help` is what an adopter tries first: it must print the usage, not load the
 * demo data into whatever store or server it finds. An option it does not have is refused too.
 */
t.test('seed --help prints the usage and seeds nothing; an unknown option is refused (exit 2)', async (t) => {
  const dataDir = mkdtempSync(join(tmpdir(), 'seed-cli-'));
  // PORT 9: no server answers there, so a seeding run would write into dataDir
  const env: NodeJS.ProcessEnv = { ...process.env, DATA_DIR: dataDir, PORT: '9', FHIR_FSYNC: 'off' };
  delete env.BASE_URL;
  const run = (...args: string[]) => spawnSync(process.execPath, ['--import', 'tsx', 'scripts/seed.ts', ...args], { encoding: 'utf8', env });
  const help = run('--help');
  t.equal(help.status, 0, help.stderr);
  t.match(help.stdout, /^usage: npm run seed\b/);
  const bad = run('--bogus');
  t.equal(bad.status, 2, bad.stderr);
  t.match(bad.stderr, /^unknown option '--bogus'\nusage: npm run seed/);
  t.same(readdirSync(dataDir), [], 'no store was opened');
});
