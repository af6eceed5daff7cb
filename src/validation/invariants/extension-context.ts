import { defInfo, definitionNames } from '../element-model.js';
import { isResourceType } from '../resource-types.js';
import { extensionsFile, knownExtensions, type ExtensionContexts } from './extensions.js';

/**
 * Where a known extension may be used (https://hl7.org/fhir/R4/extensibility.html#context,
 * StructureDefinition.context): a validator such as HAPI refuses `repeat-motif-order` (context
 * Observation.component) on the Observation itself. A context of type
 * - `element` names an element id (`Observation`, `Observation.component`, `Patient.birthDate`),
 *   a type (`CodeableConcept`, `string`, `BackboneElement`: wherever it occurs, its
 *   specialisations included: `Quantity` admits an Age, `string` a code) or `Element` (anywhere);
 *   `Resource` / `DomainResource` admit the root of any (domain) resource;
 * - `extension` names the extension this one may sit in;
 * - `fhirpath` is not evaluated here: such an extension is accepted anywhere (so is every
 *   contextInvariant: not evaluated).
 *
 * The element holding the extension is a Site: its element id, derived from the element model
 * (a backbone definition reused by contentReference keeps the id of the element that reuses it:
 * a nested Questionnaire item is `Questionnaire.item.item` at any depth, as its ElementDefinition
 * is), its type and that type's bases. An extension on a primitive (`_status`) has the primitive
 * element as its site. A contained resource is its own root. A context path that crosses a data
 * type (`StructureDefinition.snapshot.element.binding.valueSet`: binding is inside the
 * ElementDefinition type) is matched against the instance path, which only the walk has.
 */
export interface Site {
  /** What an `element` context may name to admit an extension here. */
  ids: ReadonlySet<string>;
  /** The element id, for messages. */
  label: string;
  /** The holder is itself an Extension (`extension` contexts apply). */
  isExtension: boolean;
  /** The holder sits inside a data type: its path from the resource is known only from the instance. */
  inType: boolean;
}

type Json = Record<string, unknown>;

let bases: Record<string, string> | undefined;

function baseOf(type: string): string | undefined {
  bases ??= extensionsFile().bases;
  if (type in bases) return bases[type];
  if (type === 'Element' || type === 'Resource') return undefined;
  return isResourceType(type) ? 'DomainResource' : 'Element';
}

/** The type and its bases: Age, Quantity, Element. */
function chain(type: string): string[] {
  const out = [type];
  for (let t = baseOf(type); t !== undefined; t = baseOf(t)) out.push(t);
  return out;
}

let paths: Map<string, string> | undefined;

/**
 * The element id of each backbone definition (`Observation_Component` → `Observation.component`,
 * `Timing_Repeat` → `Timing.repeat`): the first element of that type in document order, from each
 * resource and data type, which is the one a contentReference points at.
 */
function pathOf(def: string): string {
  if (!paths) {
    const found = new Map<string, string>();
    const visit = (name: string, path: string) => {
      found.set(name, path);
      for (const [prop, info] of defInfo(name)!.props) {
        if (info.type.includes('_') && !found.has(info.type) && defInfo(info.type)) visit(info.type, `${path}.${prop}`);
      }
    };
    for (const name of definitionNames()) if (!name.includes('_')) visit(name, name);
    paths = found;
  }
  return paths.get(def) ?? def;
}

const rootSites = new Map<string, Site>();

/** The site of a resource's root. */
export function rootSite(resourceType: string): Site {
  let site = rootSites.get(resourceType);
  if (!site) {
    site = { ids: new Set([...chain(resourceType), 'Element']), label: resourceType, isExtension: false, inType: false };
    rootSites.set(resourceType, site);
  }
  return site;
}

/** The site of element `name` (a JSON name: `status`, `valueQuantity`) of definition `owner`. Not cached: callers keep it. */
export function elementSite(owner: string, name: string): Site {
  const def = defInfo(owner)!;
  const info = def.props.get(name)!;
  const path = pathOf(owner);
  const dot = path.indexOf('.');
  const root = dot < 0 ? path : path.slice(0, dot);
  const inner = dot < 0 ? '' : path.slice(dot);
  const prefix = def.choiceOf.get(name);
  const ids = new Set<string>(['Element']);
  for (const b of chain(root)) {
    ids.add(`${b}${inner}.${name}`);
    if (prefix !== undefined) ids.add(`${b}${inner}.${prefix}[x]`);
  }
  const inResource = isResourceType(root);
  if (info.type.includes('_')) {
    if (inResource) ids.add('BackboneElement'); // a data type's parts are Elements (R4)
  } else {
    for (const t of chain(info.type)) ids.add(t);
  }
  return { ids, label: `${path}.${name}`, isExtension: info.type === 'Extension', inType: !inResource };
}

