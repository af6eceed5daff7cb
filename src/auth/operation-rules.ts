import type { Permission } from './scopes.js';

/**
 * What each `$operation` needs, in scope terms (SMART scopes name interactions, not operations,
 * so the server decides; https://hl7.org/fhir/smart-app-launch/scopes-and-launch-context.html).
 * - `type`: the resource type whose permissions are checked (defaults to the type the operation
 *   is invoked on; system-level operations without one need the permissions on `*`).
 * - `patientTokens`: whether patient-level tokens may call it at all; population operations
 *   answer questions across patients, so they are refused for a single patient's token.
 * Unknown operations need every permission (c r u d s) and are refused for patient tokens:
 * an operation nobody classified is treated as the most powerful kind.
 */
export interface OperationRule {
  type?: string;
  permissions: Permission[];
  patientTokens: boolean;
}

const SUBJECT_READ: OperationRule = { type: 'Observation', permissions: ['r', 's'], patientTokens: true };
const POPULATION: OperationRule = { type: 'Observation', permissions: ['s'], patientTokens: false };

const RULES: Record<string, OperationRule> = {
  // Genomics Reporting IG 3.0.0 subject operations: they read and search genomic Observations.
  'find-subject-variants': SUBJECT_READ,
  'find-subject-specific-variants': SUBJECT_READ,
  'find-subject-structural-intersecting-variants': SUBJECT_READ,
  'find-subject-structural-subsuming-variants': SUBJECT_READ,
  'find-subject-haplotypes': SUBJECT_READ,
  'find-subject-specific-haplotypes': SUBJECT_READ,
  'find-subject-tx-implications': SUBJECT_READ,
  'find-subject-dx-implications': SUBJECT_READ,
  'find-subject-molecular-consequences': SUBJECT_READ,
  'find-study-metadata': SUBJECT_READ,
  // Population operations: counts (and optionally patient lists) across every patient.
  'find-population-specific-variants': POPULATION,
  'find-population-structural-intersecting-variants': POPULATION,
  'find-population-structural-subsuming-variants': POPULATION,
  'find-population-specific-haplotypes': POPULATION,
  'find-population-tx-implications': POPULATION,
  'find-population-dx-implications': POPULATION,
  'find-population-molecular-consequences': POPULATION,
  // Patient/{id}/$everything reads the whole compartment; each returned resource is still
  // filtered by canSee (type scopes and compartment).
  everything: { type: 'Patient', permissions: ['r', 's'], patientTokens: true },
  // $validate reads nothing and writes nothing: any create or update right on the type suffices.
  validate: { permissions: [], patientTokens: true },
  // VCF import writes Observations (and MolecularSequences, Specimens…): a lab's job, refused
  // for patient tokens (the files name their own sample ids).
  'import-vcf': { type: 'Observation', permissions: ['c'], patientTokens: false },
  meta: { permissions: ['r'], patientTokens: true },
  'meta-add': { permissions: ['u'], patientTokens: true },
  'meta-delete': { permissions: ['u'], patientTokens: true },
};

const UNKNOWN: OperationRule = { permissions: ['c', 'r', 'u', 'd', 's'], patientTokens: false };

export function operationRule(name: string): OperationRule {
  return Object.hasOwn(RULES, name) ? RULES[name] : UNKNOWN;
}
