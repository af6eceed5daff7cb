/**
 * CPU per resource of what the prepare workers do (src/prepare/worker.ts), on this one thread, by
 * stage, for comparing code versions on a shared machine where wall time is noise:
 *   node --import tsx scripts/bench/_prepare-cpu.ts [ROOTS] [KIND] [N] [PASSES]
 * KIND: `seed` (scripts/seed-variants.ts data: Variants, Patients, reports; N variants) or `vcf`
 * (the resources a synthetic VCF of N records maps to). The data is made once, then each pass runs
 * over all of it: validate (validateResource), index (indexResource), json (JSON.stringify of the
 * index), chunk (prepareChunk on chunks of 200 parsed from JSON, as a worker gets them: parse,
 * validate, index, pack), terms (termsOfBytes of the indexes, what a worker builds on reopen) and
 * build (the index terms alone: TermsBuilder on the indexes, chunk by chunk, as a packed batch
 * builds them). BENCH_STAGES=a,b picks stages. The first pass warms up (schema compilation, JIT)
 * and is not reported.
 *
 * ROOTS (default: this checkout): source trees to load the code from, comma-separated (a `git
 * worktree` of the old commit, then this one): each is loaded as modules of its own, in this one
 * process, and their passes alternate (old, new, new, old …: each pass starts with the next
 * root), so a machine whose load changes by the minute shifts both alike. (At load 20-30, 2026-12-04,
 * `chunk` medians moved by up to 10% with the order the roots were listed in: list a second
 * worktree of the old commit too, an A/A pair beside the real one, and pair roots with BENCH_RAW=1.) Prints one JSON line per root: µs per resource per stage, the
 * median over the passes (process.cpuUsage: user + system of this thread; no workers run), and
 * for each root after the first the median of its per-pass ratios to the first root's.
 */
import { mkdtempSync, rmSync, createReadStream } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const roots = (process.argv[2] ?? join(import.meta.dirname, '../..')).split(',').map((r) => resolve(r));
const kind = process.argv[3] ?? 'seed';
const n = Number(process.argv[4] ?? 10_000);
const passes = Number(process.argv[5] ?? 5);
const stages = (process.env.BENCH_STAGES ?? 'validate,index,json,chunk,terms,build').split(',');
// BENCH_DIST=1: the compiled modules (`npm run build`: dist/src), for profiles with real line numbers
const dist = process.env.BENCH_DIST === '1';
const loader = (root: string) => (p: string) => import(pathToFileURL(join(root, dist && p.startsWith('src/') ? `dist/${p.replace(/\.ts$/, '.js')}` : p)).href);

type R = { resourceType: string; id: string };
const load0 = loader(roots[0]);
let resources: R[] = [];
if (kind === 'seed') {
  const { generateGenomicData } = await load0('scripts/seed-variants.ts');
  resources = [...generateGenomicData({ variants: n, patients: Math.max(10, Math.floor(n / 100)) })];
} else {
  const { generateVcf } = await import('./_vcf-gen.js');
  const { readLines } = await load0('src/genomics/vcf/line-reader.ts');
  const { emptySummary, mapVcf } = await load0('src/genomics/vcf/map-vcf.ts');
  const dir = mkdtempSync(join(tmpdir(), 'fgs-prepare-cpu-'));
  try {
    const file = join(dir, 'bench.vcf');
    await generateVcf(file, n);
    for await (const r of mapVcf(readLines(createReadStream(file)), { patient: 'bench1' }, emptySummary())) resources.push(r as R);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
// as the pool sends them (pool.ts CHUNK)
const CHUNK = 200;
const chunks: string[] = [];
for (let i = 0; i < resources.length; i += CHUNK) chunks.push(JSON.stringify(resources.slice(i, i + CHUNK)));
const { indexResource: index0, RELATIVE_REFS_ONLY } = await load0('src/search/search-service.ts');
// (only when measured: held, they make every major GC of the other stages longer)
const indexes: unknown[] = stages.some((s) => s === 'json' || s === 'terms' || s === 'build') ? resources.map((r) => index0(r, RELATIVE_REFS_ONLY)) : [];
const indexBytes = !stages.includes('terms') ? [] : chunks.map((_, c) => {
  const json = indexes.slice(c * CHUNK, (c + 1) * CHUNK).map((x) => JSON.stringify(x));
  const spans = new Int32Array(3 * json.length);
  let at = 0;
  json.forEach((j, i) => {
    spans[3 * i + 1] = at;
    spans[3 * i + 2] = Buffer.byteLength(j);
    at += spans[3 * i + 2];
  });
  const buf = Buffer.from(json.join(''));
  return { types: resources.slice(c * CHUNK, (c + 1) * CHUNK).map((r) => r.resourceType), chunks: [buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.length)], spans };
});

let sink = 0;
async function stagesOf(root: string): Promise<Record<string, () => void>> {
  const load = loader(root);
  const { validateResource } = await load('src/validation/validate.ts');
  const { indexResource } = await load('src/search/search-service.ts');
  const { prepareChunk } = await load('src/prepare/prepare.ts');
  const { termsOfBytes } = await load('src/prepare/terms-of-bytes.ts');
  const { TermsBuilder } = await load('src/storage/embedded/index-terms.ts');
  return {
    validate: () => { for (const r of resources) sink += validateResource(r).length; },
    index: () => { for (const r of resources) sink += Object.keys(indexResource(r, RELATIVE_REFS_ONLY)).length; },
    json: () => { for (const x of indexes) sink += JSON.stringify(x).length; },
    chunk: () => { for (const c of chunks) sink += prepareChunk(JSON.parse(c), RELATIVE_REFS_ONLY).issues.length; },
    build: () => {
      for (let i = 0; i < indexes.length; i += CHUNK) {
        const b = new TermsBuilder();
        for (let j = i; j < Math.min(i + CHUNK, indexes.length); j++) b.add(resources[j].resourceType, indexes[j]);
        sink += b.finish().strings.length;
      }
    },
    terms: () => { for (const b of indexBytes) sink += termsOfBytes(b.types, b.chunks, b.spans).strings.length; },
  };
}
const runs = await Promise.all(roots.map(stagesOf));
const got = roots.map(() => ({}) as Record<string, number[]>);
for (let p = 0; p <= passes; p++) {
  for (const s of stages) {
    // Each pass starts with the next root: the one run second reads data the first just touched
    // (about 3% less CPU for the same code, 2026-12-02), and rotating cancels that out.
    for (let i = 0; i < runs.length; i++) {
      const r = (p + i) % runs.length;
      global.gc?.();
      const c0 = process.cpuUsage();
      runs[r][s]();
      const c = process.cpuUsage(c0);
      if (p > 0) (got[r][s] ??= []).push((c.user + c.system) / resources.length);
    }
  }
}
const median = (a: number[]) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)];
roots.forEach((root, r) => {
  const out: Record<string, unknown> = { root, kind, resources: resources.length };
  for (const s of stages) {
    out[s] = +median(got[r][s]).toFixed(2);
    if (r > 0) out[`${s}Ratio`] = +median(got[r][s].map((v, i) => v / got[0][s][i])).toFixed(3);
    // BENCH_RAW=1: every pass's figure, to pair roots other than the first
    if (process.env.BENCH_RAW === '1') out[`${s}Passes`] = got[r][s].map((v) => +v.toFixed(2));
  }
  console.log(JSON.stringify(out));
});
if (sink < 0) console.log(sink);
