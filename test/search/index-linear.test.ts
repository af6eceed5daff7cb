import t from 'tap';
import type { Resource } from '@medplum/fhirtypes';
import { indexResource } from '../../src/search/search-service.js';
import { testConfig } from '../../src/config.js';
/** The test servers' base URL (testConfig): the own base indexing is told. */
const BASE = testConfig().baseUrl;

/**
 * A GenomicReport made from a whole-genome VCF lists up to 100,000 Variants as `result`
 * (map-vcf.ts DEFAULT_MAX_REPORT_RESULTS): indexing it must take linear time. Ten times the
 * results must cost about ten times as long; a quadratic dedupe would cost a hundred times.
 */
function report(n: number): Resource {
  return {
    resourceType: 'DiagnosticReport', id: `r${n}`, status: 'final', code: { coding: [{ system: 'http://loinc.org', code: '51969-4' }] },
    subject: { reference: 'Patient/p1' }, result: Array.from({ length: n }, (_, i) => ({ reference: `Observation/vcf-${i}` })),
  } as Resource;
}

function best(n: number): number {
  const r = report(n);
  let min = Infinity;
  for (let i = 0; i < 5; i++) {
    const t0 = process.hrtime.bigint();
    JSON.stringify(indexResource(r, BASE));
    min = Math.min(min, Number(process.hrtime.bigint() - t0));
  }
  return min;
}

t.test('a report with 100,000 results indexes in linear time, every result once', async (t) => {
  const x = indexResource(report(100_000), BASE) as Record<string, unknown[]>;
  t.equal(x.result.length, 100_000);
  t.equal(new Set(x.result).size, 100_000);
  t.equal(x['gx-result'].length, 100_000);
  const dup = report(3000) as { result: Array<{ reference: string }> };
  dup.result.push(...dup.result.slice(0, 1500));
  t.equal((indexResource(dup as Resource, BASE) as Record<string, unknown[]>).result.length, 3000, 'duplicates dropped past the Set threshold');
  best(10_000); // warm up
  const small = best(10_000);
  const large = best(100_000);
  t.ok(large < small * 40, `100,000 results: ${(large / 1e6).toFixed(1)} ms, ${(large / small).toFixed(1)}x the time of 10,000 (linear: ~10x, quadratic: ~100x)`);
});
