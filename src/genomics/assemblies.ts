/**
 * Chromosome <-> RefSeq accession tables for the two human assemblies the server accepts.
 * The Genomics Reporting IG carries the chromosome as its NC_ accession (component 48013-7,
 * https://hl7.org/fhir/uv/genomics-reporting/STU3/StructureDefinition-variant.html), which also
 * pins the assembly version, so `toAccession` is the one place that decides it.
 * Source: NCBI assembly reports GCF_000001405.25 (GRCh37.p13) and GCF_000001405.26 (GRCh38).
 */
export type Build = 'GRCh37' | 'GRCh38';
export const BUILDS: readonly Build[] = ['GRCh37', 'GRCh38'];

/** LOINC answer codes for 62374-4 (Human reference sequence assembly version, LL1040-6). */
export const BUILD_LOINC: Record<Build, { code: string; display: string }> = {
  GRCh37: { code: 'LA14029-5', display: 'GRCh37' },
  GRCh38: { code: 'LA26806-2', display: 'GRCh38' },
};

const CHROMS = [...Array.from({ length: 22 }, (_, i) => String(i + 1)), 'X', 'Y', 'MT'];
// Accession version per chromosome (1..22, X, Y); MT is the rCRS NC_012920.1 in both builds.
const V37 = [10, 11, 11, 11, 9, 11, 13, 10, 11, 10, 9, 11, 10, 8, 9, 9, 10, 9, 9, 10, 8, 10, 10, 9];
const V38 = [11, 12, 12, 12, 10, 12, 14, 11, 12, 11, 10, 12, 11, 9, 10, 10, 11, 10, 10, 11, 9, 11, 11, 10];
const MT_ACCESSION = 'NC_012920.1';

function table(versions: number[]): Map<string, string> {
  const m = new Map<string, string>();
  versions.forEach((v, i) => m.set(CHROMS[i], `NC_${String(i + 1).padStart(6, '0')}.${v}`));
  m.set('MT', MT_ACCESSION);
  return m;
}
const TO_ACC: Record<Build, Map<string, string>> = { GRCh37: table(V37), GRCh38: table(V38) };
const FROM_ACC = new Map<string, { build: Build; chrom: string }>();
// GRCh38 first so that the shared mitochondrial accession resolves to the current build.
for (const b of ['GRCh38', 'GRCh37'] as Build[]) {
  for (const [chrom, acc] of TO_ACC[b]) if (!FROM_ACC.has(acc)) FROM_ACC.set(acc, { build: b, chrom });
}

/**
 * Canonical chromosome name ('1'..'22', 'X', 'Y', 'MT') for the usual spellings:
 * `chr1`/`1`, `chrX`/`X`/`23`, `chrY`/`24`, `chrM`/`MT`/`M`. Undefined for other contigs
 * (alt/random/unplaced scaffolds, decoys), which have no NC_ accession.
 */
export function canonicalChrom(chrom: string): string | undefined {
  let c = chrom.trim();
  if (/^chr/i.test(c)) c = c.slice(3);
  c = c.toUpperCase();
  if (c === 'M' || c === 'MT') return 'MT';
  if (c === '23') return 'X';
  if (c === '24') return 'Y';
  if (c === 'X' || c === 'Y') return c;
  if (/^[1-9]\d?$/.test(c) && Number(c) <= 22) return c;
  return undefined;
}

/**
 * Canonical chromosome a VCF CHROM names in a build: a usual spelling (see canonicalChrom) or the
 * build's own NC_ accession (`NC_000001.11` in GRCh38; `NC_012920.1` in both). `otherBuild` when it
 * is an accession of the other build: the file and the build disagree, and no liftover is done.
 */
export function chromInBuild(build: Build, name: string): string | 'otherBuild' | undefined {
  const c = canonicalChrom(name);
  if (c !== undefined) return c;
  const acc = name.trim();
  if (!FROM_ACC.has(acc)) return undefined;
  for (const [chrom, a] of TO_ACC[build]) if (a === acc) return chrom;
  return 'otherBuild';
}

/** NC_ accession of a chromosome in a build, or undefined for contigs without one. */
export function toAccession(build: Build, chrom: string): string | undefined {
  const c = canonicalChrom(chrom);
  return c === undefined ? undefined : TO_ACC[build].get(c);
}

