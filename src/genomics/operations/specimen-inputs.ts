import type { FhirContext } from '../../fhir/context.js';
import { tokenQueryValues } from './codes.js';
import { GX } from './gx-fields.js';
import { findDocs, x } from './query.js';

/**
 * The Specimen references a `specimenIdentifiers` input stands for. The IG asks for
 * identifiers, yet `$find-study-metadata` answers `specimenId` with the Specimen's reference when
 * it has no identifier (a VCF imported with `specimen=tumorA` points at `Specimen/tumorA`, which
 * may not even exist), and that answer must work as a filter:
 * - `Specimen/{id}` is that reference, and nothing else;
 * - any other value is an identifier (`system|value` or a bare value) of a stored Specimen, and a
 *   bare value that is a valid id also stands for `Specimen/{value}`.
 * What it matches is then limited to the subject's reports and findings by the caller.
 */
const FHIR_ID = /^[A-Za-z0-9\-.]{1,64}$/;

export async function specimenRefs(ctx: FhirContext, values: string[]): Promise<string[]> {
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
  if (identifiers.length) {
    const found = await findDocs(ctx, 'Specimen', { [x(GX.specimenId)]: { $in: identifiers.flatMap(tokenQueryValues) } }, 10_000);
    for (const d of found) refs.add(`Specimen/${d.id}`);
  }
  return [...refs];
}
