import { fhirError } from '../fhir/errors.js';

/**
 * The time limit of a store query that states none (history pages, conditional matches): no
 * query on a request path runs open-ended. Searches state theirs (search/execute.ts).
 */
export const QUERY_TIME_LIMIT_MS = 30_000;

/**
 * Bounds a query's run time. The embedded store runs queries synchronously, so the limit is
 * checked once the work returns; MongoDB gets `maxTimeMS` instead. Either way the caller sees a
 * TIMEOUT FhirError rather than an open-ended wait.
 */
export async function withTimeLimit<T>(maxTimeMs: number | undefined, work: () => T): Promise<T> {
  const started = performance.now();
  const result = work();
  if (maxTimeMs !== undefined && performance.now() - started > maxTimeMs) {
    throw fhirError('TIMEOUT', `The query took longer than its ${maxTimeMs} ms limit; narrow it`);
  }
  return result;
}
