import { type Build, CHR1_LENGTH, canonicalChrom, fromAccession, parseBuild } from '../assemblies.js';

/**
 * The VCF header (VCF 4.x, https://samtools.github.io/hts-specs/VCFv4.3.pdf section 1.4): meta lines
 * `##key=value` / `##key=<ID=..,..>` and the `#CHROM` column line. Kept: FORMAT/INFO definitions,
 * contigs (for build detection), the file date, and the sample names.
 */
export interface FieldDef {
  id: string;
  number: string;
  type: string;
}
export interface VcfHeader {
  fileformat?: string;
  fileDate?: string;
  reference?: string;
  info: Map<string, FieldDef>;
  format: Map<string, FieldDef>;
  contigs: Map<string, { length?: number; assembly?: string }>;
  /** Other `##key=value` lines that may name the assembly (e.g. Complete Genomics' source_GENOME_REFERENCE). */
  other: Map<string, string>;
  samples: string[];
  /** Number of header lines, including `#CHROM`. */
  lineCount: number;
}

export function emptyHeader(): VcfHeader {
  return { info: new Map(), format: new Map(), contigs: new Map(), other: new Map(), samples: [], lineCount: 0 };
}

/** Parses `<ID=x,Number=1,Description="a, b">` into key/value pairs (quoted values may hold commas). */
export function parseStructured(s: string): Record<string, string> {
  const out: Record<string, string> = {};
  const body = s.startsWith('<') && s.endsWith('>') ? s.slice(1, -1) : s;
  const re = /([A-Za-z_][\w.]*)=("(?:[^"\\]|\\.)*"|[^,]*)/g;
  for (let m = re.exec(body); m; m = re.exec(body)) {
    const v = m[2];
    out[m[1]] = v.startsWith('"') ? v.slice(1, -1).replace(/\\(.)/g, '$1') : v;
  }
  return out;
}

/** Adds one `##` meta line to the header. */
export function addMetaLine(h: VcfHeader, line: string): void {
  const eq = line.indexOf('=');
  if (eq < 0) return;
  const key = line.slice(2, eq);
  const value = line.slice(eq + 1);
  switch (key) {
    case 'fileformat':
      h.fileformat = value;
      return;
    case 'fileDate':
      h.fileDate = value;
      return;
    case 'reference':
      h.reference = value;
      return;
    case 'INFO':
    case 'FORMAT': {
      const f = parseStructured(value);
      if (f.ID) (key === 'INFO' ? h.info : h.format).set(f.ID, { id: f.ID, number: f.Number ?? '.', type: f.Type ?? 'String' });
      return;
    }
    case 'contig': {
      const f = parseStructured(value);
      if (f.ID) h.contigs.set(f.ID, { length: f.length ? Number(f.length) : undefined, assembly: f.assembly });
      return;
    }
    default:
      if (!value.startsWith('<')) h.other.set(key, value);
  }
}

/**
 * The assembly named by the header, if any: `##reference`, `##contig=<assembly=..>`, Complete
 * Genomics' `##source_GENOME_REFERENCE=NCBI build 37`, a contig named by its NC_ accession, or the
 * length of chromosome 1.
 */
export function detectBuild(h: VcfHeader): Build | undefined {
  return buildEvidence(h)[0]?.build;
}

/** Every place the header names a build, first the words (##reference …), then the contigs. */
export function buildEvidence(h: VcfHeader): Array<{ build: Build; why: string }> {
  const out: Array<{ build: Build; why: string }> = [];
  const named: Array<[string | undefined, string]> = [
    [h.reference, '##reference'],
    ...[...h.contigs].map(([id, c]): [string | undefined, string] => [c.assembly, `##contig ${id} assembly`]),
    [h.other.get('source_GENOME_REFERENCE'), '##source_GENOME_REFERENCE'],
    [h.other.get('assembly'), '##assembly'],
  ];
  for (const [n, why] of named) {
    const b = n ? buildFromText(n) : undefined;
    if (b) out.push({ build: b, why: `${why} (${n})` });
  }
  for (const [id, c] of h.contigs) {
    // contigs named by NC_ accession pin the build by their version (the shared MT one does not)
    const acc = fromAccession(id);
    if (acc && acc.chrom !== 'MT') out.push({ build: acc.build, why: `##contig ${id}` });
    if (canonicalChrom(id) !== '1' || !c.length) continue;
    if (c.length === CHR1_LENGTH.GRCh37) out.push({ build: 'GRCh37', why: `##contig ${id} length ${c.length}` });
    if (c.length === CHR1_LENGTH.GRCh38) out.push({ build: 'GRCh38', why: `##contig ${id} length ${c.length}` });
  }
  return out;
}

function buildFromText(s: string): Build | undefined {
  const direct = parseBuild(s);
  if (direct) return direct;
  const t = s.toLowerCase();
  // (GATK's resource bundles: Homo_sapiens_assembly19.fasta is b37, Homo_sapiens_assembly38.fasta GRCh38)
  if (/grch37|hg19|b37|hs37d5|g1k_v37|build 37|ncbi37|\bgrch37|homo_sapiens_assembly19/.test(t)) return 'GRCh37';
  if (/grch38|hg38|b38|build 38|ncbi38|homo_sapiens_assembly38/.test(t)) return 'GRCh38';
  return undefined;
}

/** FHIR `date` from `##fileDate` (20121204 or 2012-12-04), or undefined when unusable. */
export function fileDateToFhir(d: string | undefined): string | undefined {
  if (!d) return undefined;
  const m = /^(\d{4})-?(\d{2})-?(\d{2})$/.exec(d.trim());
  if (!m) return undefined;
  const iso = `${m[1]}-${m[2]}-${m[3]}`;
  // Date.parse rolls 2013-02-29 over to March 1 instead of refusing it: the day must read back as
  // itself, or the Observations' effectiveDateTime fails validation and the whole import with it.
  const t = Date.parse(iso);
  return Number.isNaN(t) || new Date(t).toISOString().slice(0, 10) !== iso ? undefined : iso;
}
