import { execFileSync } from 'node:child_process';
import { createReadStream, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BenchLine, BenchModule } from '../bench.js';
import { validateResource } from '../../src/validation/validate.js';
import { validatorFor } from '../../src/validation/schema-validators.js';
import { generateGenomicData } from '../seed-variants.js';
import { readLines } from '../../src/genomics/vcf/line-reader.js';
import { emptySummary, mapVcf } from '../../src/genomics/vcf/map-vcf.js';
import { generateVcf } from './_vcf-gen.js';

/**
 * Validation cost: full validateResource (JSON shape, structure, invariants, profiles) on a
 * Variant Observation, against the ajv structure validator alone on the same document; the
 * microseconds per resource of the bulk-load kinds (seed-variants.ts Variants, GenomicReports
 * and Patients, VCF-mapped Variants), each against ajv alone on the same resources; a 50-entry
 * genomics transaction Bundle; and cold-start costs measured in a fresh process.
 */
const fixture = (name: string): Record<string, unknown> =>
  JSON.parse(readFileSync(new URL(`../../test/validation/fixtures/${name}.json`, import.meta.url), 'utf8'));

function perSecond(fn: () => void, ms = 1500): number {
  for (let i = 0; i < 200; i++) fn(); // warm the JIT and the validator caches
  let n = 0;
  const start = performance.now();
  while (performance.now() - start < ms) {
    for (let i = 0; i < 50; i++) fn();
    n += 50;
  }
  return n / ((performance.now() - start) / 1000);
}

/** CPU microseconds per call over `items`, median of 7 rounds (CPU time: the machine is shared). */
function cpuMicros(fn: (r: unknown) => unknown, items: readonly unknown[], ms = 150): number {
  for (const r of items) fn(r);
  const rounds: number[] = [];
  for (let k = 0; k < 7; k++) {
    let n = 0;
    const started = performance.now();
    const cpu = process.cpuUsage();
    while (performance.now() - started < ms) {
      for (const r of items) fn(r);
      n += items.length;
    }
    const used = process.cpuUsage(cpu);
    rounds.push((used.user + used.system) / n);
  }
  return rounds.sort((a, b) => a - b)[3];
}

/** The resources bulk loads validate: seed-variants.ts output and the Variants of a synthetic VCF. */
async function bulkKinds(): Promise<Array<[string, unknown[]]>> {
  const gen = [...generateGenomicData({ variants: 2000, patients: 100 })];
  const dir = mkdtempSync(join(tmpdir(), 'validation-bench-'));
  const vcf: unknown[] = [];
  try {
    await generateVcf(join(dir, 'bench.vcf'), 2000);
    for await (const r of mapVcf(readLines(createReadStream(join(dir, 'bench.vcf'))), { patient: 'bench-p1' }, emptySummary())) {
      if (r.resourceType === 'Observation' && r.meta?.profile?.some((p) => p.endsWith('/variant'))) vcf.push(r);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return [
    ['Variant (seed-variants)', gen.filter((r) => r.resourceType === 'Observation')],
    ['GenomicReport (seed-variants)', gen.filter((r) => r.resourceType === 'DiagnosticReport')],
    ['Patient (seed-variants)', gen.filter((r) => r.resourceType === 'Patient')],
    ['Variant (VCF import)', vcf],
  ];
}

const bench: BenchModule = {
  title: 'Validation (ajv structure + invariants + profiles)',
  async run(): Promise<BenchLine[]> {
    const cold = JSON.parse(
      execFileSync(process.execPath, ['--import', 'tsx', new URL('./_validation-cold.ts', import.meta.url).pathname], { encoding: 'utf8' }),
    ) as Record<string, number>;

    const variant = fixture('observation-variant');
    const structureOnly = validatorFor('Observation')!;
    const ajvRate = perSecond(() => structureOnly(variant));
    const fullRate = perSecond(() => validateResource(variant));

    const entries = [];
    for (let i = 0; i < 50; i++) {
      const resource = fixture(i % 10 === 0 ? 'molecularsequence-example' : 'observation-variant');
      entries.push({ fullUrl: `urn:uuid:00000000-0000-4000-8000-${String(i).padStart(12, '0')}`, resource, request: { method: 'POST', url: String(resource.resourceType) } });
    }
    const bundle = { resourceType: 'Bundle', type: 'transaction', entry: entries };
    const bundleRate = perSecond(() => validateResource(bundle), 1000);

    const perKind: BenchLine[] = [];
    for (const [name, items] of await bulkKinds()) {
      const ajv = validatorFor(String((items[0] as { resourceType: string }).resourceType))!;
      const full = cpuMicros((r) => validateResource(r), items);
      const structure = cpuMicros((r) => ajv(r), items);
      const target = name.startsWith('Variant (seed') ? '<= 40 µs' : undefined;
      perKind.push({ name: `${name}: validateResource`, value: full, unit: 'µs CPU', ratio: full / structure, baseline: 'ajv structure only', target });
    }

    // The IG's own Variant example carries a 1.9 KB generated narrative, as resources from IG
    // tooling and many EHRs do: its XHTML check is most of the cost there (the fixtures above have none).
    const igVariant = JSON.parse(readFileSync(new URL('../../schemas/genomics/examples/Observation-VariantExample.json', import.meta.url), 'utf8')) as Record<string, unknown>;
    const igFull = cpuMicros((r) => validateResource(r), [igVariant]);
    const igStructure = cpuMicros((r) => structureOnly(r), [igVariant]);
    perKind.push({ name: 'Variant (IG example, with narrative): validateResource', value: igFull, unit: 'µs CPU', ratio: igFull / igStructure, baseline: 'ajv structure only' });

    return [
      { name: 'cold: import validation modules', value: cold.importMs!, unit: 'ms' },
      { name: 'cold: load R4 schema into ajv', value: cold.loadMs!, unit: 'ms' },
      { name: 'cold: first compile (Observation + data types)', value: cold.firstObservationMs!, unit: 'ms' },
      { name: 'cold: + DiagnosticReport, MolecularSequence, …', value: cold.genomicsMs!, unit: 'ms' },
      { name: 'cold: compile all remaining R4 types', value: cold.restMs!, unit: 'ms' },
      { name: 'Variant Observation: ajv structure only', value: ajvRate, unit: 'validations/s' },
      { name: 'Variant Observation: validateResource (all layers)', value: fullRate, unit: 'validations/s', ratio: fullRate / ajvRate, baseline: 'ajv structure only' },
      { name: 'transaction Bundle, 50 genomics entries', value: bundleRate, unit: 'bundles/s' },
      ...perKind,
    ];
  },
};
export default bench;
