/**
 * Reference rewriting inside a transaction (https://hl7.org/fhir/R4/http.html#trules): every
 * `urn:uuid:`/`urn:oid:` or server-relative full URL of an entry is replaced by the `Type/id` the
 * server assigned, and conditional references (`Patient?identifier=…`) by the one resource they
 * match.
 */
const CONDITIONAL = /^[A-Z][A-Za-z]+\?./;

type Json = unknown;

function walk(node: Json, visit: (key: string, value: string, holder: Record<string, Json>) => void): void {
  if (Array.isArray(node)) {
    for (const item of node) walk(item, visit);
  } else if (node && typeof node === 'object') {
    const obj = node as Record<string, Json>;
    for (const [k, v] of Object.entries(obj)) {
      if (typeof v === 'string') visit(k, v, obj);
      else if (v && typeof v === 'object') walk(v, visit);
    }
  }
}

/** Whether a `reference` element of `resource` is one of `urls` (a batch entry naming another entry's fullUrl). */
export function refersToAny(resource: Json, urls: Set<string>, except?: string): string | undefined {
  let hit: string | undefined;
  walk(resource, (k, v) => {
    if (hit === undefined && k === 'reference' && v !== except && urls.has(v)) hit = v;
  });
  return hit;
}

/** Distinct conditional references (`Type?criteria`) found in `reference` elements. */
export function conditionalReferences(resource: Json): string[] {
  const out = new Set<string>();
  walk(resource, (k, v) => {
    if (k === 'reference' && CONDITIONAL.test(v)) out.add(v);
  });
  return [...out];
}

/**
 * Rewrites, in place, every string equal to a key of `map` (`reference` elements and any other
 * element holding a full URL, e.g. `Attachment.url`). Returns the `urn:` references left unresolved.
 */
export function rewriteReferences(resource: Json, map: Map<string, string>): string[] {
  const unresolved: string[] = [];
  walk(resource, (k, v, holder) => {
    const hit = map.get(v);
    // Relative `Type/id` keys only ever apply to `reference` elements; full URLs anywhere.
    if (hit !== undefined && (k === 'reference' || /^(urn|https?):/.test(v))) holder[k] = hit;
    else if (k === 'reference' && /^urn:(uuid|oid):/.test(v)) unresolved.push(v);
    else if (k === 'div' && v.includes('urn:')) holder[k] = narrativeLinks(v, map);
  });
  return unresolved;
}

/**
 * Links to entries in a narrative (`<a href="urn:uuid:…">`), which the server SHALL rewrite as it
 * rewrites references (https://hl7.org/fhir/R4/http.html#trules): attribute values equal to an
 * entry's `urn:` fullUrl become the new `Type/id`.
 */
function narrativeLinks(div: string, map: Map<string, string>): string {
  return div.replace(/(["'])(urn:(?:uuid|oid):[^"']+)\1/g, (whole, q: string, urn: string) => {
    const hit = map.get(urn);
    return hit === undefined ? whole : `${q}${hit}${q}`;
  });
}
