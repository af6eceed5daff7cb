import { parseFhirJson } from '../../fhir/json-decimals.js';
import type { DocumentReference } from '@medplum/fhirtypes';
import type { FhirContext } from '../../fhir/context.js';
import { type Build, chromInBuild, toAccession } from '../assemblies.js';
import type { GenomicRange } from './inputs.js';
import { bedRegions } from '../vcf/bed.js';

/**
 * Regions studied / uncallable of a genomic study analysis, as the IG models them
 * (genomic-study-analysis-regions: `studied` / `uncalled` → genomic-data-file DocumentReference
 * holding a BED file, 0-based half-open), clipped to the ranges asked about and written in the
 * operation's zero-based RefSeq:Integer-range form. Answers 'unknown' when no file is attached.
 */
export async function regionsWithin(
  ctx: FhirContext, docRef: string | undefined, build: Build | undefined, ranges: GenomicRange[], readable: (doc: DocumentReference) => boolean,
): Promise<string> {
  if (!docRef || !build || !docRef.startsWith('DocumentReference/')) return 'unknown';
  const rec = await ctx.store.read('DocumentReference', docRef.slice(18));
  if (!rec?.json || rec.deleted) return 'unknown';
  const doc = parseFhirJson(rec.json) as DocumentReference;
  if (!readable(doc)) return 'unknown';
  const data = doc.content?.[0]?.attachment?.data;
  if (!data) return 'unknown';
  const out: string[] = [];
  for (const { chrom, start, end } of bedRegions(Buffer.from(data, 'base64').toString('utf8'))) {
    // (a chromosome as the import read it: `chr1`, `1` or the build's NC_ accession)
    const c = chromInBuild(build, chrom);
    const acc = c && c !== 'otherBuild' ? toAccession(build, c) : undefined;
    if (!acc) continue;
    for (const r of ranges) {
      if (r.accession !== acc || start >= r.end || end <= r.start) continue;
      out.push(`${acc}:${Math.max(start, r.start)}-${Math.min(end, r.end)}`);
    }
  }
  return `[${out.map((o) => `'${o}'`).join(', ')}]`;
}
