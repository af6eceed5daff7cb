import type { IndexedDoc } from '../../storage/types.js';
import { GX, type Locus } from './gx-fields.js';
import type { VariantQuery } from './inputs.js';

/**
 * Whether a Variant that a variant input matched (its SPDI, genomic HGVS or HGVS text) is there as
 * a simple variant, which is what the specific-variants operations ask about ("Determine if
 * specified simple variants are present", find-subject-specific-variants; the population one
 * counts the same question). A structural Variant is the structural operations' answer, as for
 * ranges (`$find-subject-variants` skips it too): one rule, the loci's `sv` flag (variant-extent.ts).
 *
 * - An input on an accession where the Variant has a location matches through that location:
 *   simple unless the location is structural.
 * - An input on an accession where it has none (a c./p. HGVS on a transcript or protein) describes
 *   the Variant as a whole: simple unless every location it has is structural. A Variant with no
 *   location at all (HGVS text only) states nothing structural.
 */
export function matchedAsSimple(v: VariantQuery, doc: IndexedDoc): boolean {
  const loci = (doc.x[GX.loci] ?? []) as Locus[];
  let here = false;
  for (const l of loci) {
    if (l.a !== v.accession) continue;
    if (!l.sv) return true;
    here = true;
  }
  if (here) return false;
  return loci.length === 0 || loci.some((l) => !l.sv);
}
