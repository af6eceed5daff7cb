import type { Specimen } from '@medplum/fhirtypes';
import { canSee, mayReadType, patientRestriction } from '../../auth/authorize.js';
import type { AuthContext, FhirContext } from '../../fhir/context.js';
import { compartmentFilter } from '../../search/compartment.js';
import { tokenQueryValues } from './codes.js';
import { GX } from './gx-fields.js';
import { type Filter, find, x } from './query.js';

/**
 * The Specimen references a `specimenIdentifiers` input stands for. The IG asks for
 * identifiers, yet `$find-study-metadata` answers `specimenId` with the Specimen's reference when
 * it has no identifier (a VCF imported with `specimen=tumorA` points at `Specimen/tumorA`, which
 * may not even exist), and that answer must work as a filter:
 * - `Specimen/{id}` is that reference, and nothing else;
 * - any other value is an identifier (`system|value` or a bare value) of a stored Specimen, and a
 *   bare value that is a valid id also stands for `Specimen/{value}`.
 * What it matches is then limited to the subject's reports and findings by the caller.
 *
 * The identifier lookup reads Specimens, so it finds only those the caller may see (a read right
 * on Specimen; for a patient-level token, its own compartment): a record may name another
 * patient's Specimen (references are whatever their writer typed), and matching it by identifier
 * would tell its identifier, one guess at a time, by the subject's report being filtered in. The
 * references themselves are the subject's reports' content, matched as they are.
 */
const FHIR_ID = /^[A-Za-z0-9\-.]{1,64}$/;

export async function specimenRefs(ctx: FhirContext, auth: AuthContext | undefined, values: string[]): Promise<string[]> {
  const refs = new Set<string>();
  const identifiers: string[] = [];
  for (const v of values) {
    const m = /^Specimen\/([A-Za-z0-9\-.]{1,64})$/.exec(v);
    if (m) {
      refs.add(v);
      continue;
    }
    identifiers.push(v);
    if (FHIR_ID.test(v)) refs.add(`Specimen/${v}`);
  }
  // (a caller without Specimen rights is refused the input before it gets here: filter-rights.ts)
  if (identifiers.length && mayReadType(auth, 'Specimen')) {
    const filter: Filter = { [x(GX.specimenId)]: { $in: identifiers.flatMap(tokenQueryValues) } };
    // in the query, so that the bound counts visible Specimens only; canSee then decides exactly, as a read would
    const patient = patientRestriction(auth);
    if (patient !== undefined) filter.$and = [compartmentFilter('Specimen', { resourceType: 'Patient', id: patient })];
    for (const h of await find<Specimen>(ctx, 'Specimen', filter, 10_000)) {
      if (canSee(auth, h.resource)) refs.add(`Specimen/${h.doc.id}`);
    }
  }
  return [...refs];
}
