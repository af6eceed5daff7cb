import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Starts the real server the way `npm start` does (src/server.ts under tsx) on a fresh data
 * directory and a free loopback port, and reads the base URL and development token it prints.
 */
export interface RunningServer {
  origin: string;
  base: string;
  token?: string;
  output: () => string;
  stop: () => Promise<void>;
}

export async function startServer(env: Record<string, string> = {}): Promise<RunningServer> {
  const port = 20000 + Math.floor(Math.random() * 20000);
  const dataDir = mkdtempSync(join(tmpdir(), 'fgs-browser-'));
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', 'src/server.ts'], {
    env: { ...process.env, PORT: String(port), HOST: '127.0.0.1', DATA_DIR: dataDir, LOG_LEVEL: 'warn', FHIR_FSYNC: 'off', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  const deadline = Date.now() + 30_000;
  // (the banner is printed after "ready at": wait for the token's own line, ended, not a fixed pause)
  while (!/ready at/.test(out) || (env.FHIR_AUTH !== 'off' && !/Development token[^\n]*\n[^\n]+\n/.test(out))) {
    if (child.exitCode !== null) throw new Error(`server exited early:\n${out}`);
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`server did not start in 30 s:\n${out}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  const lines = out.split('\n');
  const tokenLine = lines.findIndex((l) => l.startsWith('Development token'));
  const token = tokenLine >= 0 ? lines[tokenLine + 1]?.trim() : undefined;
  const origin = `http://127.0.0.1:${port}`;
  return {
    origin,
    base: `${origin}/fhir`,
    token,
    output: () => out,
    stop: async () => {
      if (child.exitCode !== null) return;
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
    },
  };
}
