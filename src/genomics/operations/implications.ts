import type { FhirContext } from '../../fhir/context.js';
import { tokenQueryValues } from './codes.js';
import { GX, type GenomicKind } from './gx-fields.js';
import { type GenomicRange, type VariantQuery, parseRange, parseVariant } from './inputs.js';
import type { OperationInputs } from './params.js';
import { type Filter, findDocs, kindFilter, rangeFilter, refOf, variantDocs, x } from './query.js';
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

/** The MongoDB-style filter selecting the implications, or undefined when none can match. */
export async function implicationFilter(ctx: FhirContext, q: ImplicationQuery): Promise<Filter | undefined> {
  const filter: Filter = { ...kindFilter(q.kind, q.subject), ...STANDING };
  const and: Filter[] = [...q.clauses];
  if (q.variants.length || q.ranges.length || q.haplotypes.length) {
    const basis = await basisRefs(ctx, q);
    if (!basis.length) return undefined;
    and.push({ [x(GX.derivedFrom)]: { $in: basis } });
  }
  if (q.treatments.length) and.push({ [x(GX.treatment)]: { $in: q.treatments.flatMap(tokenQueryValues) } });
  if (q.conditions.length) and.push({ [x(GX.condition)]: { $in: q.conditions.flatMap(tokenQueryValues) } });
  if (q.consequences.length) and.push({ [x(GX.consequence)]: { $in: q.consequences.flatMap(tokenQueryValues) } });
  if (and.length) filter.$and = and;
  return filter;
}

async function basisRefs(ctx: FhirContext, q: ImplicationQuery): Promise<string[]> {
  const refs = new Set<string>();
  const variantRefs: string[] = [];
  const add = (ref: string, isVariant: boolean) => {
    if (!refs.has(ref) && isVariant) variantRefs.push(ref);
    refs.add(ref);
  };
  for (const v of q.variants) for (const d of await variantDocs(ctx, v, q.subject)) add(refOf(d), true);
  for (const r of q.ranges) for (const d of await findDocs(ctx, 'Observation', rangeFilter(r, 'intersect', q.subject))) add(refOf(d), true);
  const hapKinds = { ...(q.subject ? { [x(GX.subjectKind)]: { $in: [`${q.subject}|haplotype`, `${q.subject}|genotype`] } } : { [x(GX.kind)]: { $in: ['haplotype', 'genotype'] } }), ...STANDING };
  if (q.haplotypes.length) {
    for (const d of await findDocs(ctx, 'Observation', { ...hapKinds, [x(GX.haplotype)]: { $in: q.haplotypes.flatMap(tokenQueryValues) } })) add(refOf(d), false);
  }
  if (variantRefs.length) {
    for (const d of await findDocs(ctx, 'Observation', { ...hapKinds, [x(GX.derivedFrom)]: { $in: variantRefs } })) add(refOf(d), false);
  }
  return [...refs];
}
