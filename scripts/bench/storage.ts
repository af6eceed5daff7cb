/**
 * Embedded store benchmark: durable create throughput with 16 concurrent writers against one
 * writer (the group-commit gain), fsync rounds per commit, read-by-id, recovery time and memory
 * per stored Observation. Bounded: about 15 s in all.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Observation } from '@medplum/fhirtypes';
import { EmbeddedStore } from '../../src/storage/embedded/embedded-store.js';
import type { BenchLine } from '../bench.js';
import { fullGc } from './_gc.js';

function observation(i: number): Observation & { id: string } {
  return {
    resourceType: 'Observation', id: `obs-${i}`, status: 'final',
    meta: { profile: ['http://hl7.org/fhir/uv/genomics-reporting/StructureDefinition/variant'] },
    category: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/observation-category', code: 'laboratory' }] }],
    code: { coding: [{ system: 'http://loinc.org', code: '69548-6', display: 'Genetic variant assessment' }] },
    subject: { reference: `Patient/p${i % 1000}` },
    valueCodeableConcept: { coding: [{ system: 'http://loinc.org', code: 'LA9633-4', display: 'Present' }] },
    component: [
      { code: { coding: [{ system: 'http://loinc.org', code: '48013-7' }] }, valueCodeableConcept: { coding: [{ system: 'http://www.ncbi.nlm.nih.gov/refseq', code: 'NM_000059.4' }] } },
      { code: { coding: [{ system: 'http://loinc.org', code: '81252-9' }] }, valueCodeableConcept: { coding: [{ system: 'http://www.ncbi.nlm.nih.gov/clinvar', code: String(10000 + i) }] } },
      { code: { coding: [{ system: 'http://loinc.org', code: '81254-5' }] }, valueRange: { low: { value: 32_900_000 + i } } },
    ],
  };
}
const index = (i: number) => ({
  code: ['http://loinc.org|69548-6'], subject: [`Patient/p${i % 1000}`], status: ['final'],
  'component-code': ['http://loinc.org|48013-7', 'http://loinc.org|81252-9', 'http://loinc.org|81254-5'],
});

async function createRate(dir: string, clients: number, ms: number): Promise<{ rate: number; perRound: number }> {
  let rounds = 0;
  let synced = 0;
  const s = new EmbeddedStore(dir, { onFsync: (n) => ((rounds += 1), (synced += n)) });
  await s.init();
  let next = 0;
  const end = performance.now() + ms;
  const started = performance.now();
  await Promise.all(Array.from({ length: clients }, async () => {
    while (performance.now() < end) {
      const i = next++;
      await s.transaction((tx) => tx.put(observation(i), index(i)));
    }
  }));
  const rate = next / ((performance.now() - started) / 1000);
  await s.close();
  return { rate, perRound: synced / Math.max(1, rounds) };
}

export default {
  title: 'Embedded store (durable: fdatasync per group commit)',
  async run(): Promise<BenchLine[]> {
    const lines: BenchLine[] = [];
    const base = mkdtempSync(join(tmpdir(), 'fgs-bench-'));
    try {
      const one = await createRate(join(base, 'one'), 1, 2000);
      const many = await createRate(join(base, 'many'), 16, 3000);
      lines.push({ name: 'durable create, 1 writer', value: one.rate, unit: 'ops/s' });
      lines.push({ name: 'durable create, 16 writers', value: many.rate, unit: 'ops/s', ratio: many.rate / one.rate, baseline: '1 writer', target: '>= 5000 ops/s end to end' });
      lines.push({ name: 'commits per fsync round, 16 writers', value: many.perRound, unit: 'commits' });

      const n = 100_000;
      const dir = join(base, 'mem');
      fullGc();
      const before = process.memoryUsage().heapUsed;
      const s = new EmbeddedStore(dir, { fsync: false });
      await s.init();
      for (let i = 0; i < n; i += 100) {
        await s.transaction(async (tx) => {
          for (let j = i; j < i + 100; j++) await tx.put(observation(j), index(j));
        });
      }
      fullGc();
      const perDoc = (process.memoryUsage().heapUsed - before) / n;
      const t0 = performance.now();
      let found = 0;
      for (let i = 0; i < n; i++) if (await s.read('Observation', `obs-${(i * 7919) % n}`)) found++;
      lines.push({ name: 'read by id (in process)', value: found / ((performance.now() - t0) / 1000), unit: 'ops/s' });
      await s.close();
      const json = observation(1);
      lines.push({ name: `heap per stored Observation (${n} stored)`, value: perDoc, unit: 'bytes', baseline: `its JSON is ${JSON.stringify(json).length} bytes` });
      const t1 = performance.now();
      const r = new EmbeddedStore(dir, { fsync: false });
      await r.init();
      lines.push({ name: `recovery of ${n} Observations (journal replay)`, value: performance.now() - t1, unit: 'ms' });
      await r.close();
    } finally {
      rmSync(base, { recursive: true, force: true });
    }
    return lines;
  },
};
