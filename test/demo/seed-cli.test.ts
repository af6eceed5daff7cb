import t from 'tap';
import { spawn } from 'node:child_process';
import { createServer } from 'node:http';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * `npm run seed` against a server that wants a token it does not have (the server was started on
 * another DATA_DIR, so no .dev-token here) says so in one line, naming both ways out, and exits 1:
 * it used to print the message inside Node's uncaught-error dump.
 */
const repo = fileURLToPath(new URL('../../', import.meta.url));

t.test('seed without a token for the running server: one line, exit 1', async (t) => {
  const server = createServer((req, res) => {
    res.statusCode = req.url?.startsWith('/fhir/metadata') ? 200 : 401;
    res.setHeader('content-type', 'application/fhir+json');
    res.end('{"resourceType":"OperationOutcome","issue":[]}');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  t.teardown(() => server.close());
  const { port } = server.address() as { port: number };
  const proc = spawn(process.execPath, ['--import', 'tsx', 'scripts/seed.ts'], {
    cwd: repo,
    env: { ...process.env, BASE_URL: `http://127.0.0.1:${port}/fhir`, DATA_DIR: mkdtempSync(join(tmpdir(), 'fgs-seed-')), FHIR_TOKEN: '' },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  proc.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const code = await new Promise<number | null>((r) => proc.once('exit', r));
  t.equal(code, 1, 'exit code 1');
  t.match(stderr, /wants a token: FHIR_TOKEN=<the token npm start printed>/);
  t.match(stderr, /DATA_DIR/, 'names the other way: the server\'s data directory, where its token is');
  t.notMatch(stderr, /^\s+at /m, 'no stack frames');
  t.equal(stderr.trim().split('\n').length, 1, 'one line');
});
