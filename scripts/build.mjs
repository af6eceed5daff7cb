#!/usr/bin/env node
// Compiles src/**/*.ts to dist/src/**/*.js (one file per module, no bundling) so `npm start` runs
// plain JavaScript: loading ~200 modules through a TypeScript loader at start-up costs seconds,
// compiled modules load in a fraction of that. Modules find their data files relative to
// themselves (import.meta.url), so the tree shape is kept, JSON files under src/ are copied, and
// dist/schemas points at the repository's schemas/.
//
// The entry points (dist/src/server.js, and the prepare workers' dist/src/prepare/worker.js) are
// then written again as bundles of our modules and most dependencies: Node resolving, reading
// and compiling some 600 separate modules was about half of the start-up's CPU (measured:
// importing the app 580 ms of CPU as separate modules, 155 ms bundled; two workers starting
// ~500 ms of CPU and 45-50 MB of RSS, bundled ~150 ms and 27 MB). The per-module tree stays
// beside them for the benchmarks that load single modules.
import { build } from 'esbuild';
import { copyFileSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, symlinkSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';

const root = join(dirname(new URL(import.meta.url).pathname), '..');
const src = join(root, 'src');
const out = join(root, 'dist');

function walk(dir) {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? walk(p) : [p];
  });
}

const started = Date.now();
rmSync(out, { recursive: true, force: true });
const files = walk(src);
await build({
  entryPoints: files.filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts')),
  outdir: join(out, 'src'),
  outbase: src,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  sourcemap: true,
  logLevel: 'warning',
});
for (const f of files.filter((f) => f.endsWith('.json'))) {
  const target = join(out, 'src', relative(src, f));
  mkdirSync(dirname(target), { recursive: true });
  copyFileSync(f, target);
}
symlinkSync(join('..', 'schemas'), join(out, 'schemas'), 'dir');

/**
 * Our modules find their data files and the worker's file relative to themselves
 * (`new URL('../../schemas/…', import.meta.url)`); in a bundle every module's import.meta.url is
 * the bundle's, so each one's is rewritten to the URL its per-module copy has in dist/src.
 */
const ownMetaUrl = {
  name: 'own-import-meta-url',
  setup(b) {
    b.onLoad({ filter: /\/src\/.*\.ts$/ }, (args) => {
      if (!args.path.startsWith(src + '/')) return undefined;
      const compiled = relative(dirname(b.initialOptions.outfile), join(out, 'src', relative(src, args.path))).replace(/\.ts$/, '.js');
      const contents = readFileSync(args.path, 'utf8').replaceAll('import.meta.url', `new URL(${JSON.stringify('./' + compiled)}, import.meta.url).href`);
      return { contents, loader: 'ts' };
    });
  },
};
/** Bundles one entry point of src/ over its per-module copy in dist/src. */
const bundle = (name) => build({
  entryPoints: [join(src, name)],
  outfile: join(out, 'src', name.replace(/\.ts$/, '.js')),
  bundle: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  sourcemap: true,
  logLevel: 'warning',
  plugins: [ownMetaUrl],
  // Loaded from node_modules as they are: they find files beside their own code (pino's and
  // thread-stream's worker files, @fastify/swagger's package.json, Swagger UI's static assets),
  // or load lazily (the MongoDB driver, only with MONGODB_URL).
  external: ['mongodb', 'pino', 'thread-stream', '@fastify/swagger', '@fastify/swagger-ui', 'tsx'],
  // Bundled CommonJS dependencies call require() for the external ones and Node's built-ins.
  banner: { js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);" },
});
await Promise.all([bundle('server.ts'), bundle('prepare/worker.ts')]);
if (!process.argv.includes('--quiet')) console.log(`compiled ${files.length} files to dist/ in ${Date.now() - started} ms`);
