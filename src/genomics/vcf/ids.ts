import { createHash } from 'node:crypto';

/**
 * Deterministic ids: the same call for the same patient, build and sample always maps to the same
 * resource id and identifier, so re-importing a file updates in place instead of duplicating
 * (FHIR ids allow [A-Za-z0-9\-\.]{1,64}, https://hl7.org/fhir/R4/datatypes.html#id).
 */
export function hashId(prefix: string, parts: Array<string | number | undefined>): string {
  const h = createHash('sha256');
  for (const p of parts) h.update(String(p ?? '')).update('\u0000');
  return `${prefix}-${h.digest('hex').slice(0, 32)}`;
}

/** The human-readable identifier value of a variant call. */
export function variantKey(k: VariantKeyParts): string {
  return `${k.patient}|${k.build}|${k.sample}|${k.chrom}:${k.pos}:${k.ref}>${k.alt}`;
}
export interface VariantKeyParts {
  patient: string;
  build: string;
  sample: string;
  /** Canonical chromosome ('1'..'22', 'X', 'Y', 'MT'), so `chr1` and `1` agree. */
  chrom: string;
  pos: number;
  ref: string;
  alt: string;
}
export function variantId(k: VariantKeyParts): string {
  return hashId('vcf', [k.patient, k.build, k.sample, k.chrom, k.pos, k.ref, k.alt]);
}
