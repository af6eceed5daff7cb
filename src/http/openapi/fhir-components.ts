import { readFileSync } from 'node:fs';

/**
 * The R4 JSON Schema definitions (schemas/r4/fhir.schema.json, generated from the official
 * definitions) as OpenAPI `components.schemas`, so request and response bodies are described by
 * reference to one copy instead of inlining the whole R4 schema in every path.
 */
const SCHEMA_URL = new URL('../../../schemas/r4/fhir.schema.json', import.meta.url);

function rewriteRefs(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(rewriteRefs);
  if (node && typeof node === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(node)) {
      out[k] = k === '$ref' && typeof v === 'string' ? v.replace('#/definitions/', '#/components/schemas/') : rewriteRefs(v);
    }
    return out;
  }
  return node;
}

let cached: Record<string, unknown> | undefined;

export function fhirComponentSchemas(): Record<string, unknown> {
  if (!cached) {
    const schema = JSON.parse(readFileSync(SCHEMA_URL, 'utf8')) as { definitions: Record<string, unknown> };
    cached = rewriteRefs(schema.definitions) as Record<string, unknown>;
  }
  return cached;
}

export const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
