import { IG_CANONICAL } from './ig-package.js';

/**
 * Genomic resources that claim no profile are recognised by their code and checked as the
 * matching Genomics Reporting profile (warnings by default, errors under strictProfiles).
 * Besides each profile's own fixed code, the LOINC codes labs commonly use for the same
 * result are recognised (51963-7 medication assessed, 53037-8 genetic disease assessment,
 * 81247-9 the older master genetic variant reporting panel): such resources are then told how
 * they differ from the 3.0.0 profile.
 */
const SD = `${IG_CANONICAL}/StructureDefinition/`;
const LOINC = 'http://loinc.org';
const TBD = `${IG_CANONICAL}/CodeSystem/tbd-codes-cs`;

const BY_CODE: Record<string, Record<string, string>> = {
  Observation: {
    [`${LOINC}|69548-6`]: 'variant',
    [`${LOINC}|84414-2`]: 'haplotype',
    [`${LOINC}|84413-4`]: 'genotype',
    [`${LOINC}|82120-7`]: 'sequence-phase-relationship',
    [`${TBD}|therapeutic-implication`]: 'therapeutic-implication',
    [`${LOINC}|51963-7`]: 'therapeutic-implication',
    [`${TBD}|diagnostic-implication`]: 'diagnostic-implication',
    [`${LOINC}|53037-8`]: 'diagnostic-implication',
    [`${TBD}|molecular-consequence`]: 'molecular-consequence',
  },
  DiagnosticReport: {
    [`${LOINC}|51969-4`]: 'genomic-report',
    [`${LOINC}|81247-9`]: 'genomic-report',
  },
};

export interface Detected {
  profile: string;
  /** `http://loinc.org|69548-6`: the code that gave it away. */
  code: string;
}

export function detectProfile(resource: Record<string, unknown>): Detected | undefined {
  const table = BY_CODE[String(resource.resourceType)];
  if (!table) return undefined;
  const code = resource.code as { coding?: unknown } | undefined;
  // A malformed `coding` (not an array) is the structure layer's to report, not a reason to throw.
  const codings = Array.isArray(code?.coding) ? (code.coding as Array<{ system?: string; code?: string } | null>) : [];
  for (const c of codings) {
    const key = `${c?.system ?? ''}|${c?.code ?? ''}`;
    if (table[key]) return { profile: SD + table[key], code: key };
  }
  return undefined;
}
