import type { Period } from '@medplum/fhirtypes';
import { dateCond, lastUpdatedCond, type Prefix } from '../../search/compile-values.js';
import { parseDateRange } from './inputs.js';
import type { InputValue } from './params.js';
import type { Filter } from './query.js';

/**
 * `testDateRange` against a report's date, compared as search compares dates
 * (https://hl7.org/fhir/R4/search.html#date): both sides are ranges at their precision, so a
 * report dated `2025-03-14` is the whole day and matches `ge2025-03-14T12:00:00Z` as well as
 * `lt2025-03-14T12:00:00Z`. The report's date is its effective[x] (search's `date` index), else
 * its `issued`, else when it was recorded (`lu`, as $find-study-metadata's testDate says).
 * parseDateRange validates the input first (400 naming testDateRange).
 */
export function testDateFilter(v: InputValue | undefined): Filter | undefined {
  if (!parseDateRange(v)) return undefined;
  const dates = prefixedDates(v!);
  const conds = dates.map(([prefix, text]) => dateCond('testDateRange', `${prefix}${text}`));
  const on = (field: string): Filter[] => conds.map((c) => ({ [field]: c }));
  const recorded = dates.map(([prefix, text]) => ({ lu: lastUpdatedCond('testDateRange', `${prefix}${text}`) }));
  return { $or: [
    { $and: on('x.date') },
    { 'x.date': { $exists: false }, $and: on('x.issued') },
    { 'x.date': { $exists: false }, 'x.issued': { $exists: false }, $and: recorded },
  ] };
}

/** The input as search prefixes: a Period is `ge` its start and `le` its end. */
function prefixedDates(v: InputValue): Array<[Prefix, string]> {
  if (typeof v === 'object') {
    const p = v as Period;
    return [...(p.start ? [['ge', p.start] as [Prefix, string]] : []), ...(p.end ? [['le', p.end] as [Prefix, string]] : [])];
  }
  return String(v).split(',').map((s) => s.trim()).filter(Boolean).map((part) => {
    const m = /^(eq|ge|gt|le|lt)?(\d.*)$/.exec(part)!; // parseDateRange refused anything else
    return [(m[1] ?? 'eq') as Prefix, m[2]];
  });
}
