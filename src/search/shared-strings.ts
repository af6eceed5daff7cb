/**
 * Strings the indexer builds again and again (LOINC component codes and answers, their
 * `system|code` tokens, folded displays, `code$value` composites), made once and shared; from
 * their second use on, interned. Index fields dedupe their values with `includes`, and interned
 * strings compare by pointer where two fresh strings with a long common prefix
 * (`http://loinc.org|48018-6`, `…|48004-6`) compare character by character; a shared string is
 * also flattened (for JSON.stringify) once, not once per resource. Interning a new string costs
 * about a microsecond, so only strings asked for HOT_USES times are: a string seen once or twice
 * (an HGVS expression, an id) is made and dropped as before.
 */
import { fold } from './normalize.js';

/** The internalized copy of `s` (V8 internalizes property names). */
export function interned(s: string): string {
  const o = { [s]: 0 };
  for (const k in o) return k;
  return s;
}

/** Uses after which a shared string is interned. */
export const HOT_USES = 8;

/** A shared string; `hot` once it has been asked for HOT_USES times (it is interned then). */
export interface Entry {
  s: string;
  hot: boolean;
  uses: number;
}

/** A bounded map from a key to a made string (emptied when full: cheap, and the hot keys return at once). */
export class SharedStrings<K = string> {
  private readonly map = new Map<K, Entry>();
  constructor(private readonly max: number) {}

  get(key: K, make: (key: K) => string): string {
    const e = this.map.get(key);
    if (e !== undefined) {
      if (!e.hot && ++e.uses >= HOT_USES) {
        e.s = interned(e.s);
        e.hot = true;
      }
      return e.s;
    }
    const s = make(key);
    if (this.map.size >= this.max) this.map.clear();
    this.map.set(key, { s, hot: false, uses: 1 });
    return s;
  }
}

/**
 * Two-level variant, for strings made of two parts: no key to build. At most `max` strings are
 * kept, over all first parts.
 */
export class SharedPairs {
  private readonly maps = new Map<string, Map<string, Entry>>();
  private count = 0;
  constructor(private readonly max: number) {}

  get(first: string, second: string, make: (first: string, second: string) => string): string {
    let m = this.maps.get(first);
    if (m === undefined) this.maps.set(first, (m = new Map()));
    const e = m.get(second);
    if (e !== undefined) {
      if (!e.hot && ++e.uses >= HOT_USES) {
        e.s = interned(e.s);
        e.hot = true;
      }
      return e.s;
    }
    const s = make(first, second);
    if (++this.count > this.max) {
      this.maps.clear();
      this.count = 0;
    } else m.set(second, { s, hot: false, uses: 1 });
    return s;
  }
}

/** fold() of display and text strings, which repeat far more than they vary. */
const folds = new SharedStrings(8192);
export function foldText(s: string): string {
  return folds.get(s, fold);
}
