import { VcfLineError } from './record.js';
import type { AllelicState } from './codes.js';

/**
 * GT (VCF 4.3 section 1.6.2): allele indexes separated by '/' (unphased) or '|' (phased);
 * '.' is a missing allele. The allelic state follows the IG's use of LOINC LL381-5.
 */
export interface Genotype {
  /** Allele index per chromosome copy; null = missing. */
  alleles: Array<number | null>;
  /** True when every separator is '|' (a phased genotype). */
  phased: boolean;
}

export function parseGenotype(gt: string, altCount: number, line: number): Genotype {
  const alleles: Array<number | null> = [];
  let phased = gt.length > 0;
  let start = 0;
  for (let i = 0; i <= gt.length; i++) {
    const c = gt.charCodeAt(i);
    if (i === gt.length || c === 47 /* / */ || c === 124 /* | */) {
      const a = gt.slice(start, i);
      if (a === '.') alleles.push(null);
      else if (/^\d+$/.test(a)) {
        const n = Number(a);
        if (n > altCount) throw new VcfLineError(line, `GT '${gt}' names allele ${n} but ALT has ${altCount}`);
        alleles.push(n);
      } else throw new VcfLineError(line, `GT '${gt}' is not a genotype`);
      if (c === 47) phased = false;
      start = i + 1;
    }
  }
  // A leading '|' marks a phased haploid call in VCF 4.4; accept only what 4.3 allows.
  if (alleles.length === 1) phased = false;
  return { alleles, phased };
}

/** Alt allele indexes (1-based, distinct) present in the genotype. */
export function calledAlts(g: Genotype): number[] {
  const out: number[] = [];
  for (const a of g.alleles) if (a !== null && a > 0 && !out.includes(a)) out.push(a);
  return out;
}

/**
 * Allelic state of alt allele `alt`, or undefined when it cannot be told (a missing allele in a
 * diploid call such as `1/.`). Haploid calls are hemizygous (X, Y and other single-copy regions)
 * except on the mitochondrion, where copies are counted as homo-/heteroplasmy.
 */
export function allelicState(g: Genotype, alt: number, mitochondrial: boolean): AllelicState | undefined {
  const copies = g.alleles.length;
  if (copies === 1) return mitochondrial ? 'homoplasmic' : 'hemizygous';
  if (g.alleles.some((a) => a === null)) return undefined;
  const all = g.alleles.every((a) => a === alt);
  if (mitochondrial) return all ? 'homoplasmic' : 'heteroplasmic';
  return all ? 'homozygous' : 'heterozygous';
}
