/**
 * Whether a JSON key is a `value[x]` form or its `_` part (`valueString`, `_valueCode`):
 * /^_?value[A-Z]/ without a regular expression per key (obs-6, obs-7, Parameters inv-1).
 */
export function isValueKey(k: string): boolean {
  const at = k.charCodeAt(0) === 95 ? 1 : 0; // '_'
  if (!k.startsWith('value', at) || k.length <= at + 5) return false;
  const c = k.charCodeAt(at + 5);
  return c >= 65 && c <= 90;
}
