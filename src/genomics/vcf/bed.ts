import { canonicalChrom } from '../assemblies.js';

/**
 * BED regions (0-based, half-open; https://genome.ucsc.edu/FAQ/FAQformat.html#format1) for the
 * regions studied / uncallable. The file itself is attached to a genomic-data-file
 * DocumentReference; this summary (count, bases, chromosomes) goes into its description.
 */
export interface BedSummary {
  regions: number;
  bases: number;
  chromosomes: string[];
}

export class BedError extends Error {}

export function summarizeBed(text: string, label: string): BedSummary {
  let regions = 0;
  let bases = 0;
  const chroms = new Set<string>();
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i];
    if (!l.trim() || l.startsWith('#') || l.startsWith('track') || l.startsWith('browser')) continue;
    const c = l.split(/\t| +/);
    if (c.length < 3 || !/^\d+$/.test(c[1]) || !/^\d+$/.test(c[2])) throw new BedError(`${label} line ${i + 1}: expected chrom, start, end`);
    const s = Number(c[1]);
    const e = Number(c[2]);
    if (e < s) throw new BedError(`${label} line ${i + 1}: end ${e} is before start ${s}`);
    regions++;
    bases += e - s;
    chroms.add(canonicalChrom(c[0]) ?? c[0]);
  }
  return { regions, bases, chromosomes: [...chroms] };
}
