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

let cached: IgPackage | undefined;

function readDir<T>(dir: string): T[] {
  const path = ROOT + dir + '/';
  if (!existsSync(path)) return [];
  return readdirSync(path)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => JSON.parse(readFileSync(path + f, 'utf8')) as T);
}

export function igPackage(): IgPackage {
  if (cached) return cached;
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
  cached = { structureDefinitions, valueSets, codeSystems, answerLists };
  return cached;
}

/** The version of the vendored IG, as canonical references write it (`…/variant|3.0.0`). */
export const IG_VERSION = '3.0.0';

/** `http://…/variant|3.0.0` -> `http://…/variant` (FHIR canonical references may carry a version). */
export function stripVersion(canonical: string): string {
  const bar = canonical.indexOf('|');
  return bar < 0 ? canonical : canonical.slice(0, bar);
}
