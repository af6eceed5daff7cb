import { fhirError } from '../../fhir/errors.js';
import type { ResourceStore } from '../../storage/types.js';
import type { VcfImportOptions } from './types.js';

/**
 * How many results one GenomicReport may list in a given store. The report is one stored document:
 * on MongoDB at most 16 MiB, and a listed result costs about 185 bytes there (its reference in the
 * JSON plus the `result` and `gx-result` index values), so 100,000 results (the default elsewhere)
 * would be ~18.5 MB and the write would fail after the whole import. On MongoDB the default is
 * 40,000 (~7.4 MB) and more than 80,000 is refused before anything is read. Results past the limit
 * are still imported; the report counts them (map-report.ts).
 */
export const MONGODB_DEFAULT_REPORT_RESULTS = 40_000;
export const MONGODB_MAX_REPORT_RESULTS = 80_000;

export function withReportLimit(store: Pick<ResourceStore, 'kind'>, opts: VcfImportOptions): VcfImportOptions {
  if (store.kind !== 'mongodb') return opts;
  if (opts.maxReportResults === undefined) return { ...opts, maxReportResults: MONGODB_DEFAULT_REPORT_RESULTS };
  if (opts.maxReportResults > MONGODB_MAX_REPORT_RESULTS) {
    throw fhirError('BAD_REQUEST', `On MongoDB a report lists at most ${MONGODB_MAX_REPORT_RESULTS.toLocaleString('en-US')} results (one document is at most 16 MiB); max-report-results ${opts.maxReportResults} is more`);
  }
  return opts;
}
