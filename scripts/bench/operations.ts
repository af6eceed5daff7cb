/**
 * Genomics operations (issue 5) on the shared large data set (_dataset.ts: BENCH_VARIANTS Variant
 * Observations over BENCH_PATIENTS patients, with reports and five TherapeuticImplications per
 * patient; seeded once per bench run): p50/p99 of $find-subject-variants (one gene-sized range,
 * variants included), $find-subject-tx-implications (with the evidence chain) and
 * $find-population-specific-variants (SPDI), called through the operation handlers on the
 * embedded store (no HTTP), against an ordinary FHIR search measured in the same run.
 */
import { fileURLToPath } from 'node:url';
import { testConfig } from '../../src/config.js';
import type { FhirContext, FhirRequest, OperationHandler } from '../../src/fhir/context.js';
import { genomicsOperations } from '../../src/genomics/operations/index.js';
import { searchBundle } from '../../src/search/search-service.js';
import type { BenchLine } from '../bench.js';
import { GENES, prng } from '../seed-variants.js';
import { openDataset, PATIENTS, VARIANTS } from './_dataset.js';
import { isChildFor, measureWithLargeHeap } from './_child.js';

const RUNS = Number(process.env.BENCH_OP_RUNS ?? 300);
const SELF = fileURLToPath(import.meta.url);

function pct(samples: number[], p: number): number {
  const s = [...samples].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
}

async function time(runs: number, fn: (i: number) => Promise<unknown>): Promise<number[]> {
  for (let i = 0; i < 20; i++) await fn(i); // warm-up
  const out: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    await fn(i);
    out.push(performance.now() - t0);
  }
  return out;
}

export default {
  title: `Genomics operations (${VARIANTS.toLocaleString('en')} variants, ${PATIENTS.toLocaleString('en')} patients)`,
  run: (): Promise<BenchLine[]> => measureWithLargeHeap(SELF, measure),
};

async function measure(): Promise<BenchLine[]> {
  const { store, spdi, seeded, reopenSeconds } = await openDataset();
  try {
    const ctx: FhirContext = { config: testConfig(), store };
    const op = (name: string): OperationHandler => genomicsOperations.find((h) => h.name === name)!;
    const call = (h: OperationHandler, query: Record<string, string[]>) => {
      const req: FhirRequest = { method: 'GET', path: `$${h.name}`, query, headers: {} };
      return h.handle(req, ctx);
    };
    const rnd = prng(7);
    const patient = () => `Patient/pat-${Math.floor(rnd() * PATIENTS)}`;
    const lines: BenchLine[] = [];
    if (seeded) lines.push({ name: `seed ${seeded.resources.toLocaleString('en')} resources (validate+index+journal)`, value: seeded.seconds, unit: 's' });
    if (reopenSeconds !== undefined) lines.push({ name: 'reopen the seeded store', value: reopenSeconds, unit: 's' });
    // Baseline: an ordinary FHIR search of the same store (one patient's variants, first page of 10).
    const base = await time(RUNS, async () => searchBundle(ctx, {
      resourceType: 'Observation', strict: false, baseUrl: 'http://localhost/fhir',
      query: { subject: [patient()], code: ['http://loinc.org|69548-6'], _count: ['10'] },
    }));
    const baseP50 = pct(base, 50);
    lines.push({ name: 'baseline: Observation?subject&code&_count=10 p50', value: baseP50, unit: 'ms' });
    const report = (name: string, samples: number[], target?: string) => {
      lines.push({ name: `${name} p50`, value: pct(samples, 50), unit: 'ms', ratio: pct(samples, 50) / baseP50, baseline: 'FHIR search' });
      lines.push({ name: `${name} p99`, value: pct(samples, 99), unit: 'ms', target });
    };
    const variants = op('find-subject-variants');
    report('$find-subject-variants (1 gene range)', await time(RUNS, async () => {
      const [, , acc, start, end] = GENES[Math.floor(rnd() * 6)];
      await call(variants, { subject: [patient()], ranges: [`${acc}:${start}-${end}`], includeVariants: ['true'] });
    }), '<= 50 ms');
    const tx = op('find-subject-tx-implications');
    report('$find-subject-tx-implications', await time(RUNS, async () => call(tx, { subject: [patient()] })), '<= 50 ms');
    const pop = op('find-population-specific-variants');
    report('$find-population-specific-variants (SPDI)', await time(RUNS, async (i) => call(pop, { variants: [spdi[i % spdi.length]] })));
    return lines;
  } finally {
    await store.close();
  }
}

if (isChildFor(SELF)) console.log(JSON.stringify(await measure()));
