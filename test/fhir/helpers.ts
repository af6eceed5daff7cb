import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance, InjectOptions } from 'fastify';
import { buildApp, type BuildOptions } from '../../src/http/app.js';
import { testConfig, type AppConfig } from '../../src/config.js';

/** A fresh app on a fresh embedded store in a temporary directory, closed and removed on teardown. */
export async function testApp(
  t: { teardown(fn: () => unknown): void },
  overrides: Partial<AppConfig> = {},
  opts: BuildOptions = {},
): Promise<FastifyInstance> {
  const dataDir = mkdtempSync(join(tmpdir(), 'fgs-fhir-'));
  const app = await buildApp(testConfig({ dataDir, fsync: false, ...overrides }), opts);
  t.teardown(async () => {
    await app.close();
    rmSync(dataDir, { recursive: true, force: true });
  });
  return app;
}

export const FHIR = 'application/fhir+json';

export function send(app: FastifyInstance, method: InjectOptions['method'], url: string, body?: unknown, headers: Record<string, string> = {}) {
  return app.inject({
    method,
    url,
    headers: body === undefined ? headers : { 'content-type': FHIR, ...headers },
    payload: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
}

/** Resource equality apart from `meta` (what the server owns). */
export function withoutMeta<T extends Record<string, unknown>>(r: T): Omit<T, 'meta'> {
  const { meta: _m, ...rest } = r;
  return rest;
}
