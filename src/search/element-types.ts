import { defInfo } from '../validation/element-model.js';
import { parseTerm, sameType, termsFor } from './fhirpath-extract.js';

/**
 * The FHIR types a SearchParameter expression reaches on a resource type, read from the R4
 * element model (schemas/r4/element-model.json): what a modifier that applies to one type only
 * (`:of-type`, Identifier tokens: search.html#token) is checked against when the search is
 * compiled, not after it matched nothing.
 */

/** The types one union term reaches, or undefined when the term leaves the model or the fast path's syntax. */
export function termTypes(term: string, resourceType: string): string[] | undefined {
  const t = parseTerm(term);
  if (!t) return undefined;
  let types = [t.root === 'Resource' || t.root === 'DomainResource' ? resourceType : t.root];
  for (const step of t.steps) {
    if (step.kind === 'field') {
      const next: string[] = [];
      for (const type of types) {
        const def = defInfo(type);
        if (!def) return undefined;
        const info = def.props.get(step.name);
        if (info) next.push(info.type);
        else {
          // a choice element: value[x] is valueQuantity, valueString … in the model
          const members = def.choices.find(([prefix]) => prefix === step.name)?.[1];
          if (!members) return undefined;
          for (const m of members) {
            const mi = def.props.get(m);
            if (mi) next.push(mi.type);
          }
        }
      }
      types = [...new Set(next)];
    } else if (step.kind === 'as') {
      types = types.filter((x) => sameType(x, step.type));
    }
    // where(…), [n] and where(resolve() is T) keep the element's type
  }
  return types;
}

/** mayReachType's answers (bounded: the definitions' parameters times types times the few element types asked). */
const reached = new Map<string, boolean>();

/**
 * Whether `expression` may reach an element of type `type` on `resourceType`: true when one of
 * its terms does, or when a term cannot be read here (an extension, a function the model walk
 * does not follow), so that only a parameter known not to reach it is refused.
 */
export function mayReachType(expression: string, resourceType: string, type: string): boolean {
  // asked at every compile of a search using such a modifier; the answer depends on the definitions only
  const key = `${resourceType}\u0000${type}\u0000${expression}`;
  let hit = reached.get(key);
  if (hit === undefined) {
    hit = termsFor(expression, resourceType).some((term) => {
      const types = termTypes(term, resourceType);
      return types === undefined || types.includes(type);
    });
    reached.set(key, hit);
  }
  return hit;
}
