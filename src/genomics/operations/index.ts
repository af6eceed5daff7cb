import type { OperationHandler } from '../../fhir/context.js';
import { findPopulationDxImplications } from './find-population-dx-implications.js';
import { findPopulationMolecularConsequences } from './find-population-molecular-consequences.js';
import { findPopulationSpecificHaplotypes } from './find-population-specific-haplotypes.js';
import { findPopulationSpecificVariants } from './find-population-specific-variants.js';
import { findPopulationStructuralIntersectingVariants } from './find-population-structural-intersecting-variants.js';
import { findPopulationStructuralSubsumingVariants } from './find-population-structural-subsuming-variants.js';
import { findPopulationTxImplications } from './find-population-tx-implications.js';
import { findStudyMetadata } from './find-study-metadata.js';
import { findSubjectDxImplications } from './find-subject-dx-implications.js';
import { findSubjectHaplotypes } from './find-subject-haplotypes.js';
import { findSubjectMolecularConsequences } from './find-subject-molecular-consequences.js';
import { findSubjectSpecificHaplotypes } from './find-subject-specific-haplotypes.js';
import { findSubjectSpecificVariants } from './find-subject-specific-variants.js';
import { findSubjectStructuralIntersectingVariants } from './find-subject-structural-intersecting-variants.js';
import { findSubjectStructuralSubsumingVariants } from './find-subject-structural-subsuming-variants.js';
import { findSubjectTxImplications } from './find-subject-tx-implications.js';
import { findSubjectVariants } from './find-subject-variants.js';

/** The Genomics Reporting IG 3.0.0 operations, one file each (registered in src/fhir/operations/index.ts). */
export const genomicsOperations: OperationHandler[] = [
  findSubjectVariants,
  findSubjectSpecificVariants,
  findSubjectStructuralIntersectingVariants,
  findSubjectStructuralSubsumingVariants,
  findSubjectHaplotypes,
  findSubjectSpecificHaplotypes,
  findSubjectTxImplications,
  findSubjectDxImplications,
  findSubjectMolecularConsequences,
  findStudyMetadata,
  findPopulationSpecificVariants,
  findPopulationStructuralIntersectingVariants,
  findPopulationStructuralSubsumingVariants,
  findPopulationSpecificHaplotypes,
  findPopulationTxImplications,
  findPopulationDxImplications,
  findPopulationMolecularConsequences,
];
