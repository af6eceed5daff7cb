/**
 * REST benchmark (issue 2): read-by-id and validated durable create throughput with 16
 * concurrent clients (autocannon), against (a) this server, (b) a bare Fastify route serving /
 * accepting the same JSON, (c) @medplum/fhir-router's in-memory repository behind Fastify (the
 * peer); plus start-up-to-ready time. Every server runs in its own process, measured in the same
 * run, so the ratios hold on this shared machine where absolute numbers do not.
 * Bounded: about 60 s in all.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import type { BenchLine } from '../bench.js';

const repo = fileURLToPath(new URL('../../', import.meta.url));
const CONNECTIONS = 16;
const SECONDS = 2;
const ROUNDS = 3;
const SEED = 1000;
const HEADERS = { 'content-type': 'application/fhir+json', accept: 'application/fhir+json' };

/** A realistic body: the IG's Variant Observation example, without id and meta. */
function variantBody(): string {
  const ex = JSON.parse(readFileSync(join(repo, 'schemas/genomics/examples/Observation-VariantExample.json'), 'utf8')) as Record<string, unknown>;
  delete ex.id;
  if (ex.meta) ex.meta = { profile: (ex.meta as { profile?: string[] }).profile };
  return JSON.stringify(ex);
}

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

interface Proc { origin: string; child: ChildProcess; readyMs: number; stop(): Promise<void> }

