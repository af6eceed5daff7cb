import { genomicsOperation } from './handler.js';
import { subjectImplications } from './subject-implications.js';

/**
 * $find-subject-dx-implications: the subject's Diagnostic Implications (optionally only those
 * resting on given variants or ranges, about given conditions), with the Variants they derive
 * from and each one's evidence (report, lab, date).
 * https://hl7.org/fhir/uv/genomics-reporting/STU3/OperationDefinition-find-subject-dx-implications.html
 */
export const findSubjectDxImplications = genomicsOperation('find-subject-dx-implications', 'subject', (args) =>
  subjectImplications(args, 'dx', { implication: 'implication', findings: { variant: 'variant' } }));
