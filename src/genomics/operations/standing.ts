import type { Filter } from './query.js';

/**
 * Which stored findings count as findings. The operations answer "is it there?", so:
 * - a finding whose status says it holds no result does not count
 *   (https://hl7.org/fhir/R4/valueset-observation-status.html): `registered` (no result yet),
 *   `cancelled` (never done) and `entered-in-error` (withdrawn). `preliminary`, `final`,
 *   `amended`, `corrected` and `unknown` count: the answer carries the status for the reader.
 *   DiagnosticReport statuses of the same names are read the same way.
 * - a Variant whose value is LA9634-2 "Absent" says the variant was looked for and is not
 *   there (IG Variant profile, value from LL1971-2 present/absent): it is evidence of absence,
 *   never of presence, so the variant operations neither report nor count it.
 * Both run on the search index's `status` and `value-concept` fields (system|code and bare code).
 */
export const NO_RESULT_STATUSES = ['registered', 'cancelled', 'entered-in-error'];
const ABSENT = 'http://loinc.org|LA9634-2';

/** Findings (and reports) whose status holds a result. */
export const STANDING: Filter = { 'x.status': { $nin: NO_RESULT_STATUSES } };

/** Variants that stand and are called present. */
export const PRESENT: Filter = { ...STANDING, 'x.value-concept': { $ne: ABSENT } };

/** STANDING, for a resource already read. */
export function stands(r: { status?: string }): boolean {
  return !NO_RESULT_STATUSES.includes(r.status ?? '');
}

/** STANDING and not called Absent (PRESENT for a Variant already read; other findings have no such value). */
export function standsPresent(r: { status?: string; valueCodeableConcept?: { coding?: Array<{ system?: string; code?: string }> } }): boolean {
  return stands(r) && !(r.valueCodeableConcept?.coding ?? []).some((c) => c.code === 'LA9634-2' && (c.system === undefined || c.system === 'http://loinc.org'));
}
