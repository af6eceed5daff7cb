import t from 'tap';
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * A setting or a store that stops the start is told in one line naming it, not as a crash dump
 * (source excerpt, stack frames, Node version) that a first-time user has to read the cause out of.
 */
const repo = fileURLToPath(new URL('../../', import.meta.url));

function start(env: Record<string, string>): Promise<{ code: number | null; stderr: string }> {
  const proc = spawn(process.execPath, ['--import', 'tsx', 'src/server.ts'], {
    cwd: repo,
    env: { ...process.env, HOST: '127.0.0.1', PORT: '0', LOG_LEVEL: 'silent', ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  proc.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const timer = setTimeout(() => proc.kill('SIGKILL'), 30_000);
  return new Promise((resolve) => proc.once('exit', (code) => { clearTimeout(timer); resolve({ code, stderr }); }));
}

t.test('a bad numeric setting stops the start with one line naming it', async (t) => {
  const { code, stderr } = await start({ DATA_DIR: mkdtempSync(join(tmpdir(), 'fgs-start-')), FHIR_MAX_COUNT: '1k' });
  t.equal(code, 1, 'exit code 1');
  t.match(stderr, /FHIR_MAX_COUNT must be a whole number of at least 1, got '1k'/);
  t.notMatch(stderr, /^\s+at /m, 'no stack frames');
  t.equal(stderr.trim().split('\n').length, 1, 'one line');
});

t.test('a data directory another process holds stops the start with one line', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'fgs-start-'));
  const other = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)'], { stdio: 'ignore' });
  t.teardown(() => other.kill('SIGKILL'));
  writeFileSync(join(dir, 'LOCK'), String(other.pid));
  const { code, stderr } = await start({ DATA_DIR: dir, FHIR_AUTH: 'off' });
  t.equal(code, 1, 'exit code 1');
  t.match(stderr, /in use by process/);
  t.notMatch(stderr, /^\s+at /m, 'no stack frames');
  t.equal(stderr.trim().split('\n').length, 1, 'one line');
});
