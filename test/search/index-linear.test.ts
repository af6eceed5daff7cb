import t from 'tap';
import type { Resource } from '@medplum/fhirtypes';
import { indexResource } from '../../src/search/search-service.js';
import { testConfig } from '../../src/config.js';
/** The test servers' base URL (testConfig): the own base indexing is told. */
const BASE = testConfig().baseUrl;

/**
 * A GenomicReport made from a whole-genome VCF lists up to 100,000 Variants as `result`
 * (map-vcf.ts DEFAULT_MAX_REPORT_RESULTS): indexing it must take linear time. A quadratic dedupe
 * (each value looked for among those kept, `includes`) looked through 5 billion. The elements looked
 * through are counted, not timed: a timed ratio flaked on a loaded machine (70x for linear work).
 */
function report(n: number): Resource {
  return {
    resourceType: 'DiagnosticReport', id: `r${n}`, status: 'final', code: { coding: [{ system: 'http://loinc.org', code: '51969-4' }] },
    subject: { reference: 'Patient/p1' }, result: Array.from({ length: n }, (_, i) => ({ reference: `Observation/vcf-${i}` })),
  } as Resource;
}

/** Array elements `run` has includes / indexOf look through. */
function lookedThrough<T>(run: () => T): { result: T; elements: number } {
  const proto = Array.prototype as unknown as Record<'includes' | 'indexOf', (this: unknown[], ...args: unknown[]) => unknown>;
  const saved = { includes: proto.includes, indexOf: proto.indexOf };
  let elements = 0;
  for (const name of ['includes', 'indexOf'] as const) {
    proto[name] = function (...args) {
      elements += this.length;
      return saved[name].apply(this, args);
    };
  }
  try {
    return { result: run(), elements };
  } finally {
    Object.assign(proto, saved);
  }
}

t.test('a report with 100,000 results indexes in linear time, every result once', async (t) => {
  // (the smaller reports first: against a quadratic dedupe they fail in a second, 100,000 takes minutes)
  const { elements: small } = lookedThrough(() => indexResource(report(2500), BASE));
  const { elements: mid } = lookedThrough(() => indexResource(report(10_000), BASE));
  t.ok(small > 0, `(the count sees the dedupe: ${small} for the first values)`);
  t.ok(mid <= 100 * 10_000, `10,000 results: ${mid} elements looked through (quadratic: 50 million)`);
  t.ok(mid <= 8 * small, `four times the results, ${(mid / small).toFixed(1)}x the elements looked through (linear: ~4x, quadratic: ~16x)`);
  const { result, elements: large } = lookedThrough(() => indexResource(report(100_000), BASE) as Record<string, unknown[]>);
  t.equal(result.result.length, 100_000);
  t.equal(new Set(result.result).size, 100_000);
  t.equal(result['gx-result'].length, 100_000);
  t.ok(large <= 100 * 100_000, `100,000 results: ${large} elements looked through (quadratic: 5 billion)`);
  const dup = report(3000) as { result: Array<{ reference: string }> };
  dup.result.push(...dup.result.slice(0, 1500));
  t.equal((indexResource(dup as Resource, BASE) as Record<string, unknown[]>).result.length, 3000, 'duplicates dropped past the Set threshold');
});
