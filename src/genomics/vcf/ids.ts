import { sha256 } from '../../sha256.js';
import type { GenomicSource } from './codes.js';

/**
 * Deterministic ids: the same call for the same patient, build and sample always maps to the same
 * resource id and identifier, so re-importing a file updates in place instead of duplicating
 * (FHIR ids allow [A-Za-z0-9\-\.]{1,64}, https://hl7.org/fhir/R4/datatypes.html#id).
 */
export function hashId(prefix: string, parts: Array<string | number | undefined>): string {
  // Each part followed by NUL, hashed at once (the same digest as updating part by part).
  let text = '';
  for (const p of parts) text += `${p ?? ''}\u0000`;
  return `${prefix}-${sha256(text, 'hex').slice(0, 32)}`;
}

/**
 * The human-readable identifier value of a variant call. A germline and a somatic call of one
 * allele are different findings (each report must keep pointing at its own), so the source class is
 * part of the key; germline, the default, is written as nothing so that ids of calls imported before
 * the source was part of the key stay the same (re-importing them remains idempotent).
 */
export function variantKey(k: VariantKeyParts): string {
  return `${k.patient}|${k.build}|${k.sample}|${k.chrom}:${k.pos}:${k.ref}>${k.alt}${sourceSuffix(k.source)}${k.specimen ? `|specimen:${k.specimen}` : ''}`;
}

/** `|somatic` for a non-germline source class, '' for germline (see variantKey). */
export function sourceSuffix(source: GenomicSource): string {
  return source === 'germline' ? '' : `|${source}`;
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
  source: GenomicSource;
  /**
   * The specimen the call was made on, when the import names one: the same allele called on two
   * specimens (tumour A, tumour B) is two findings, and a second import must not rewrite what the
   * first report says. Without a specimen, ids are what they were.
   */
  specimen?: string;
}
export function variantId(k: VariantKeyParts): string {
  const parts: Array<string | number> = [k.patient, k.build, k.sample, k.chrom, k.pos, k.ref, k.alt];
  if (k.source !== 'germline') parts.push(k.source);
  if (k.specimen) parts.push(`specimen:${k.specimen}`);
  return hashId('vcf', parts);
}
