/**
 * Cost of security on the hottest path: read-by-id throughput through a real server process with
 * bearer-token verification + audit trail (+ rate limiter) against the same server with
 * FHIR_AUTH=off and FHIR_AUDIT=off, measured in the same run with autocannon, alternating the two
 * so machine noise hits both. Target: ratio >= 0.85. Bounded: about 30 s.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import type { BenchLine } from '../bench.js';

interface Server {
  proc: ChildProcess;
  base: string;
  token?: string;
}

const ROUND_SECONDS = 4;
const ROUNDS = 3;
const CONNECTIONS = 16;
const IDS = 200;
const repo = fileURLToPath(new URL('../../', import.meta.url));
const EXAMPLE = join(repo, 'schemas/genomics/examples/Observation-VariantExample.json');

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

/** What is read: the IG's Variant Observation example when vendored (a realistic size), else a small one. */
function observation(i: number): Record<string, unknown> {
  if (existsSync(EXAMPLE)) {
    const ex = JSON.parse(readFileSync(EXAMPLE, 'utf8')) as Record<string, unknown>;
    return { ...ex, id: `obs-${i}`, meta: undefined, subject: { reference: `Patient/p${i % 20}` } };
  }
  return {
    resourceType: 'Observation', id: `obs-${i}`, status: 'final',
    code: { coding: [{ system: 'http://loinc.org', code: '69548-6', display: 'Genetic variant assessment' }] },
    subject: { reference: `Patient/p${i % 20}` },
  };
}

async function start(env: Record<string, string>, dataDir: string): Promise<Server> {
  const port = await freePort();
  const proc = spawn(process.execPath, ['--import', 'tsx', 'src/server.ts'], {
    cwd: repo,
    env: { ...process.env, HOST: '127.0.0.1', PORT: String(port), DATA_DIR: dataDir, LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  proc.stdout!.on('data', (d) => (out += d));
  proc.stderr!.on('data', (d) => (out += d));
  const deadline = Date.now() + 30_000;
  const wantToken = env.FHIR_AUTH !== 'off';
  while (!/ready at/.test(out) || (wantToken && !/^eyJ/m.test(out))) {
    if (Date.now() > deadline || proc.exitCode !== null) throw new Error(`server did not start:\n${out}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  const token = wantToken ? /^(eyJ\S+)$/m.exec(out)![1] : undefined;
  return { proc, base: `http://127.0.0.1:${port}/fhir`, token };
}

function headers(s: Server): Record<string, string> {
  return { 'content-type': 'application/fhir+json', ...(s.token ? { authorization: `Bearer ${s.token}` } : {}) };
}

async function seed(s: Server): Promise<void> {
  for (let i = 0; i < IDS; i++) {
    const body = observation(i);
    const res = await fetch(`${s.base}/Observation/obs-${i}`, { method: 'PUT', headers: headers(s), body: JSON.stringify(body) });
    if (res.status >= 300) throw new Error(`seed failed: ${res.status} ${await res.text()}`);
  }
}

async function readRate(s: Server): Promise<number> {
  let n = 0;
  const result = await autocannon({
    url: s.base,
    connections: CONNECTIONS,
    duration: ROUND_SECONDS,
    headers: headers(s),
    requests: [{ method: 'GET', setupRequest: (req) => ({ ...req, path: `/fhir/Observation/obs-${n++ % IDS}` }) }],
  });
  if (result.non2xx > 0 || result.errors > 0) throw new Error(`read errors: ${result.non2xx} non-2xx, ${result.errors} errors`);
  return result.requests.average;
}

async function stop(s: Server): Promise<void> {
  if (s.proc.exitCode !== null) return;
  const exited = new Promise((r) => s.proc.once('exit', r));
  s.proc.kill('SIGTERM');
  await exited;
}

export default {
  title: 'Security cost on read-by-id (auth + audit vs none, real server, autocannon)',
  async run(): Promise<BenchLine[]> {
    const dir = mkdtempSync(join(tmpdir(), 'fgs-bench-auth-'));
    const plain = await start({ FHIR_AUTH: 'off', FHIR_AUDIT: 'off', FHIR_RATE_LIMIT: '0' }, join(dir, 'plain'));
    const secured = await start({ FHIR_RATE_LIMIT: '1000000000' }, join(dir, 'secured'));
    try {
      await seed(plain);
      await seed(secured);
      // Warm-up (JIT, token cache), then alternate.
      await readRate(plain);
      await readRate(secured);
      // Adjacent pairs, median ratio: this machine is shared, so a single pair can be skewed by
      // whatever else runs during it.
      const pairs: Array<[number, number]> = [];
      for (let r = 0; r < ROUNDS; r++) pairs.push([await readRate(plain), await readRate(secured)]);
      const ratios = pairs.map(([b, a]) => a / b).sort((x, y) => x - y);
      const median = ratios[Math.floor(ratios.length / 2)];
      const base = pairs.reduce((s, [b]) => s + b, 0) / pairs.length;
      const auth = pairs.reduce((s, [, a]) => s + a, 0) / pairs.length;
      return [
        { name: 'read-by-id, FHIR_AUTH=off, no audit', value: base, unit: 'req/s' },
        { name: 'read-by-id, bearer token + audit + rate limit', value: auth, unit: 'req/s', ratio: median, baseline: 'no auth (median of pairs)', target: '>= 0.85' },
      ];
    } finally {
      await stop(plain);
      await stop(secured);
      rmSync(dir, { recursive: true, force: true });
    }
  },
};
