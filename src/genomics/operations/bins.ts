/**
 * Hierarchical binning (the UCSC genome browser scheme, Kent et al. 2002): a feature is filed in
 * the smallest bin that holds it whole; a range query asks for every bin at every level that
 * overlaps it. It turns "which variants overlap this range" into an equality `$in` on one indexed
 * field, which both MongoDB and the embedded store's equality indexes answer without a scan; the
 * exact interval test then runs on the few candidates.
 */
// 16 kb (the extended scheme's finest level: fewer false candidates for gene-sized ranges), 128 kb … 512 Mb
const SHIFTS = [14, 17, 20, 23, 26, 29];

/**
 * The smallest bin holding [start, last] whole: its level (SHIFTS.length for the top bin) and its
 * index at that level. One scheme for the gx-bin strings and the genomic-region numbers below.
 */
function smallestBin(start: number, last: number): [level: number, index: number] {
  for (let level = 0; level < SHIFTS.length; level++) {
    if (start >> SHIFTS[level] === last >> SHIFTS[level]) return [level, start >> SHIFTS[level]];
  }
  return [SHIFTS.length, 0];
}

/** Calls `f` for every bin at every level that [start, last] overlaps, then for the top bin. */
function eachBin(start: number, last: number, f: (level: number, index: number) => void): void {
  for (let level = 0; level < SHIFTS.length; level++) {
    for (let b = start >> SHIFTS[level]; b <= last >> SHIFTS[level]; b++) f(level, b);
  }
  f(SHIFTS.length, 0);
}

export function binOf(accession: string, start: number, end: number): string {
  const [level, index] = smallestBin(start, Math.max(start, end - 1));
  return `${accession}#${level}.${index}`;
}

/** Every bin a feature overlapping [start, end) can be filed in. */
export function binsOverlapping(accession: string, start: number, end: number): string[] {
  const out: string[] = [];
  eachBin(start, Math.max(start, end - 1), (level, b) => out.push(`${accession}#${level}.${b}`));
  return out;
}

/**
 * The same scheme as a number, for a `genomic-region` element (which already names its
 * accession): level * 2^20 + bin index at that level. Coordinates outside 0 … 2^31 - 1 (where
 * `>>` would wrap) file the element in the top bin, which every query asks for.
 */
const LEVEL = 2 ** 20;
const MAX_COORD = 2 ** 31 - 1;
export const TOP_REGION_BIN = SHIFTS.length * LEVEL;

export function regionBin(start: number, end: number): number {
  if (!(start >= 0) || !(end <= MAX_COORD)) return TOP_REGION_BIN;
  const [level, index] = smallestBin(start, Math.max(start, end - 1));
  return level * LEVEL + index;
}

/**
 * Every region bin an element overlapping [start, end) can be filed in, or undefined past `max`
 * bins (1000 bins: a window of about 15 Mb, where much of a chromosome is read anyway).
 */
export function regionBinsOverlapping(start: number, end: number, max: number): number[] | undefined {
  const s = Math.min(Math.max(start, 0), MAX_COORD);
  const last = Math.min(Math.max(s, end - 1), MAX_COORD);
  let n = 1;
  for (const shift of SHIFTS) n += (last >> shift) - (s >> shift) + 1;
  if (n > max) return undefined;
  const out: number[] = [];
  eachBin(s, last, (level, b) => out.push(level * LEVEL + b));
  return out;
}
