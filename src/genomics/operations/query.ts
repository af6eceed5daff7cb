import { parseFhirJson } from '../../fhir/json-decimals.js';
import type { Observation, Resource } from '@medplum/fhirtypes';
import type { FhirContext } from '../../fhir/context.js';
import type { IndexedDoc } from '../../storage/types.js';
import { alleleKeys, statedBasesAgree } from '../variant-notation/allele.js';
import { variantAlleles } from './genomic-index.js';
import { sourceClassQueryValues } from './codes.js';
import { binsOverlapping } from './bins.js';
import { GX, type GenomicKind } from './gx-fields.js';
import type { GenomicRange, VariantQuery } from './inputs.js';
import { PRESENT } from './standing.js';

/**
 * The operations' reads: StoreQuery filters over the `gx-*` index fields (genomic-index.ts),
 * shaped as top-level equality / `$in` on one selective field plus exact conditions, so MongoDB
 * and the embedded store's equality indexes answer them without scanning.
 */
export interface Hit<R extends Resource = Observation> {
  doc: IndexedDoc;
  /** The stored JSON, spliced into the answer as is (no parse + re-serialize on the hot path). */
  json: string;
  /** Parsed on first use. */
  readonly resource: R;
}

function hit<R extends Resource>(doc: IndexedDoc, json: string): Hit<R> {
  let parsed: R | undefined;
  return { doc, json, get resource() { return (parsed ??= parseFhirJson(json) as R); } };
}

/** Upper bound on what one operation reads (a genome's worth of variants for one patient). */
export const MAX_HITS = 200_000;
const TIME_LIMIT_MS = 20_000;

export type Filter = Record<string, unknown>;

export async function find<R extends Resource = Observation>(ctx: FhirContext, type: string, filter: Filter, limit = MAX_HITS): Promise<Hit<R>[]> {
  const res = await ctx.store.search({ types: [type], filter, limit, maxTimeMs: TIME_LIMIT_MS });
  return res.docs.map((doc, i) => hit<R>(doc, res.records[i].json!));
}

/** Docs only (no JSON parse, and on MongoDB no bodies sent): for counting patients. */
export async function findDocs(ctx: FhirContext, type: string, filter: Filter, limit = MAX_HITS): Promise<IndexedDoc[]> {
  return (await ctx.store.search({ types: [type], filter, limit, maxTimeMs: TIME_LIMIT_MS, read: 'docs' })).docs;
}

export function x(field: string): string {
  return `x.${field}`;
}

/** The clause a `genomicSourceClass` input adds (none without one); unknown classes are refused (codes.ts). */
export function sourceClassFilter(source: string | undefined): Filter {
  return source === undefined ? {} : { [x(GX.sourceClass)]: { $in: sourceClassQueryValues(source) } };
}

/** Selector for one kind of finding of one subject, or of every subject (population). */
export function kindFilter(kind: GenomicKind, subject: string | undefined): Filter {
  return subject ? { [x(GX.subjectKind)]: `${subject}|${kind}` } : { [x(GX.kind)]: kind };
}

export type RangeMode = 'intersect' | 'subsume';

const MAX_BINS = 1000;

/**
 * Which variants a range question reads: the simple operations ($find-subject-variants) the
 * simple ones, the structural operations the structural ones (variant-extent.ts tells them
 * apart, per locus), anything else (implications by range) both.
 */
export type VariantClass = 'simple' | 'structural' | 'any';

/** Variants overlapping (or containing) a range: bin lookup, then the exact interval test. */
export function rangeFilter(range: GenomicRange, mode: RangeMode, subject: string | undefined, variantClass: VariantClass = 'any'): Filter {
  const bins = binsOverlapping(range.accession, range.start, range.end);
  // Chromosome-sized ranges would make a huge `$in`: for those, one subject's variants (or the
  // variants on that accession's assembly) are the candidates and the exact test does the rest.
  const binClause = bins.length > MAX_BINS
    ? (subject ? kindFilter('variant', subject) : { [x(GX.kind)]: 'variant' })
    : subject ? { [x(GX.subjectBins)]: { $in: bins.map((b) => `${subject}|${b}`) } } : { [x(GX.bins)]: { $in: bins } };
  const exact = mode === 'intersect'
    // An insertion is filed as [p, p + 1) (variant-extent.ts), so the overlap test puts it in the
    // range when start <= p < end; the `$or` gives the same for the zero-length loci earlier
    // versions filed, until their Variants are written again.
    ? { a: range.accession, s: { $lt: range.end }, $or: [{ e: { $gt: range.start } }, { s: { $gte: range.start } }] }
    : { a: range.accession, is: { $lte: range.start }, ie: { $gte: range.end } };
  if (variantClass !== 'any') Object.assign(exact, { sv: variantClass === 'structural' ? 1 : { $exists: false } });
  return { ...binClause, ...(subject ? {} : { [x(GX.kind)]: 'variant' }), [x(GX.loci)]: { $elemMatch: exact }, ...PRESENT };
}

