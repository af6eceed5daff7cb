import { type Build, canonicalChrom, chromInBuild } from '../assemblies.js';

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

/** One region of a BED file, with its 1-based line number. */
export interface BedRegion {
  line: number;
  chrom: string;
  start: number;
  end: number;
}

export class BedError extends Error {}

/** A line that is not a region: its 1-based number and why (the caller adds which file). */
export interface BedLineProblem {
  line: number;
  problem: string;
}

/**
 * The one BED line reader: the import's summary and $find-study-metadata's regions both read a file
 * through it, so they cannot disagree about one. UCSC's BED is whitespace-separated (tabs, spaces, or
 * runs of either, as hand-edited and older tools' files are; the GA4GH BEDv1 spec allows spaces too),
 * with `browser` and `track` header lines and `#` comments; CRLF files come from Windows tools.
 * A header word must be the line's first field, so a contig named `trackless` is still a region.
 */
export function* bedLines(text: string): Generator<BedRegion | BedLineProblem> {
  const lines = text.split(/\r\n|\n|\r/);
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i].trim();
    if (!l || l.startsWith('#')) continue;
    const c = l.split(/[ \t]+/);
    if (c[0] === 'browser' || c[0] === 'track') continue;
    const line = i + 1;
    if (c.length < 3 || !/^\d+$/.test(c[1]) || !/^\d+$/.test(c[2])) yield { line, problem: 'expected chrom, start, end' };
    else {
      const start = Number(c[1]);
      const end = Number(c[2]);
      if (end < start) yield { line, problem: `end ${end} is before start ${start}` };
      else yield { line, chrom: c[0], start, end };
    }
  }
}

/** The regions of a BED file, skipping lines that are not regions (a file the import has accepted has none). */
export function* bedRegions(text: string): Generator<BedRegion> {
  for (const r of bedLines(text)) if (!('problem' in r)) yield r;
}

/**
 * With the import's build, a chromosome named by an NC_ accession is read as the VCF's CHROM is
 * (`NC_000001.10` is chromosome 1 on GRCh37), and another build's accession refuses the file: its
 * regions would be read on the wrong assembly ($find-study-metadata would answer none studied).
 */
export function summarizeBed(text: string, label: string, build?: Build): BedSummary {
  let regions = 0;
  let bases = 0;
  const chroms = new Set<string>();
  for (const r of bedLines(text)) {
    if ('problem' in r) throw new BedError(`${label} line ${r.line}: ${r.problem}`);
    const chrom = build ? chromInBuild(build, r.chrom) : canonicalChrom(r.chrom);
    if (chrom === 'otherBuild') throw new BedError(`${label} line ${r.line}: ${r.chrom} is an accession of another build than ${build}`);
    regions++;
    bases += r.end - r.start;
    chroms.add(chrom ?? r.chrom);
  }
  return { regions, bases, chromosomes: [...chroms] };
}
