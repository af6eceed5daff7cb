/**
 * Smaller views of the complete OpenAPI document for Swagger UI. The complete document (every
 * interaction of all 146 R4 types, ~4 MB) is valid and served at /docs/json, but Swagger UI needs
 * over a minute to render it; the default view holds the genomics types, the resources genomic
 * reports point at, the genomics operations and the system endpoints, and renders in seconds.
 * A view is derived from the complete document only (filter + prune), so it cannot drift either.
 */
type Doc = Record<string, unknown> & { paths: Record<string, Record<string, { tags?: string[] }>>; tags?: Array<{ name: string }>; components?: { schemas?: Record<string, unknown> } };

/** The genomic report flow: what a lab posts and an EHR pulls. Everything else is in /docs/json. */
export const GENOMICS_VIEW_TYPES = ['MolecularSequence', 'Observation', 'DiagnosticReport', 'Patient', 'Specimen', 'ServiceRequest'];

const ANY_RESOURCE = { type: 'object', description: 'Any FHIR R4 resource (see the complete document for each type\'s schema)', required: ['resourceType'], properties: { resourceType: { type: 'string' } } };

function collectRefs(node: unknown, into: Set<string>): void {
  if (Array.isArray(node)) for (const n of node) collectRefs(n, into);
  else if (node && typeof node === 'object') {
    for (const [k, v] of Object.entries(node)) {
      if (k === '$ref' && typeof v === 'string' && v.startsWith('#/components/schemas/')) into.add(v.slice('#/components/schemas/'.length));
      else collectRefs(v, into);
    }
  }
}

export function documentView(full: Doc, keepTags: Set<string>): Doc {
  const fhirTags = new Set((full.tags ?? []).map((t) => t.name));
  const keep = (tag: string | undefined) => !tag || keepTags.has(tag) || !fhirTags.has(tag) || tag === 'Genomics operations' || tag === 'System';
  const paths: Doc['paths'] = {};
  for (const [p, item] of Object.entries(full.paths)) {
    const ops = Object.entries(item).filter(([, op]) => typeof op === 'object' && op !== null && keep(op.tags?.[0]));
    if (ops.length) paths[p] = Object.fromEntries(ops);
  }
  // Swagger UI resolves every schema an operation reaches, recursively; the R4 data types are
  // mutually recursive (Extension, Reference, Identifier…), which stalls the browser for minutes.
  // The view therefore describes bodies one level deep (each element with its FHIR type), derived
  // from the complete schema, which stays at /docs/json.
  const all = full.components?.schemas ?? {};
  const needed = new Set<string>();
  collectRefs(paths, needed);
  const schemas = Object.fromEntries([...needed].sort().map((n) => [n, n === 'ResourceList' ? ANY_RESOURCE : oneLevel(n, all)]));
  return {
    ...full,
    tags: (full.tags ?? []).filter((t) => keep(t.name)),
    paths,
    components: { ...(full.components ?? {}), schemas },
  };
}

type Schema = { type?: string; properties?: Record<string, Schema>; items?: Schema; anyOf?: Schema[]; oneOf?: Schema[]; $ref?: string; const?: unknown; enum?: unknown[]; pattern?: string; required?: string[]; description?: string };

const refName = (r: string | undefined) => r?.slice(r.lastIndexOf('/') + 1);

/** A resource or data type with each element typed by name only: no references to follow. */
function oneLevel(name: string, all: Record<string, unknown>): Schema {
  const def = all[name] as Schema | undefined;
  if (!def?.properties) return { ...(def ?? { type: 'object' }) };
  const element = (s: Schema): Schema => {
    if (s.items) return { type: 'array', items: element(s.items) };
    // The R4 schema spells repeating primitives as `anyOf: [{$ref: canonical}, {type: null}]`:
    // each branch is typed by name too, or the view would point at schemas it does not hold.
    for (const key of ['anyOf', 'oneOf'] as const) if (s[key]) return { ...s, [key]: s[key]!.map(element) };
    const target = refName(s.$ref);
    if (!target) return { ...s };
    const t = all[target] as Schema | undefined;
    if (t && !t.properties && t.type && t.type !== 'object') return { type: t.type, description: `FHIR ${target}`, ...(t.pattern ? { pattern: t.pattern } : {}) };
    return { type: 'object', description: `FHIR ${target === 'ResourceList' ? 'Resource' : target} (see the complete document at /docs/json)` };
  };
  const properties = Object.fromEntries(Object.entries(def.properties).filter(([k]) => !k.startsWith('_')).map(([k, v]) => [k, element(v)]));
  return { type: 'object', description: `FHIR R4 ${name}`, ...(def.required ? { required: def.required } : {}), properties };
}