/** Index keys a variant input matches: its canonical allele key and/or its exact HGVS text. */
export function variantKeys(v: VariantQuery): string[] {
  const keys: string[] = [];
  if (v.allele) keys.push(...alleleKeys(v.allele));
  if (v.hgvs) keys.push(v.hgvs);
  return keys;
}

export function variantFilter(v: VariantQuery, subject: string | undefined): Filter[] {
  const keys = variantKeys(v);
  if (subject) return [{ [x(GX.subjectVariant)]: { $in: keys.map((k) => `${subject}|${k}`) }, ...PRESENT }];
  // Two selective lookups rather than one `$or`, so each uses its own index.
  const out: Filter[] = [];
  if (v.allele) out.push({ [x(GX.variantKey)]: { $in: alleleKeys(v.allele) }, ...PRESENT });
  if (v.hgvs) out.push({ [x(GX.hgvs)]: v.hgvs, ...PRESENT });
  return out;
}

/**
 * Whether a Variant found by its allele keys states the reference bases the query states. The keys
 * hold the number of deleted bases only (an HGVS `del` without bases matches the same deletion
 * with them), and an insertion's placements in a run (alleleKeys), so `NC_000007.14:55191821:A:G`
 * would otherwise find a stored T>G at that position, and `g.201017687dupT` (base 201017687 is T)
 * a stored C>CT there (it is C): different, and impossible, variants. A query or a Variant that
 * states no bases matches as before.
 */
export function sameDeletedBases(v: VariantQuery, o: Observation): boolean {
  return statedBasesTest(v)(o);
}

/** sameDeletedBases for one query, its keys computed once for every hit. */
function statedBasesTest(v: VariantQuery): (o: Observation) => boolean {
  const q = v.allele;
  if (q?.context === undefined) return () => true;
  const keys = new Set(alleleKeys(q));
  return (o) => {
    let keyed = false;
    for (const a of variantAlleles(o)) {
      if (!alleleKeys(a).some((k) => keys.has(k))) continue;
      keyed = true;
      if (statedBasesAgree(q, a)) return true;
    }
    return !keyed; // found by its HGVS text, not by the allele keys: nothing to compare
  };
}

/** The Variants matching a variant input: `variantFilter`, then `sameDeletedBases` (one hit per resource). */
export async function variantHits(ctx: FhirContext, v: VariantQuery, subject: string | undefined, extra: Filter = {}): Promise<Hit[]> {
  const same = statedBasesTest(v);
  return (await findAny(ctx, 'Observation', variantFilter(v, subject), extra)).filter((h) => same(h.resource));
}

/** `variantHits`' docs; without stated bases to compare, no resource is read. */
export async function variantDocs(ctx: FhirContext, v: VariantQuery, subject: string | undefined, extra: Filter = {}): Promise<IndexedDoc[]> {
  if (v.allele?.context !== undefined) return (await variantHits(ctx, v, subject, extra)).map((h) => h.doc);
  const out: IndexedDoc[] = [];
  for (const f of variantFilter(v, subject)) out.push(...(await findDocs(ctx, 'Observation', { ...f, ...extra })));
  return out;
}

/** Runs several filters and unions the hits by id (stable order: first seen). */
export async function findAny<R extends Resource = Observation>(ctx: FhirContext, type: string, filters: Filter[], extra: Filter = {}): Promise<Hit<R>[]> {
  const seen = new Map<string, Hit<R>>();
  for (const f of filters) {
    for (const h of await find<R>(ctx, type, { ...f, ...extra })) if (!seen.has(h.doc.id)) seen.set(h.doc.id, h);
  }
  return [...seen.values()];
}

export function subjectOf(doc: IndexedDoc): string | undefined {
  return (doc.x[GX.subject] as string[] | undefined)?.[0];
}

export function refOf(doc: IndexedDoc): string {
  return `${doc.t}/${doc.id}`;
}
