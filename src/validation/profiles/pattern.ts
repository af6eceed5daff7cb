/**
 * fixed[x] and pattern[x] semantics (https://hl7.org/fhir/R4/elementdefinition-definitions.html#ElementDefinition.pattern_x_):
 * a fixed value must be matched exactly; a pattern only requires the instance to contain every
 * property the pattern has, and every pattern array item to be matched by some instance item.
 */
export function matchesPattern(value: unknown, pattern: unknown): boolean {
  if (pattern === null || typeof pattern !== 'object') return value === pattern;
  if (Array.isArray(pattern)) {
    const items = Array.isArray(value) ? value : value === undefined ? [] : [value];
    return pattern.every((p) => items.some((v) => matchesPattern(v, p)));
  }
  if (value === null || typeof value !== 'object') return false;
  if (Array.isArray(value)) return value.some((v) => matchesPattern(v, pattern));
  const obj = value as Record<string, unknown>;
  return Object.entries(pattern as Record<string, unknown>).every(([k, p]) => matchesPattern(obj[k], p));
}

export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) {
    const bb = b as unknown[];
    return a.length === bb.length && a.every((v, i) => deepEqual(v, bb[i]));
  }
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  return ka.length === kb.length && ka.every((k) => deepEqual((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}

/** Short rendering of a fixed/pattern value for diagnostics (codes first: that is what users look for). */
export function describeValue(v: unknown): string {
  if (v && typeof v === 'object') {
    const codings = (v as { coding?: unknown }).coding;
    if (Array.isArray(codings)) {
      return codings.map((c) => (c && typeof c === 'object' ? `${String((c as { system?: unknown }).system ?? '')}|${String((c as { code?: unknown }).code ?? '')}` : JSON.stringify(c))).join(', ');
    }
    const c = v as { system?: unknown; code?: unknown };
    if (c.code !== undefined) return `${String(c.system ?? '')}|${String(c.code)}`;
  }
  const s = JSON.stringify(v) ?? String(v);
  return s.length > 120 ? s.slice(0, 117) + '...' : s;
}

/**
 * matchesPattern with the pattern fixed, as a function (same semantics, checked by the golden
 * test): the pattern's keys and nested matchers are read once, not on every value.
 */
export function compilePattern(pattern: unknown): (value: unknown) => boolean {
  if (pattern === null || typeof pattern !== 'object') return (value) => value === pattern;
  if (Array.isArray(pattern)) {
    const parts = pattern.map(compilePattern);
    return (value) => {
      if (value === undefined) return parts.length === 0;
      const many = Array.isArray(value);
      for (const part of parts) {
        if (!many) {
          if (!part(value)) return false;
          continue;
        }
        let some = false;
        for (let i = 0; i < value.length && !some; i++) some = part(value[i]);
        if (!some) return false;
      }
      return true;
    };
  }
  const keys = Object.keys(pattern);
  const parts = keys.map((k) => compilePattern((pattern as Record<string, unknown>)[k]));
  const match = (value: unknown): boolean => {
    if (value === null || typeof value !== 'object') return false;
    if (Array.isArray(value)) {
      for (let i = 0; i < value.length; i++) if (match(value[i])) return true;
      return false;
    }
    const obj = value as Record<string, unknown>;
    for (let i = 0; i < keys.length; i++) if (!parts[i](obj[keys[i]])) return false;
    return true;
  };
  return match;
}
