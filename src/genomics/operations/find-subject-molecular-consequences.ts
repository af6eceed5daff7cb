import { genomicsOperation } from './handler.js';
import { subjectImplications } from './subject-implications.js';

/**
 * $find-subject-molecular-consequences: the subject's Molecular Consequences (optionally only
 * those of given variants or ranges, of given feature consequence types), with their Variants.
 * https://hl7.org/fhir/uv/genomics-reporting/STU3/OperationDefinition-find-subject-molecular-consequences.html
 */
export const findSubjectMolecularConsequences = genomicsOperation('find-subject-molecular-consequences', 'subject', (args) =>
  subjectImplications(args, 'mc', { implication: 'consequence', findings: { variant: 'variant' } }));
