import t from 'tap';
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The CLIs read the server's settings too: a bad one is told in one line naming it (as the server
 * does), not inside Node's uncaught-error dump. import-vcf and reindex exit 2 (an input error),
 * seed 1.
 */
const repo = fileURLToPath(new URL('../../', import.meta.url));
const fixture = fileURLToPath(new URL('../../../shared/fixtures/vcf/vcftests.vcf', import.meta.url));

function run(args: string[]): Promise<{ code: number | null; stderr: string }> {
  const proc = spawn(process.execPath, ['--import', 'tsx', ...args], {
    cwd: repo,
    env: { ...process.env, DATA_DIR: mkdtempSync(join(tmpdir(), 'fgs-cli-')), FHIR_MAX_COUNT: '1k', BASE_URL: 'http://127.0.0.1:1/fhir' },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  proc.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve) => proc.once('exit', (code) => resolve({ code, stderr })));
}

for (const [name, args, exit] of [
  ['import-vcf', ['scripts/import-vcf.ts', fixture, '--patient', 'p1', '--build', 'GRCh37'], 2],
  ['reindex', ['scripts/reindex.ts'], 2],
  ['seed', ['scripts/seed.ts'], 1],
] as const) {
  t.test(`${name}: a bad setting is one line naming it`, async (t) => {
    const { code, stderr } = await run([...args]);
    t.equal(code, exit, `exit code ${exit}`);
    t.match(stderr, /FHIR_MAX_COUNT must be a whole number of at least 1, got '1k'/);
    t.notMatch(stderr, /^\s+at /m, 'no stack frames');
    t.equal(stderr.trim().split('\n').length, 1, 'one line');
  });
}
