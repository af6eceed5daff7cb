import type { Issue } from '../../fhir/outcome.js';

/**
 * ele-1 as FHIR JSON spells it (https://hl7.org/fhir/R4/element.html#invs,
 * https://hl7.org/fhir/R4/json.html): no empty strings, objects or arrays. Such JSON is not FHIR
 * JSON at all, so it is malformed content (400 by ../status.ts), as `entry: []` in a Bundle is:
 * an empty string is a `value` issue like any string its type refuses, an empty object or array a
 * `structure` one. The messages live here so that `isEmptyElement` can tell them apart from the
 * other structure issues.
 */
const RULE = '(ele-1)';

export const emptyString = (at: string): Issue =>
  ({ severity: 'error', code: 'value', diagnostics: `${at} must not be an empty string ${RULE}`, expression: [at] });

export const emptyObjectMessage = (at: string): string => `${at} must not be an empty object ${RULE}`;

export const emptyArrayMessage = (at: string): string => `${at} must not be an empty array ${RULE}`;

/** Whether `issue` is one of the above: content a reader can still walk, unlike other structure errors. */
export const isEmptyElement = (issue: Issue): boolean => issue.diagnostics.endsWith(` ${RULE}`) && / must not be an empty (string|object|array) \(/.test(issue.diagnostics);
