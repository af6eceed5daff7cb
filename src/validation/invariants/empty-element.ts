import type { Issue } from '../../fhir/outcome.js';

/**
 * ele-1 as FHIR JSON spells it (https://hl7.org/fhir/R4/element.html#invs,
 * https://hl7.org/fhir/R4/json.html): no empty strings, objects or arrays. Such JSON is not FHIR
 * JSON at all, so it is malformed content (400 by ../status.ts), as `entry: []` in a Bundle is:
 * an empty string is a `value` issue like any string its type refuses, an empty object or array a
 * `structure` one. Every such issue is built here and carries `rule: 'ele-1'`, which is how
 * `isEmptyElement` tells them apart from the other structure issues (not by their wording).
 */
const RULE = 'ele-1';

const issue = (code: Issue['code'], at: string, what: string): Issue =>
  ({ severity: 'error', code, diagnostics: `${at} must not be an empty ${what} (${RULE})`, expression: [at], rule: RULE });

export const emptyString = (at: string): Issue => issue('value', at, 'string');

export const emptyObject = (at: string): Issue => issue('structure', at, 'object');

export const emptyArray = (at: string): Issue => issue('structure', at, 'array');

/** Whether `issue` is one of the above: content a reader can still walk, unlike other structure errors. */
export const isEmptyElement = (i: Issue): boolean => i.rule === RULE;
