import type { FhirContext } from '../../fhir/context.js';
import type { IndexedDoc } from '../../storage/types.js';
import { sourceClassQueryValues } from './codes.js';
import { GX } from './gx-fields.js';
import { findDocs, subjectOf } from './query.js';
import { PRESENT } from './standing.js';

/**
 * `genomicSourceClass` for findings that state no class of their own. In the IG only the Variant
 * profile has the genomic-source-class component (48002-0); Haplotype, Genotype and the
 * implications have none, yet the haplotype and implication operations take the input. Such a
 * finding has the class of what it derives from: a Variant's class, through Genotypes and
 * Haplotypes too (implication → genotype → haplotype → variant). A class the finding states
 * itself decides. A basis counts only when it stands, is not called absent (standing.ts), and is
 * about the same subject: `derivedFrom` is whatever its writer typed, and another patient's
 * Variant says nothing of this one (nor may its class be probed through this filter).
 */
const MAX_DEPTH = 4;

/** The docs whose source class, their own or their basis', is `source` (all of them without one). */
export async function withSourceClass(ctx: FhirContext, docs: IndexedDoc[], source: string | undefined): Promise<IndexedDoc[]> {
  if (source === undefined) return docs;
  const wanted = new Set(sourceClassQueryValues(source)); // an unknown class is a 400, found or not
  const own = (d: IndexedDoc): boolean | undefined => {
    const classes = d.x[GX.sourceClass] as string[] | undefined;
    return classes?.length ? classes.some((c) => wanted.has(c)) : undefined;
  };
  const basesOf = (d: IndexedDoc): string[] => ((d.x[GX.derivedFrom] as string[] | undefined) ?? []).filter((r) => r.startsWith('Observation/'));
  // Fetch the bases of the undecided, a level at a time (one query a level).
  const fetched = new Map<string, IndexedDoc>();
  let pending = docs.filter((d) => own(d) === undefined);
  for (let depth = 0; depth < MAX_DEPTH && pending.length; depth++) {
    const ask = [...new Set(pending.flatMap(basesOf).filter((r) => !fetched.has(r)))];
    if (!ask.length) break;
    const found = await findDocs(ctx, 'Observation', { id: { $in: ask.map((r) => r.slice('Observation/'.length)) }, ...PRESENT });
    for (const b of found) fetched.set(`Observation/${b.id}`, b);
    pending = found.filter((b) => own(b) === undefined);
  }
  const verdict = new Map<IndexedDoc, boolean>();
  const decide = (d: IndexedDoc, depth: number): boolean => {
    const c = own(d);
    if (c !== undefined) return c;
    if (depth >= MAX_DEPTH) return false;
    if (!verdict.has(d)) {
      verdict.set(d, false); // a derivedFrom cycle holds no class
      const bases = basesOf(d).map((r) => fetched.get(r)).filter((b): b is IndexedDoc => !!b && subjectOf(b) === subjectOf(d));
      verdict.set(d, bases.some((b) => decide(b, depth + 1)));
    }
    return verdict.get(d)!;
  };
  return docs.filter((d) => decide(d, 0));
}

/** withSourceClass for hits (query.ts Hit): those whose doc it keeps. */
export async function hitsWithSourceClass<H extends { doc: IndexedDoc }>(ctx: FhirContext, hits: H[], source: string | undefined): Promise<H[]> {
  if (source === undefined) return hits;
  const keep = new Set(await withSourceClass(ctx, hits.map((h) => h.doc), source));
  return hits.filter((h) => keep.has(h.doc));
}
