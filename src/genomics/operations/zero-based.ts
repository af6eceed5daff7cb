import type { Observation, ObservationComponent, ParametersParameter } from '@medplum/fhirtypes';
import { cloneFhirJson } from '../../fhir/json-decimals.js';
import { raw, res } from './output.js';
import type { Hit } from './query.js';
import { EXACT_START_END, INNER_START_END, OUTER_START_END, REF_ALLELE, startEnd } from './variant-extent.js';

/**
 * The Variants the variant operations answer ($find-subject-variants, -specific-variants and the
 * two structural ones) "must … minimally include … component:coordinate-system (valued with
 * '0-based interval counting')" (the definitions' `variant` output). A Variant stored in
 * 1-based (LA30102-0) or 0-based (LA30101-2) character counting, as the IG's own CYP2C19 and
 * structural examples are, is answered with its exact, outer and inner start-end converted the
 * way the index reads them (variant-extent.ts startEnd), and its coordinate system 0-based
 * interval counting. The stored resource is unchanged (a read or vread answers it as written);
 * 0-based interval Variants, the rest, are spliced in as stored.
 */
const COORDINATE_SYSTEM = '92822-6';
const CHARACTER_COUNTING = ['LA30102-0', 'LA30101-2'];
const LOCATIONS = [EXACT_START_END, OUTER_START_END, INNER_START_END];

export function variantAnswer(name: string, hit: Hit): ParametersParameter {
  // most Variants are 0-based interval already: their JSON does not name the other systems
  if (!CHARACTER_COUNTING.some((c) => hit.json.includes(`"${c}"`))) return raw(name, hit);
  const converted = zeroBasedInterval(hit.resource);
  return converted ? res(name, converted) : raw(name, hit);
}

const isCode = (c: ObservationComponent, code: string) => !!c.code?.coding?.some((x) => x.code === code && (x.system === undefined || x.system === 'http://loinc.org'));

/** A copy of the Variant in 0-based interval counting, or undefined when it is in no character counting system. */
export function zeroBasedInterval(o: Observation): Observation | undefined {
  const coord = o.component?.find((c) => isCode(c, COORDINATE_SYSTEM));
  const system = coord?.valueCodeableConcept?.coding?.map((c) => c.code ?? '').find((c) => CHARACTER_COUNTING.includes(c));
  if (!system) return undefined;
  const copy = cloneFhirJson(o); // keeps the number texts of what is not converted (json-decimals.ts)
  const ref = copy.component!.find((c) => isCode(c, REF_ALLELE))?.valueString;
  for (const c of copy.component!) {
    if (isCode(c, COORDINATE_SYSTEM)) {
      c.valueCodeableConcept = { coding: [{ system: 'http://loinc.org', code: 'LA30100-4', display: '0-based interval counting' }] };
      continue;
    }
    const r = c.valueRange;
    if (!LOCATIONS.some((code) => isCode(c, code)) || r?.low?.value === undefined) continue;
    const { s, e } = startEnd(r.low.value, r.high?.value, system, ref);
    r.low.value = s;
    // the end made explicit: without it a 0-based interval range would span REF from the start
    if (r.high) r.high.value = e;
    else r.high = { value: e };
  }
  return copy;
}
