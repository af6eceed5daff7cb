import type { Filter } from './query.js';

/**
 * Which stored findings count as findings. The operations answer "is it there?", so:
 * - a Variant whose value is LA9634-2 "Absent" says the variant was looked for and is not
 *   there (IG Variant profile, value from LL1971-2 present/absent): it is evidence of absence,
 *   never of presence, so the variant operations neither report nor count it.
 * This runs on the search index's `value-concept` field (system|code and bare code).
 */
const ABSENT = 'http://loinc.org|LA9634-2';

/** Variants called present. */
export const PRESENT: Filter = { 'x.value-concept': { $ne: ABSENT } };
