import { dateCond, lastUpdatedCond } from '../../search/compile-values.js';
import { parseDateRange } from './inputs.js';
import type { InputValue } from './params.js';
import type { Filter } from './query.js';

/**
 * `testDateRange` against a report's date, compared as search compares dates
 * (https://hl7.org/fhir/R4/search.html#date): both sides are ranges at their precision, so a
 * report dated `2025-03-14` is the whole day and matches `ge2025-03-14T12:00:00Z` as well as
 * `lt2025-03-14T12:00:00Z`. The report's date is its effective[x] (search's `date` index), else
 * its `issued`, else when it was recorded (`lu`, as $find-study-metadata's testDate says).
 * parseDateRange reads and validates the input once (400 naming testDateRange).
 */
export function testDateFilter(v: InputValue | undefined): Filter | undefined {
  const dates = parseDateRange(v)?.prefixed;
  if (!dates) return undefined;
  const conds = dates.map(([prefix, text]) => dateCond('testDateRange', `${prefix}${text}`));
  const on = (field: string): Filter[] => conds.map((c) => ({ [field]: c }));
  const recorded = dates.map(([prefix, text]) => ({ lu: lastUpdatedCond('testDateRange', `${prefix}${text}`) }));
  return { $or: [
    { $and: on('x.date') },
    { 'x.date': { $exists: false }, $and: on('x.issued') },
    { 'x.date': { $exists: false }, 'x.issued': { $exists: false }, $and: recorded },
  ] };
}

