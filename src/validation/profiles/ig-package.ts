import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { CodeSystem, StructureDefinition, ValueSet } from '@medplum/fhirtypes';

/**
 * The vendored Genomics Reporting IG 3.0.0 conformance resources (schemas/genomics/, written by
 * `npm run vendor:ig`), indexed by canonical URL. Read once, on first use.
 */
const ROOT = fileURLToPath(new URL('../../../schemas/genomics/', import.meta.url));

export const IG_CANONICAL = 'http://hl7.org/fhir/uv/genomics-reporting';

export interface IgPackage {
  structureDefinitions: Map<string, StructureDefinition>;
  valueSets: Map<string, ValueSet>;
  codeSystems: Map<string, CodeSystem>;
  /** LOINC answer lists kept by hand (schemas/genomics/supplement/): url -> codes. */
  answerLists: Map<string, Set<string>>;
}

/**
 * The package (about 2.3 MB of parsed JSON) is read to compile a profile, a value set or the
 * extension table, each compiled once and cached where it is used; none of them refers back to
 * it. So it is held weakly, read again (tens of milliseconds) by a compile that finds it
 * collected, and what is asked of it per resource (which canonical URLs it defines, and their
 * types) is kept apart: a prepare worker does not keep the whole package for the few profiles it
 * compiled, and a thread's live heap sets how far V8 lets its garbage grow (src/prepare/pool.ts).
 */
let cached: WeakRef<IgPackage> | undefined;
/** url -> type of every vendored StructureDefinition. */
let types: Map<string, string> | undefined;
/** Reads of the package (tests). */
export const igPackageStats = { loads: 0 };

function readDir<T>(dir: string): T[] {
  const path = ROOT + dir + '/';
  if (!existsSync(path)) return [];
  return readdirSync(path)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => JSON.parse(readFileSync(path + f, 'utf8')) as T);
}

export function igPackage(): IgPackage {
  const known = cached?.deref();
  if (known) return known;
  igPackageStats.loads++;
  const structureDefinitions = new Map<string, StructureDefinition>();
  for (const sd of readDir<StructureDefinition>('structure-definitions')) structureDefinitions.set(sd.url, sd);
  const valueSets = new Map<string, ValueSet>();
  const codeSystems = new Map<string, CodeSystem>();
  for (const r of readDir<ValueSet | CodeSystem>('terminology')) {
    if (r.resourceType === 'ValueSet' && r.url) valueSets.set(r.url, r);
    if (r.resourceType === 'CodeSystem' && r.url) codeSystems.set(r.url, r);
  }
  const answerLists = new Map<string, Set<string>>();
  const supplement = ROOT + 'supplement/loinc-answer-lists.json';
  if (existsSync(supplement)) {
    const lists = JSON.parse(readFileSync(supplement, 'utf8')) as Record<string, { codes?: string[] }>;
    for (const [url, list] of Object.entries(lists)) if (list.codes) answerLists.set(url, new Set(list.codes));
  }
  const read = { structureDefinitions, valueSets, codeSystems, answerLists };
  cached = new WeakRef(read);
  types ??= new Map([...structureDefinitions].map(([url, sd]) => [url, sd.type]));
  return read;
}

/** The type a vendored StructureDefinition constrains (canonical URL without version), undefined for any other URL. */
export function igDefinitionType(url: string): string | undefined {
  if (!types) igPackage();
  return types!.get(url);
}

let concrete: Map<string, string[]> | undefined;

/**
 * The IG's concrete resource profiles on `type` (not abstract, as `meta.profile` claims them), in
 * URL order: the CapabilityStatement's `supportedProfile`, each one a claim is validated against.
 */
export function igResourceProfiles(type: string): string[] {
  if (!concrete) {
    concrete = new Map();
    for (const sd of [...igPackage().structureDefinitions.values()].sort((a, b) => (a.url < b.url ? -1 : 1))) {
      if (sd.kind !== 'resource' || sd.abstract || sd.derivation !== 'constraint') continue;
      concrete.set(sd.type, [...(concrete.get(sd.type) ?? []), sd.url]);
    }
  }
  return concrete.get(type) ?? [];
}

/** Tests: as if the weakly held package had been collected (what was compiled from it stays). */
export function forgetIgPackage(): void {
  cached = undefined;
}

/** The version of the vendored IG, as canonical references write it (`…/variant|3.0.0`). */
export const IG_VERSION = '3.0.0';

/** `http://…/variant|3.0.0` -> `http://…/variant` (FHIR canonical references may carry a version). */
export function stripVersion(canonical: string): string {
  const bar = canonical.indexOf('|');
  return bar < 0 ? canonical : canonical.slice(0, bar);
}
