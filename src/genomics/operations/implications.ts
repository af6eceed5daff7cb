import type { FhirContext } from '../../fhir/context.js';
import { tokenQueryValues } from './codes.js';
import { GX, type GenomicKind } from './gx-fields.js';
import { type GenomicRange, type VariantQuery, parseRange, parseVariant } from './inputs.js';
import type { OperationInputs } from './params.js';
import type { IndexedDoc } from '../../storage/types.js';
import { type Filter, findDocs, kindFilter, rangeFilter, refOf, subjectOf, variantDocs, x } from './query.js';
import { STANDING } from './standing.js';

/**
 * Shared body of the implication and consequence operations (tx, dx, molecular consequence;
 * subject and population): implications of a kind, optionally only those resting on given
 * variants / ranges / haplotypes (through `derivedFrom`, also via a Genotype or Haplotype that is
 * itself derived from a matching Variant), and only those about given treatments, conditions or
 * feature consequences.
 */
export interface ImplicationQuery {
  kind: Extract<GenomicKind, 'tx' | 'dx' | 'mc'>;
  subject?: string;
  variants: VariantQuery[];
  ranges: GenomicRange[];
  haplotypes: string[];
  treatments: string[];
  conditions: string[];
  consequences: string[];
  clauses: Filter[];
}

export function implicationQuery(inputs: OperationInputs, kind: ImplicationQuery['kind'], subject: string | undefined, clauses: Filter[]): ImplicationQuery {
  const known = (n: string) => inputs.def.parameter?.some((p) => p.name === n && p.use === 'in');
  const list = (n: string) => (known(n) ? inputs.strings(n) : []);
  return {
    kind,
    subject,
    variants: list('variants').map((v) => parseVariant(v)),
    ranges: list('ranges').map((r) => parseRange(r)),
    haplotypes: list('haplotypes'),
    treatments: list('treatments'),
    conditions: list('conditions'),
    consequences: list('featureConsequences'),
    clauses,
  };
}

/**
 * What selects the implications: a filter, and a test of each match. When the question names a
 * basis (variants, ranges, haplotypes), an implication matches through a basis finding about its
 * own subject only ("a patient meets numerator criteria if they have at least one implication
 * matching", IG population operations): `derivedFrom` is whatever its writer typed, and another
 * patient's Variant is no finding of this patient's, as the subject operations already answer
 * (their basis is the subject's own). The filter alone cannot say it (it would compare two fields).
 */
export interface ImplicationSelection {
  filter: Filter;
  keep: (doc: IndexedDoc) => boolean;
}

/** The selection of the implications, or undefined when none can match. */
export async function implicationFilter(ctx: FhirContext, q: ImplicationQuery): Promise<ImplicationSelection | undefined> {
  const filter: Filter = { ...kindFilter(q.kind, q.subject), ...STANDING };
  const and: Filter[] = [...q.clauses];
  let keep: ImplicationSelection['keep'] = () => true;
  if (q.variants.length || q.ranges.length || q.haplotypes.length) {
    const basis = await basisRefs(ctx, q);
    if (!basis.size) return undefined;
    and.push({ [x(GX.derivedFrom)]: { $in: [...basis.keys()] } });
    keep = (d) => {
      const subject = subjectOf(d);
      return ((d.x[GX.derivedFrom] as string[] | undefined) ?? []).some((r) => basis.has(r) && basis.get(r) === subject);
    };
  }
  if (q.treatments.length) and.push({ [x(GX.treatment)]: { $in: q.treatments.flatMap(tokenQueryValues) } });
  if (q.conditions.length) and.push({ [x(GX.condition)]: { $in: q.conditions.flatMap(tokenQueryValues) } });
  if (q.consequences.length) and.push({ [x(GX.consequence)]: { $in: q.consequences.flatMap(tokenQueryValues) } });
  if (and.length) filter.$and = and;
  return { filter, keep };
}

/** The findings a question names, each with its subject: Variants, and the Haplotypes/Genotypes named or derived from those Variants (the same subject's). */
async function basisRefs(ctx: FhirContext, q: ImplicationQuery): Promise<Map<string, string | undefined>> {
  const refs = new Map<string, string | undefined>();
  const variantRefs: string[] = [];
  const add = (d: IndexedDoc, isVariant: boolean) => {
    const ref = refOf(d);
    if (!refs.has(ref) && isVariant) variantRefs.push(ref);
    refs.set(ref, subjectOf(d));
  };
  for (const v of q.variants) for (const d of await variantDocs(ctx, v, q.subject)) add(d, true);
  for (const r of q.ranges) for (const d of await findDocs(ctx, 'Observation', rangeFilter(r, 'intersect', q.subject))) add(d, true);
  const hapKinds = { ...(q.subject ? { [x(GX.subjectKind)]: { $in: [`${q.subject}|haplotype`, `${q.subject}|genotype`] } } : { [x(GX.kind)]: { $in: ['haplotype', 'genotype'] } }), ...STANDING };
  if (q.haplotypes.length) {
    for (const d of await findDocs(ctx, 'Observation', { ...hapKinds, [x(GX.haplotype)]: { $in: q.haplotypes.flatMap(tokenQueryValues) } })) add(d, false);
  }
  if (variantRefs.length) {
    // a Haplotype or Genotype stands on a matching Variant of its own subject only
    const variantSubjects = new Map(variantRefs.map((r) => [r, refs.get(r)]));
    for (const d of await findDocs(ctx, 'Observation', { ...hapKinds, [x(GX.derivedFrom)]: { $in: variantRefs } })) {
      const own = ((d.x[GX.derivedFrom] as string[] | undefined) ?? []).some((r) => variantSubjects.has(r) && variantSubjects.get(r) === subjectOf(d));
      if (own && !refs.has(refOf(d))) add(d, false);
    }
  }
  return refs;
}
