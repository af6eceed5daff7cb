import { readFileSync } from 'node:fs';
import { igPackage } from '../profiles/ig-package.js';
import { choiceType } from '../../search/fhirpath-extract.js';

/**
 * An extension's value must be of a type its definition allows
 * (https://hl7.org/fhir/R4/extensibility.html#Extension): `observation-secondaryFinding` takes a
 * CodeableConcept, not a string; a complex extension (sub-extensions only) takes no value at all.
 * Known definitions: the core R4 extensions (schemas/r4/extensions.json, generated) and the
 * vendored Genomics Reporting IG's. An extension of another IG is not known here and passes.
 * Where an extension may be used (its context) is not checked.
 */
type Json = Record<string, unknown>;

let table: Map<string, ReadonlySet<string>> | undefined;

function valueTypes(): Map<string, ReadonlySet<string>> {
  if (table) return table;
  const core = JSON.parse(readFileSync(new URL('../../../schemas/r4/extensions.json', import.meta.url), 'utf8')) as { extensions: Record<string, string[]> };
  table = new Map(Object.entries(core.extensions).map(([url, types]) => [url, new Set(types)]));
  for (const sd of igPackage().structureDefinitions.values()) {
    if (sd.type !== 'Extension') continue;
    const value = sd.snapshot?.element?.find((e) => e.id === 'Extension.value[x]');
    if (value) table.set(sd.url, new Set(value.max === '0' ? [] : (value.type ?? []).map((t) => t.code)));
  }
  return table;
}

/** `CodeableConcept` stays, `Code` → `code`: a choice key's type as ElementDefinition.type.code spells it. */
function typeCode(t: string, allowed: ReadonlySet<string>): string {
  return allowed.has(t) ? t : t.charAt(0).toLowerCase() + t.slice(1);
}

/** What is wrong with the value of extension `ext` (and its key), or undefined (unknown url, or nothing wrong). */
export function extensionProblem(ext: Json): { message: string; key: string } | undefined {
  const url = ext.url;
  if (typeof url !== 'string') return undefined;
  const allowed = valueTypes().get(url);
  if (!allowed) return undefined;
  for (const key in ext) {
    const t = choiceType(key, 'value'); // valueCodeableConcept → CodeableConcept
    if (t === undefined) continue;
    if (!allowed.size) return { key, message: `takes no value (${url} is made of sub-extensions)` };
    if (!allowed.has(typeCode(t, allowed))) return { key, message: `must be of type ${[...allowed].join(' or ')} (${url})` };
  }
  return undefined;
}
