import { fhirError } from '../fhir/errors.js';

/**
 * The time limit of a store query on a request path: searches, chains and includes state it
 * (search/), and the MongoDB adapter gives it to the queries that state none (history pages,
 * conditional matches), so none runs open-ended.
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