/**
 * Sites by definition, made for a definition when first asked: one scan of the model each, for
 * the few definitions an import meets. Made for every definition at once, they were 5 MB of Sets
 * and labels kept in every thread that validates (each prepare worker), most never read, and a
 * thread's live heap sets how far V8 lets its garbage grow before collecting.
 */
const defSites = new Map<string, Site[]>();

/** How many definitions have their sites made (tests: only those met, not the whole model). */
export function siteDefinitionsMade(): number {
  return defSites.size;
}

/** Every site an object of definition `def` can hold (a resource: its root only; nested resources are validated on their own). */
function sitesOf(def: string): Site[] {
  if (isResourceType(def)) return [rootSite(def)];
  let list = defSites.get(def);
  if (!list) {
    list = [];
    for (const owner of definitionNames()) {
      for (const [name, info] of defInfo(owner)!.props) if (info.type === def) list.push(elementSite(owner, name));
    }
    defSites.set(def, list);
  }
  return list;
}

function elementAllowed(c: ExtensionContexts, site: Site): boolean {
  for (let i = 0; i < c.elements.length; i++) if (site.ids.has(c.elements[i])) return true;
  return false;
}

function allowedAt(c: ExtensionContexts, site: Site, holder: Json, route: (() => string) | undefined): boolean {
  if (c.fhirpath || elementAllowed(c, site)) return true;
  if (site.isExtension && c.extensions.length && c.extensions.includes(holder.url as string)) return true;
  if (site.inType && route && c.elements.includes(route())) return true;
  return false;
}

/** The contexts of a known extension that states some, else undefined. */
function contextsOf(ext: unknown): ExtensionContexts | undefined {
  if (ext === null || typeof ext !== 'object') return undefined;
  const url = (ext as Json).url;
  return typeof url === 'string' ? knownExtensions().get(url)?.contexts : undefined;
}

/**
 * The walk's check of one extension held by `holder` at `site`: what its definition allows, when
 * that is not here. `route`: the holder's path from the resource without indexes (asked only for a
 * holder inside a data type).
 */
export function contextProblem(ext: unknown, holder: Json, site: Site, route: () => string): string | undefined {
  const c = contextsOf(ext);
  if (!c || allowedAt(c, site, holder, route)) return undefined;
  return `the extension ${(ext as Json).url as string} is not allowed on ${site.label}: its definition allows it on ${c.label}`;
}

/**
 * The clean check's answer for the extensions of an object of definition `def`, which it sees
 * without knowing where the object sits: true when each is allowed at every site such an object
 * can hold (or in the holding extension). False sends the resource the layered way, where the walk
 * knows the site.
 */
export function extensionsPlacedInDef(exts: unknown, holder: Json, def: string): boolean {
  if (!Array.isArray(exts)) return true;
  for (let i = 0; i < exts.length; i++) {
    const c = contextsOf(exts[i]);
    if (!c || c.fhirpath) continue;
    let everywhere = c.byDef.get(def);
    if (everywhere === undefined) {
      everywhere = sitesOf(def).every((s) => elementAllowed(c, s));
      c.byDef.set(def, everywhere);
    }
    if (everywhere) continue;
    if (def === 'Extension' && c.extensions.includes(holder.url as string)) continue;
    return false;
  }
  return true;
}

/**
 * A backbone definition that several elements reuse (Questionnaire_Item: Questionnaire.item and
 * Questionnaire.item.item; ValueSet_Include: compose.include and compose.exclude), whose
 * extensions the clean check therefore checks where it knows which element holds them.
 */
export function sharedBackbone(def: string): boolean {
  return def.includes('_') && sitesOf(def).length > 1;
}

function placed(exts: unknown, site: Site): boolean {
  if (!Array.isArray(exts)) return true;
  for (let i = 0; i < exts.length; i++) {
    const c = contextsOf(exts[i]);
    if (c && !c.fhirpath && !elementAllowed(c, site)) return false;
  }
  return true;
}

/**
 * The clean check's answer for the extensions of the value of an element whose site it knows: a
 * primitive's (`_status`: an Element, or an array of them with nulls), or a shared backbone's.
 */
export function extensionsPlacedAt(v: unknown, site: Site): boolean {
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) if (!extensionsPlacedAt(v[i], site)) return false;
    return true;
  }
  if (v === null || typeof v !== 'object') return true;
  return placed((v as Json).extension, site) && placed((v as Json).modifierExtension, site);
}