async function start(args: string[], env: Record<string, string>, readyPath: string): Promise<Proc> {
  const port = await freePort();
  const origin = `http://127.0.0.1:${port}`;
  const t0 = performance.now();
  // Compiled JavaScript (dist/, as `npm start` runs it) needs no TypeScript loader.
  const loader = args[0].endsWith('.js') ? [] : ['--import', 'tsx'];
  const child = spawn(process.execPath, [...loader, ...args], {
    cwd: repo, env: { ...process.env, PORT: String(port), HOST: '127.0.0.1', ...env }, stdio: ['ignore', 'ignore', 'inherit'],
  });
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${args.join(' ')} exited with ${child.exitCode}`);
    if (await fetch(origin + readyPath).then((r) => r.ok, () => false)) break;
    if (performance.now() - t0 > 60_000) throw new Error(`${args.join(' ')} not ready after 60 s`);
    await new Promise((r) => setTimeout(r, 5));
  }
  const readyMs = performance.now() - t0;
  return {
    origin, child, readyMs,
    stop: () => new Promise<void>((resolve) => {
      if (child.exitCode !== null) return resolve();
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
    }),
  };
}

function ourServer(dataDir: string): Promise<Proc> {
  // Auth, audit and rate limits off: this measures the REST core, the validator and the durable store.
  // As `npm start` runs it: the compiled server (scripts/build.mjs runs once before the bench).
  return start(['dist/src/server.js'], { DATA_DIR: dataDir, FHIR_AUTH: 'off', FHIR_AUDIT: 'off', FHIR_RATE_LIMIT: '0', LOG_LEVEL: 'warn' }, '/health/ready');
}

async function seed(origin: string, body: string): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < SEED; i += 50) {
    const batch = await Promise.all(Array.from({ length: 50 }, () => fetch(`${origin}/fhir/Observation`, { method: 'POST', headers: HEADERS, body }).then((r) => r.json() as Promise<{ id: string }>)));
    ids.push(...batch.map((r) => r.id));
  }
  return ids;
}

async function load(opts: autocannon.Options): Promise<number> {
  const result = await autocannon({ connections: CONNECTIONS, duration: SECONDS, ...opts });
  if (result.non2xx || result.errors) throw new Error(`${opts.url}: ${result.non2xx} non-2xx answers, ${result.errors} errors`);
  return result.requests.average;
}

interface Target { name: string; proc: Proc; ids: string[] }

/**
 * The three servers run side by side and are loaded in alternating short rounds (ours, bare,
 * peer, ours, …), so a burst of load from elsewhere on the machine hits all of them alike.
 */
async function alternate(targets: Target[], opts: (t: Target) => autocannon.Options): Promise<number[]> {
  const totals = targets.map(() => 0);
  for (let round = 0; round < ROUNDS; round++) {
    for (const [i, t] of targets.entries()) totals[i] += await load(opts(t));
  }
  return totals.map((x) => x / ROUNDS);
}

function readOpts(t: Target): autocannon.Options {
  let n = 0;
  return { url: t.proc.origin, requests: [{ method: 'GET', setupRequest: (r: object) => ({ ...r, path: `/fhir/Observation/${t.ids[n++ % t.ids.length]}` }) }] } as autocannon.Options;
}

export default {
  title: 'REST API: read-by-id and validated durable create, 16 clients (autocannon)',
  async run(): Promise<BenchLine[]> {
    const body = variantBody();
    if (spawnSync(process.execPath, ['scripts/build.mjs', '--quiet'], { cwd: repo, stdio: 'inherit' }).status !== 0) throw new Error('build failed');
    const dir = mkdtempSync(join(tmpdir(), 'fgs-bench-rest-'));
    const lines: BenchLine[] = [];
    try {
      const starts: number[] = [];
      for (let i = 0; i < 3; i++) {
        const p = await ourServer(join(dir, `start-${i}`));
        starts.push(p.readyMs);
        await p.stop();
      }
      starts.sort((a, b) => a - b);
      const bareStarts: number[] = [];
      for (let i = 0; i < 3; i++) {
        const p = await start(['scripts/bench/_rest-baseline-server.ts', 'bare'], {}, '/ready');
        bareStarts.push(p.readyMs);
        await p.stop();
      }
      bareStarts.sort((a, b) => a - b);

      const procs = [
        await ourServer(join(dir, 'ours')),
        await start(['scripts/bench/_rest-baseline-server.ts', 'bare'], {}, '/ready'),
        await start(['scripts/bench/_rest-baseline-server.ts', 'medplum'], {}, '/ready'),
      ];
      let o: { read: number; create: number }, b: typeof o, m: typeof o;
      try {
        const targets: Target[] = [];
        for (const [i, proc] of procs.entries()) targets.push({ name: ['ours', 'bare', 'medplum'][i], proc, ids: await seed(proc.origin, body) });
        for (const t of targets) await autocannon({ ...readOpts(t), connections: CONNECTIONS, duration: 1 }); // warm-up
        const reads = await alternate(targets, readOpts);
        const creates = await alternate(targets, (t) => ({ url: `${t.proc.origin}/fhir/Observation`, method: 'POST', headers: HEADERS, body }));
        [o, b, m] = reads.map((read, i) => ({ read, create: creates[i] }));
      } finally {
        for (const p of procs) await p.stop();
      }
      lines.push(
        { name: 'read-by-id: this server', value: o.read, unit: 'req/s', ratio: o.read / b.read, baseline: 'bare Fastify', target: '>= 0.7x' },
        { name: 'read-by-id: this server vs peer', value: o.read, unit: 'req/s', ratio: o.read / m.read, baseline: 'medplum fhir-router (memory)', target: '>= 1.5x' },
        { name: 'read-by-id: bare Fastify', value: b.read, unit: 'req/s' },
        { name: 'read-by-id: medplum fhir-router (memory)', value: m.read, unit: 'req/s' },
        { name: 'create (validated, fsync durable): this server', value: o.create, unit: 'req/s', ratio: o.create / b.create, baseline: 'bare Fastify (Map)', target: '>= 5000 req/s' },
        { name: 'create: this server vs peer', value: o.create, unit: 'req/s', ratio: o.create / m.create, baseline: 'medplum fhir-router (memory, no validation)' },
        { name: 'create: bare Fastify (Map, no validation)', value: b.create, unit: 'req/s' },
        { name: 'create: medplum fhir-router (memory)', value: m.create, unit: 'req/s' },
        { name: 'start-up to ready (median of 3, spawn → /health/ready)', value: starts[1], unit: 'ms', ratio: starts[1] / bareStarts[1], baseline: 'bare Fastify process (tsx)', target: '< 1000 ms' },
        { name: 'start-up to ready: bare Fastify process (tsx)', value: bareStarts[1], unit: 'ms' },
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    return lines;
  },
};
