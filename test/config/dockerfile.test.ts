import t from 'tap';
import { readFileSync } from 'node:fs';

/**
 * No Docker engine on the development machines: the Dockerfile is checked by reading it. The
 * image must run what `npm start` runs (the bundle scripts/build.mjs writes), built the way
 * prestart builds it, from files the image holds, and .dockerignore must not drop any of them.
 */
const root = new URL('../../', import.meta.url);
const dockerfile = readFileSync(new URL('Dockerfile', root), 'utf8');
const ignore = readFileSync(new URL('.dockerignore', root), 'utf8').split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#'));
const scripts = (JSON.parse(readFileSync(new URL('package.json', root), 'utf8')) as { scripts: Record<string, string> }).scripts;

t.test('CMD is npm start without npm, after the build prestart runs', async (t) => {
  const cmd = /^CMD (\[.*\])$/m.exec(dockerfile)?.[1];
  t.ok(cmd, 'exec-form CMD');
  t.equal((JSON.parse(cmd!) as string[]).join(' '), scripts.start);
  const build = /^node (scripts\/build\.mjs)\b/.exec(scripts.prestart)?.[1];
  t.ok(build, scripts.prestart);
  t.match(dockerfile, new RegExp(`^RUN node ${build!.replace('.', '\\.')}$`, 'm'), 'the image builds dist/ as prestart does');
  t.ok(dockerfile.indexOf(`RUN node ${build}`) < dockerfile.indexOf('CMD ['), 'before it runs');
});

t.test('what the build reads is copied into the image and not ignored', async (t) => {
  const copied = [...dockerfile.matchAll(/^COPY (?!--from)(.+) \S+$/gm)].flatMap((m) => m[1].split(/\s+/));
  for (const need of ['package.json', 'package-lock.json', 'tsconfig.json', 'src', 'schemas', 'scripts/build.mjs']) {
    t.ok(copied.includes(need), `COPY ${need}`);
    t.notOk(ignore.some((p) => p === need || need.startsWith(p.replace(/\/$/, '') + '/')), `${need} not in .dockerignore`);
  }
  t.ok(ignore.includes('node_modules') && ignore.includes('data'), 'host node_modules and data/ (signing key, dev token) stay out of the context');
  t.match(dockerfile, /npm ci --omit=dev/, 'production dependencies only (esbuild is one, for the build)');
  const deps = (JSON.parse(readFileSync(new URL('package.json', root), 'utf8')) as { dependencies: Record<string, string> }).dependencies;
  t.ok(deps.esbuild, 'esbuild is a production dependency');
});