/**
 * Build and canonical chromosome of an NC_ accession (version required). The mitochondrial
 * accession is shared by both builds and answers GRCh38; hg19's `chrM` (NC_001807.4, which the VCF
 * import writes for it, see mitochondrion) answers GRCh37, so data stored on it can be searched.
 */
export function fromAccession(acc: string): { build: Build; chrom: string } | undefined {
  const a = acc.trim();
  return FROM_ACC.get(a) ?? (a === HG19_CHRM_ACCESSION ? { build: 'GRCh37', chrom: 'MT' } : undefined);
}
const HG19_CHRM_ACCESSION = 'NC_001807.4';

/**
 * The accessions of both builds whose accession number (before the version) is `base`
 * (`NC_000007` -> NC_000007.14 GRCh38, NC_000007.13 GRCh37), GRCh38 first: what to suggest for
 * an accession written without its version, or with a version neither build uses.
 */
export function accessionsOf(base: string): Array<{ accession: string; build: Build }> {
  const out: Array<{ accession: string; build: Build }> = [];
  for (const b of ['GRCh38', 'GRCh37'] as Build[]) {
    for (const acc of TO_ACC[b].values()) {
      if (acc.slice(0, acc.indexOf('.')) === base && !out.some((o) => o.accession === acc)) out.push({ accession: acc, build: b });
    }
  }
  return out;
}

/** Parses a user-supplied build name: GRCh37/hg19/b37/37, GRCh38/hg38/b38/38 (case-insensitive). */
export function parseBuild(s: string): Build | undefined {
  const v = s.trim().toLowerCase();
  if (/^(grch37|hg19|b37|37|ncbi37|hs37d5|grch37\.p\d+)$/.test(v)) return 'GRCh37';
  if (/^(grch38|hg38|b38|38|grch38\.p\d+)$/.test(v)) return 'GRCh38';
  return undefined;
}

// Sequence length per chromosome (1..22, X, Y, MT), from the same assembly reports.
const L37 = [
  249250621, 243199373, 198022430, 191154276, 180915260, 171115067, 159138663, 146364022, 141213431, 135534747, 135006516, 133851895,
  115169878, 107349540, 102531392, 90354753, 81195210, 78077248, 59128983, 63025520, 48129895, 51304566, 155270560, 59373566, 16569,
];
const L38 = [
  248956422, 242193529, 198295559, 190214555, 181538259, 170805979, 159345973, 145138636, 138394717, 133797422, 135086622, 133275309,
  114364328, 107043718, 101991189, 90338345, 83257441, 80373285, 58617616, 64444167, 46709983, 50818468, 156040895, 57227415, 16569,
];
const LENGTHS: Record<Build, Map<string, number>> = {
  GRCh37: new Map(CHROMS.map((c, i) => [c, L37[i]])),
  GRCh38: new Map(CHROMS.map((c, i) => [c, L38[i]])),
};

/** Length in bases of a chromosome in a build (undefined for contigs without an accession). */
export function chromLength(build: Build, chrom: string): number | undefined {
  const c = canonicalChrom(chrom);
  return c === undefined ? undefined : LENGTHS[build].get(c);
}

/**
 * The mitochondrion a CHROM names. GRCh38 (and hg38's chrM) and GRCh37's `MT` are the rCRS,
 * NC_012920.1 (16,569 bases); UCSC hg19's `chrM` is the older Yoruba sequence NC_001807.4
 * (16,571 bases), which GRCh37 itself does not contain, so the same position can be another base.
 * A `##contig` length of the name decides; without one, the name does (hg19 spells it `chrM`,
 * GRCh37 `MT`).
 */
export const HG19_CHRM = { accession: 'NC_001807.4', length: 16571 } as const;
const RCRS = { accession: MT_ACCESSION, length: 16569 } as const;
export function mitochondrion(build: Build, name: string, contigLength?: number): { accession: string; length: number } {
  if (build !== 'GRCh37' || contigLength === RCRS.length) return RCRS;
  if (contigLength === HG19_CHRM.length) return HG19_CHRM;
  return name.trim().toLowerCase() === 'chrm' ? HG19_CHRM : RCRS;
}

/** Length of chromosome 1 in each build: lets `##contig` lines identify the assembly. */
export const CHR1_LENGTH: Record<Build, number> = { GRCh37: L37[0], GRCh38: L38[0] };
