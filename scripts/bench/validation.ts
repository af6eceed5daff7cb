import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import type { BenchLine, BenchModule } from '../bench.js';
import { validateResource } from '../../src/validation/validate.js';
import { validatorFor } from '../../src/validation/schema-validators.js';

/**
 * Validation cost: full validateResource (JSON shape, ajv structure, invariants, profiles) on a
 * Variant Observation, against the ajv structure validator alone on the same document; a
 * 50-entry genomics transaction Bundle; and cold-start costs measured in a fresh process.
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

    return [
      { name: 'cold: import validation modules', value: cold.importMs!, unit: 'ms' },
      { name: 'cold: load R4 schema into ajv', value: cold.loadMs!, unit: 'ms' },
      { name: 'cold: first compile (Observation + data types)', value: cold.firstObservationMs!, unit: 'ms' },
      { name: 'cold: + DiagnosticReport, MolecularSequence, …', value: cold.genomicsMs!, unit: 'ms' },
      { name: 'cold: compile all remaining R4 types', value: cold.restMs!, unit: 'ms' },
      { name: 'Variant Observation: ajv structure only', value: ajvRate, unit: 'validations/s' },
      { name: 'Variant Observation: validateResource (all layers)', value: fullRate, unit: 'validations/s', ratio: fullRate / ajvRate, baseline: 'ajv structure only' },
      { name: 'transaction Bundle, 50 genomics entries', value: bundleRate, unit: 'bundles/s' },
    ];
  },
};
export default bench;
