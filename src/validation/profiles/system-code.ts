/**
 * Lookups of `system|code` keys (slice keys, value set members) without building the key string
 * for every coding looked up: the keys are split once into system -> code -> value.
 */

/** `system|code` keys as system -> code -> value, or undefined when a key has no or several '|'. */
export function splitKeys<T>(keys: ReadonlyMap<string, T>): Map<string, Map<string, T>> | undefined {
  const out = new Map<string, Map<string, T>>();
  for (const [key, value] of keys) {
    const bar = key.indexOf('|');
    if (bar < 0 || key.indexOf('|', bar + 1) >= 0) return undefined;
    const system = key.slice(0, bar);
    let codes = out.get(system);
    if (!codes) out.set(system, (codes = new Map()));
    codes.set(key.slice(bar + 1), value);
  }
  return out;
}
