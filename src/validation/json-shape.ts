import type { Issue } from '../fhir/outcome.js';

/**
 * Parse-level sanity (DESIGN.md, validation layer 1), run before anything else looks at a body:
 * keys that could reach an object prototype (`__proto__`, `constructor`, `prototype`) and
 * nesting deeper than any real FHIR resource. FHIR JSON has no free-form maps
 * (https://hl7.org/fhir/R4/json.html), so none of these keys is ever a legitimate element name.
 * Iterative, so a hostile depth cannot overflow the stack.
 */
export const MAX_JSON_DEPTH = 100;
const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

export interface JsonShapeOptions {
  maxDepth?: number;
  /** Expression root for messages; by default the body's resourceType, when it is a type name. */
  root?: string;
}

/**
 * A resource's issues are FHIRPath from its type (`Patient.text.prototype`), as every other
 * layer's; only a name-shaped resourceType is taken (it goes into the expression as it is).
 */
function rootOf(value: unknown): string {
  const type = value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>).resourceType : undefined;
  return typeof type === 'string' && /^[A-Z][A-Za-z]{0,63}$/.test(type) ? type : '';
}

const hasOwn = Object.prototype.hasOwnProperty;

/** 95 '_', 99 'c', 112 'p': the first letters of the forbidden keys, to skip the set lookup for most keys. */
const isForbidden = (key: string): boolean => {
  const c = key.charCodeAt(0);
  return (c === 95 || c === 99 || c === 112) && FORBIDDEN_KEYS.has(key);
};

/**
 * Whether the full check below would find anything: the same conditions, without building
 * locations. Recursion is bounded by maxDepth, so the stack cannot overflow.
 */
function clean(node: unknown, depth: number, maxDepth: number): boolean {
  if (node === null || typeof node !== 'object') return true;
  if (depth >= maxDepth) return false;
  if (Array.isArray(node)) {
    for (let i = 0; i < node.length; i++) if (!clean(node[i], depth + 1, maxDepth)) return false;
    return true;
  }
  for (const key in node) {
    if (!hasOwn.call(node, key)) continue;
    if (isForbidden(key) || !clean((node as Record<string, unknown>)[key], depth + 1, maxDepth)) return false;
  }
  return true;
}

export function checkJsonShape(value: unknown, opts: JsonShapeOptions = {}): Issue[] {
  const maxDepth = opts.maxDepth ?? MAX_JSON_DEPTH;
  const issues: Issue[] = [];
  // Every write passes here, nearly always clean: a quick pass first, the located walk only when it finds something.
  if (maxDepth <= 1000 && clean(value, 0, maxDepth)) return issues;
  const stack: { node: unknown; depth: number; path: string }[] = [{ node: value, depth: 0, path: opts.root ?? rootOf(value) }];
  while (stack.length) {
    const { node, depth, path } = stack.pop()!;
    if (node === null || typeof node !== 'object') continue;
    if (depth >= maxDepth) {
      issues.push({ severity: 'error', code: 'structure', diagnostics: `JSON nesting deeper than ${maxDepth} levels`, expression: path ? [path] : undefined });
      return issues; // one is enough: the body is refused as a whole
    }
    if (Array.isArray(node)) {
      for (let i = node.length - 1; i >= 0; i--) stack.push({ node: node[i], depth: depth + 1, path: `${path}[${i}]` });
      continue;
    }
    // Own keys only: Object.keys also lists a JSON-parsed "__proto__", which is a plain own key.
    for (const key of Object.keys(node)) {
      const child = path ? `${path}.${key}` : key;
      if (FORBIDDEN_KEYS.has(key)) {
        issues.push({ severity: 'error', code: 'structure', diagnostics: `Forbidden JSON key '${key}'`, expression: [child] });
        continue;
      }
      stack.push({ node: (node as Record<string, unknown>)[key], depth: depth + 1, path: child });
    }
  }
  return issues;
}
