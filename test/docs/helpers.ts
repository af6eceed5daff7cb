import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../src/http/app.js';
import { testConfig, type AppConfig } from '../../src/config.js';
import { coreSender, seedDemo } from '../../src/demo/seed.js';

/** An app on a fresh embedded store, optionally loaded with the demo data set (npm run seed). */
export async function docsApp(opts: { seed?: boolean; config?: Partial<AppConfig> } = {}): Promise<FastifyInstance> {
  const config = testConfig({ dataDir: mkdtempSync(join(tmpdir(), 'fgs-docs-')), fsync: false, ...opts.config });
  const app = await buildApp(config);
  if (opts.seed) await seedDemo(coreSender({ config, store: app.store }));
  return app;
}

export type OpenApiDoc = {
  openapi: string;
  tags: Array<{ name: string }>;
  paths: Record<string, Record<string, OpenApiOperation>>;
  components: { schemas: Record<string, unknown>; securitySchemes?: Record<string, unknown> };
};
export type OpenApiOperation = {
  tags?: string[];
  parameters?: Array<{ name: string; in: string; required?: boolean; example?: unknown; schema?: unknown }>;
  requestBody?: { content: Record<string, { schema?: unknown; example?: unknown }> };
  responses: Record<string, unknown>;
};

export async function openApi(app: FastifyInstance): Promise<OpenApiDoc> {
  const res = await app.inject('/docs/json');
  if (res.statusCode !== 200) throw new Error(`/docs/json answered ${res.statusCode}`);
  return res.json() as OpenApiDoc;
}
