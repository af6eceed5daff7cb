import { readFileSync } from 'node:fs';
import { igPackage } from '../profiles/ig-package.js';
import { choiceType } from '../../search/fhirpath-extract.js';

/**
 * An extension's value must be of a type its definition allows
 * (https://hl7.org/fhir/R4/extensibility.html#Extension): `observation-secondaryFinding` takes a
 * CodeableConcept, not a string; a complex extension (sub-extensions only) takes no value at all.
 * Known definitions: the core R4 extensions (schemas/r4/extensions.json, generated) and the
 * vendored Genomics Reporting IG's. An extension of another IG is not known here and passes.
 * Where an extension may be used (its context) is checked by ./extension-context.ts, from the
 * same definitions.
 */
type Json = Record<string, unknown>;

/** Where a known extension may be used (StructureDefinition.context), parsed once. */
export interface ExtensionContexts {
  /** `element` contexts: element ids (`Observation.component`), data types (`CodeableConcept`), `Element`. */
  elements: readonly string[];
  /** `extension` contexts: urls of the extensions this one may sit in. */
  extensions: readonly string[];
  /** A `fhirpath` context: not evaluated here, so the extension is accepted anywhere. */
  fhirpath: boolean;
  /** The contexts as the definition writes them, for messages. */
  label: string;
  /** Static answers of the clean check, per definition (extension-context.ts). */
  byDef: Map<string, boolean>;
}

export interface KnownExtension {
  /** The types value[x] allows; empty: a complex extension, no value. */
  types: ReadonlySet<string>;
  /** undefined: the definition states no context (nothing to check). */
  contexts: ExtensionContexts | undefined;
}

let table: Map<string, KnownExtension> | undefined;

/** `Observation`, `extension http://…`, `fhirpath …` (the generated file's spelling) → contexts. */
function parseContexts(written: readonly string[]): ExtensionContexts | undefined {
  if (!written.length) return undefined;
  const elements: string[] = [];
  const extensions: string[] = [];
  let fhirpath = false;
  for (const c of written) {
    const space = c.indexOf(' ');
    const type = space < 0 ? 'element' : c.slice(0, space);
    const expression = space < 0 ? c : c.slice(space + 1);
    if (type === 'element') elements.push(expression);
    else if (type === 'extension') extensions.push(expression);
    else fhirpath = true;
  }
  return { elements, extensions, fhirpath, label: written.join(', '), byDef: new Map() };
}

export function knownExtensions(): Map<string, KnownExtension> {
  if (table) return table;
  const core = JSON.parse(readFileSync(new URL('../../../schemas/r4/extensions.json', import.meta.url), 'utf8')) as { extensions: Record<string, { value: string[]; context: string[] }> };
  table = new Map(Object.entries(core.extensions).map(([url, e]) => [url, { types: new Set(e.value), contexts: parseContexts(e.context) }]));
  for (const sd of igPackage().structureDefinitions.values()) {
    if (sd.type !== 'Extension') continue;
    const value = sd.snapshot?.element?.find((e) => e.id === 'Extension.value[x]');
    if (!value) continue;
    const contexts = parseContexts((sd.context ?? []).map((c) => (c.type === 'element' ? c.expression! : `${c.type} ${c.expression}`)));
    table.set(sd.url, { types: new Set(value.max === '0' ? [] : (value.type ?? []).map((t) => t.code)), contexts });
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
  const allowed = knownExtensions().get(url)?.types;
  if (!allowed) return undefined;
  for (const key in ext) {
    const t = choiceType(key, 'value'); // valueCodeableConcept → CodeableConcept
    if (t === undefined) continue;
    if (!allowed.size) return { key, message: `takes no value (${url} is made of sub-extensions)` };
    if (!allowed.has(typeCode(t, allowed))) return { key, message: `must be of type ${[...allowed].join(' or ')} (${url})` };
  }
  return undefined;
}
