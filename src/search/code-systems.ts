import { readFileSync } from 'node:fs';
import { defInfo } from '../validation/element-model.js';
import { parseTerm, termsFor } from './fhirpath-extract.js';

/**
 * The code system a `code` element implies. A `code` carries no system, but when its binding is
 * required to a value set drawn from one code system, that system is the code's
 * (https://hl7.org/fhir/R4/datatypes.html#code): `Patient?gender=http://hl7.org/fhir/administrative-gender|male`
 * must find a Patient with `gender: "male"` (https://hl7.org/fhir/R4/search.html#token). The
 * bindings come from schemas/search/code-systems.json (scripts/generate-code-systems.ts), keyed
 * by StructureDefinition element path; they are looked up once per parameter, when the
 * indexer compiles its plan, so indexing reads no terminology.
 */
let table: Map<string, string> | undefined;

function systems(): Map<string, string> {
  if (!table) {
    const file = new URL('../../schemas/search/code-systems.json', import.meta.url);
    table = new Map(Object.entries(JSON.parse(readFileSync(file, 'utf8')) as Record<string, string>));
  }
  return table;
}

/** Backbone elements have definitions of their own (`Patient_Contact`); data types do not (`ContactPoint`). */
const isBackbone = (type: string) => type.includes('_');

/**
 * The implied system of the element one union term reaches (`Patient.gender`,
 * `Patient.contact.gender` …), or undefined: not a plain path, not a `code`, or no such binding.
 */
export function impliedSystem(term: string, resourceType: string): string | undefined {
  const t = parseTerm(term);
  if (!t || !t.steps.length || t.steps.some((s) => s.kind !== 'field')) return undefined;
  let def = resourceType;
  let path = resourceType;
  for (let i = 0; i < t.steps.length; i++) {
    const name = (t.steps[i] as { name: string }).name;
    const info = defInfo(def)?.props.get(name);
    if (!info) return undefined;
    if (i === t.steps.length - 1) return info.type === 'code' ? systems().get(`${path}.${name}`) : undefined;
    path = isBackbone(info.type) ? `${path}.${name}` : info.type;
    def = info.type;
  }
  return undefined;
}

/** Each union term of `expression` on `resourceType`, with its implied system (see impliedSystem). */
export function termSystems(expression: string, resourceType: string): Array<{ term: string; system: string | undefined }> {
  return termsFor(expression, resourceType).map((term) => ({ term, system: impliedSystem(term, resourceType) }));
}
