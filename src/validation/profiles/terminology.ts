import type { CodeSystemConcept } from '@medplum/fhirtypes';
import { igPackage, stripVersion } from './ig-package.js';
import { splitKeys } from './system-code.js';

/**
 * Membership tests for required bindings (https://hl7.org/fhir/R4/terminologies.html#required),
 * compiled once per value set from the vendored ValueSets and CodeSystems.
 *
 * What can be expanded is expanded exactly: explicit concept lists, and whole IG CodeSystems.
 * What cannot (a filter on, or all of, an external system such as HGVS, Sequence Ontology, HGNC;
 * LOINC answer lists the package does not ship) is checked by code system only: a coding in that
 * system is accepted, a coding from another system is not. `exclude` is not applied.
 */
export type Membership = 'member' | 'not-member' | 'unknown';

export interface ValueSetCheck {
  url: string;
  has(system: string | undefined, code: string | undefined): Membership;
  /** Human summary used in diagnostics. */
  describe: string;
}

const LOINC = 'http://loinc.org';
const compiled = new Map<string, ValueSetCheck | null>();

function flatten(concepts: CodeSystemConcept[] | undefined, out: Set<string>): void {
  for (const c of concepts ?? []) {
    out.add(c.code);
    flatten(c.concept, out);
  }
}

function compile(url: string): ValueSetCheck | null {
  const ig = igPackage();
  const exact = new Set<string>(); // `system|code`
  const anyCode = new Set<string>(); // systems accepted without expansion
  const answerList = ig.answerLists.get(url);
  if (answerList) {
    for (const code of answerList) exact.add(`${LOINC}|${code}`);
  } else if (url.startsWith(`${LOINC}/vs/LL`)) {
    anyCode.add(LOINC);
  } else {
    const vs = ig.valueSets.get(url);
    if (!vs) return null;
    for (const inc of vs.compose?.include ?? []) {
      if (!inc.system) continue;
      if (inc.concept?.length) {
        for (const c of inc.concept) exact.add(`${inc.system}|${c.code}`);
      } else if (!inc.filter?.length && ig.codeSystems.get(inc.system)?.content === 'complete') {
        const codes = new Set<string>();
        flatten(ig.codeSystems.get(inc.system)?.concept, codes);
        for (const code of codes) exact.add(`${inc.system}|${code}`);
      } else {
        anyCode.add(inc.system);
      }
    }
  }
  const systems = [...new Set([...exact].map((k) => k.slice(0, k.lastIndexOf('|'))))];
  // system -> codes, when every key splits at exactly one '|' (then the same membership, without building a key per lookup).
  const bySystem = splitKeys(new Map([...exact].map((k) => [k, true])));
  const describe = [
    exact.size ? `${exact.size} enumerated codes from ${systems.join(', ')}` : '',
    anyCode.size ? `any code from ${[...anyCode].join(', ')} (not expanded: system checked only)` : '',
  ]
    .filter(Boolean)
    .join('; ');
  return {
    url,
    describe,
    has(system, code) {
      if (!code) return 'not-member';
      if (system === undefined) {
        // A bare `code` element: any enumerated code matches, whatever its system.
        for (const k of exact) if (k.endsWith(`|${code}`)) return 'member';
        return anyCode.size ? 'unknown' : 'not-member';
      }
      if (bySystem ? bySystem.get(system)?.has(code) : exact.has(`${system}|${code}`)) return 'member';
      if (anyCode.has(system)) return url.startsWith(`${LOINC}/vs/`) && !/^LA\d+-\d$/.test(code) ? 'not-member' : 'unknown';
      return 'not-member';
    },
  };
}

/** The check for a value set URL, or undefined when the URL is neither vendored nor a LOINC list. */
export function valueSetCheck(valueSet: string): ValueSetCheck | undefined {
  const url = stripVersion(valueSet);
  if (!compiled.has(url)) compiled.set(url, compile(url));
  return compiled.get(url) ?? undefined;
}
