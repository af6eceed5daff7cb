import { dateCond } from '../../search/compile-values.js';
import { Query } from '../../search/match-filter.js';
import { dateRange } from '../../search/normalize.js';
import { parseDateRange } from './inputs.js';
import type { InputValue } from './params.js';
import type { Filter } from './query.js';

/**
 * `testDateRange` against a test's date (study-analysis.ts testDateOf, the testDate
 * $find-study-metadata answers), compared as search compares dates
 * (https://hl7.org/fhir/R4/search.html#date): both sides are ranges at their precision, so a
 * report dated `2025-03-14` is the whole day and matches `ge2025-03-14T12:00:00Z` as well as
 * `lt2025-03-14T12:00:00Z`.
 * - `filter`: a report stating its own date (effective[x]: search's `date` index, else `issued`)
 *   is decided by the query; one stating none passes it, since its date is its analysis' (another
 *   resource) or when it was recorded;
 * - `undated(date)`: the decision for such a report, on the date testDateOf gives it.
 * parseDateRange reads and validates the input once (400 naming testDateRange).
 */
export interface TestDates {
  filter: Filter;
  undated(date: string | undefined): boolean;
}

export function testDateFilter(v: InputValue | undefined): TestDates | undefined {
  const dates = parseDateRange(v)?.prefixed;
  if (!dates) return undefined;
  const conds = dates.map(([prefix, text]) => dateCond('testDateRange', `${prefix}${text}`));
  const on = (field: string): Filter[] => conds.map((c) => ({ [field]: c }));
  const match = new Query({ $and: on('d') });
  return {
    filter: { $or: [
      { $and: on('x.date') },
      { 'x.date': { $exists: false }, $and: on('x.issued') },
      { 'x.date': { $exists: false }, 'x.issued': { $exists: false } },
    ] },
    undated(date) {
      const range = date === undefined ? undefined : dateRange(date);
      return !!range && match.test({ d: [range] });
    },
  };
}
