import t from 'tap';
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEV_TOKEN_FILE } from '../../src/config.js';
import { devTokenBanner } from '../../src/http/security.js';
import { makeApp } from './helpers.js';

/**
 * The banner's "Try:" line is pasted into a fresh shell by someone starting the server for the
 * first time: it must work there as printed, not name a $TOKEN that shell never set.
 */
t.test('the printed curl line sets TOKEN itself, from the file npm start writes', async (t) => {
  const app = await makeApp({ security: { devToken: true }, config: { host: '127.0.0.1' } });
  t.teardown(() => app.close());
  const banner = (await devTokenBanner(app, app.config))!;
  const lines = banner.split('\n');
  const token = lines[1];
  // as src/server.ts writes it
  mkdirSync(app.config.dataDir, { recursive: true });
  writeFileSync(join(app.config.dataDir, DEV_TOKEN_FILE), token + '\n', { mode: 0o600 });
  const tryLine = lines.find((l) => l.startsWith('Try: '))!;
  t.ok(tryLine, banner);
  const command = tryLine.slice('Try: '.length);
  // the shell's own expansion of the line, with curl replaced by echo of its arguments
  const expanded = execFileSync('sh', ['-c', command.replace(/\bcurl\b/, 'printf "%s\\n"')], { encoding: 'utf8', env: { PATH: process.env.PATH } });
  t.equal(expanded, `-H\nAuthorization: Bearer ${token}\n${app.config.baseUrl}/Patient\n`);
});
