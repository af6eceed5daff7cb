/**
 * Hierarchical binning (the UCSC genome browser scheme, Kent et al. 2002): a feature is filed in
 * the smallest bin that holds it whole; a range query asks for every bin at every level that
 * overlaps it. It turns "which variants overlap this range" into an equality `$in` on one indexed
 * field, which both MongoDB and the embedded store's equality indexes answer without a scan; the
 * exact interval test then runs on the few candidates.
 */
// 16 kb (the extended scheme's finest level: fewer false candidates for gene-sized ranges), 128 kb … 512 Mb
const SHIFTS = [14, 17, 20, 23, 26, 29];

export function binOf(accession: string, start: number, end: number): string {
  const last = Math.max(start, end - 1);
  for (let level = 0; level < SHIFTS.length; level++) {
    if (start >> SHIFTS[level] === last >> SHIFTS[level]) return `${accession}#${level}.${start >> SHIFTS[level]}`;
  }
  return `${accession}#${SHIFTS.length}.0`;
}

/** Every bin a feature overlapping [start, end) can be filed in. */
export function binsOverlapping(accession: string, start: number, end: number): string[] {
  const last = Math.max(start, end - 1);
  const out: string[] = [];
  for (let level = 0; level < SHIFTS.length; level++) {
    for (let b = start >> SHIFTS[level]; b <= last >> SHIFTS[level]; b++) out.push(`${accession}#${level}.${b}`);
  }
  out.push(`${accession}#${SHIFTS.length}.0`);
  return out;
}
