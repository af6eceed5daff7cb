import { randomUUID } from 'node:crypto';

/**
 * FHIR decimals keep the precision they were written with: `1.50` is not `1.5`, and `1.0` is not
 * `1` (https://hl7.org/fhir/R4/datatypes.html#decimal: "the original precision should be
 * preserved"; lab results carry significant figures that way). JSON.parse turns every number into
 * a double, so the source text of a number that a double would print differently (trailing
 * zeros, an exponent, -0) is kept beside the parsed value, keyed
 * by the object holding it and its key, and written back by `stringifyFhir`. Everything that
 * reads values (validation, indexing, the operations) sees the plain number; only the text
 * round-trips.
 *
 * Cost: one regex over the text decides whether any number could differ (almost never); only
 * then the text is tokenized. `stringifyFhir` is plain JSON.stringify unless the value it is given
 * carries such a number (`CARRIES`, set on every object above a kept number, and by `adopt` on
 * containers built later, such as a search Bundle around stored resources).
 */
const RAW = new WeakMap<object, Map<string, string>>();
const CARRIES = new WeakSet<object>();

// Text a double may print differently, followed by what ends a JSON number: a fraction ending in
// 0, an exponent, -0; or below 1e-6, which a double prints as an exponent (0.0000005 is 5e-7). (Times such as `10:00:00.120Z` end in Z; `"1.0"` in a quote.) Such text
// inside a string only costs the slow path, which finds no number there. One pass of this regex
// costs about 1 ns per character; digits beyond a double's (16 and more) are not looked for: that
// pass would cost twice as much for values medicine does not write.
const CANDIDATE = /\.\d*0[\s,\]}]|[eE][-+]?\d+[\s,\]}]|-0[\s,\]}]|0\.0{6}/g;

/**
 * Whether `text` may hold a number whose text a double would not reproduce: a CANDIDATE match
 * that stands where a JSON value starts (after `:` `,` `[`). Text inside strings rarely does:
 * a narrative's `{http://loinc.org 69551-0}` ends like a -0 but follows a space, so it does not
 * send every IG example down the slow path (which costs ~10x the regex pass).
 */
function mayHoldNumberText(text: string): boolean {
  CANDIDATE.lastIndex = 0;
  for (let m = CANDIDATE.exec(text); m; m = CANDIDATE.exec(text)) {
    let i = m.index;
    while (i > 0 && isNumberChar(text.charCodeAt(i - 1))) i--;
    while (i > 0 && isSpace(text.charCodeAt(i - 1))) i--;
    const c = text.charCodeAt(i - 1);
    if (c === 58 /* : */ || c === 44 /* , */ || c === 91 /* [ */) return true;
  }
  return false;
}
const isNumberChar = (c: number) => (c >= 48 && c <= 57) || c === 46 || c === 45 || c === 43 || c === 101 || c === 69;
const isSpace = (c: number) => c === 32 || c === 9 || c === 10 || c === 13;
// Valid JSON (JSON.parse accepted it): strings are consumed whole, so every number matched is a
// value; brackets and literals are matched to follow the structure (keys per object).
const TOKEN = /"(?:[^"\\]|\\.)*"|-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?|[{}[\]]|true|false|null/g;

/** `0`, `17`: a key JS objects list before the others. */
function isIndexLike(key: string): boolean {
  const c = key.charCodeAt(0);
  return c >= 48 && c <= 57 && /^(0|[1-9]\d*)$/.test(key);
}

/**
 * The number tokens of `text` in document order, or undefined when an object repeats a key:
 * JSON.parse keeps the last value at the first key's place, so the parsed numbers no longer come
 * in document order and no text can be paired safely.
 */
function numberTokens(text: string): string[] | undefined {
  const tokens: string[] = [];
  // per open container: its keys (objects) or undefined (arrays), and whether a key comes next
  const keys: Array<Set<string> | undefined> = [];
  const keyNext: boolean[] = [];
  const valueDone = () => {
    if (keys.length && keys[keys.length - 1]) keyNext[keyNext.length - 1] = true;
  };
  for (const m of text.matchAll(TOKEN)) {
    const t = m[0];
    const c = t.charCodeAt(0);
    if (c === 123 /* { */ || c === 91 /* [ */) {
      keys.push(c === 123 ? new Set() : undefined);
      keyNext.push(c === 123);
    } else if (c === 125 /* } */ || c === 93 /* ] */) {
      keys.pop();
      keyNext.pop();
      valueDone();
    } else if (c === 34 /* " */ && keys.length && keys[keys.length - 1] && keyNext[keyNext.length - 1]) {
      const own = keys[keys.length - 1]!;
      if (own.has(t)) return undefined;
      own.add(t);
      keyNext[keyNext.length - 1] = false;
    } else {
      if (c !== 34 && c !== 116 && c !== 102 && c !== 110) tokens.push(t); // not a string, true, false, null: a number
      valueDone();
    }
  }
  return tokens;
}

/** JSON.parse, keeping the text of numbers that a double would not print the same way. */
export function parseFhirJson(text: string): unknown {
  const value: unknown = JSON.parse(text);
  keepNumberText(text, value);
  return value;
}

/** For a value another parser made of `text` (the HTTP body parser): keeps its number texts as parseFhirJson does. */
export function keepNumberText(text: string, root: unknown): void {
  if (root === null || typeof root !== 'object' || !mayHoldNumberText(text)) return;
  const tokens = numberTokens(text);
  if (!tokens) return;
  // The parsed numbers in document order, each with its holder and key; each object's parent, to
  // mark the ancestors of the numbers whose text is kept (few) without copying paths for all.
  const leaves: Array<{ holder: object; key: string; value: number }> = [];
  const parents = new Map<object, object>();
  let ok = true;
  const walk = (node: object) => {
    for (const key in node) {
      // JS objects list integer-like keys first: then document order is lost (FHIR has no such keys).
      if (!Array.isArray(node) && isIndexLike(key)) ok = false;
      const v = (node as Record<string, unknown>)[key];
      if (typeof v === 'number') leaves.push({ holder: node, key, value: v });
      else if (v !== null && typeof v === 'object') {
        parents.set(v, node);
        walk(v);
      }
    }
  };
  walk(root);
  // Duplicate keys (the last one wins in JSON.parse) or odd keys: the numbers cannot be paired; keep the parsed values only.
  if (!ok || leaves.length !== tokens.length) return;
  for (let i = 0; i < leaves.length; i++) if (Number(tokens[i]) !== leaves[i].value) return;
  for (let i = 0; i < leaves.length; i++) {
    const { holder, key, value } = leaves[i];
    const raw = tokens[i];
    if (JSON.stringify(value) === raw) continue;
    let keys = RAW.get(holder);
    if (!keys) RAW.set(holder, (keys = new Map()));
    keys.set(key, raw);
    for (let o: object | undefined = holder; o && !CARRIES.has(o); o = parents.get(o)) CARRIES.add(o);
  }
}

/**
 * Whether `value` (or something below it) holds a number whose source text is kept. Its own
 * values are looked at too: a shallow copy (`{ ...resource, id }`) holds the marked objects.
 */
export function carriesNumberText(value: unknown): boolean {
  if (value === null || typeof value !== 'object') return false;
  if (CARRIES.has(value)) return true;
  for (const key in value) {
    const v = (value as Record<string, unknown>)[key];
    if (v !== null && typeof v === 'object' && CARRIES.has(v)) return true;
  }
  return false;
}

/** `{ ...resource, id }`, keeping the texts of the resource's own decimals (e.g. ChargeItem.factorOverride). */
export function withId<T extends object>(resource: T, id: string): T & { id: string } {
  const copy = { ...resource, id };
  copyNumberText(resource, copy);
  return copy;
}

/** The text kept for `holder[key]` (an array index as a string), if any. */
export function numberTextAt(holder: object, key: string): string | undefined {
  return RAW.get(holder)?.get(key);
}

/** A deep copy of parsed JSON (a JSON Patch value applied more than once); kept number texts follow each copied object. */
export function cloneFhirJson<T>(value: T): T {
  if (value === null || typeof value !== 'object') return value;
  const copy = (Array.isArray(value) ? value.map(cloneFhirJson) : Object.fromEntries(Object.entries(value).map(([k, v]) => [k, cloneFhirJson(v)]))) as T & object;
  copyNumberText(value, copy);
  return copy;
}

/** Marks `container` as holding `child` when the child carries kept number text; returns the child. */
export function adopt<T>(container: object, child: T): T {
  if (carriesNumberText(child)) CARRIES.add(container);
  return child;
}

/** `to` is a shallow copy of `from` (its own keys moved to a new object): the kept texts of its own numbers follow. */
export function copyNumberText(from: object, to: object): void {
  if (!carriesNumberText(from)) return;
  CARRIES.add(to);
  const keys = RAW.get(from);
  if (keys) RAW.set(to, new Map(keys)); // its own: a patch may forget texts of one copy only
}

/**
 * JSON.stringify that writes kept number texts back (after the caller's own `replacer`, if any). A
 * number changed since it was parsed is written as its new value. The placeholder holds a fresh random nonce, so no string the client
 * sent can stand for one.
 */
export function stringifyFhir(value: unknown, space?: number, replacer?: (this: object, key: string, v: unknown) => unknown): string {
  if (!carriesNumberText(value)) return replacer ? JSON.stringify(value, replacer, space) : JSON.stringify(value, null, space);
  const nonce = `\u0001${randomUUID()}:`;
  const raws: string[] = [];
  const out = JSON.stringify(
    value,
    function (this: object, key: string, given: unknown) {
      const v = replacer ? replacer.call(this, key, given) : given;
      if (typeof v !== 'number') return v;
      const raw = RAW.get(this)?.get(key);
      if (raw === undefined || Number(raw) !== v) return v;
      raws.push(raw);
      return `${nonce}${raws.length - 1}`;
    },
    space,
  );
  if (!raws.length) return out;
  const marker = JSON.stringify(nonce).slice(0, -1); // as JSON.stringify escapes it, without the closing quote
  let result = '';
  let from = 0;
  for (let at = out.indexOf(marker); at >= 0; at = out.indexOf(marker, from)) {
    const end = out.indexOf('"', at + marker.length);
    result += out.slice(from, at) + raws[Number(out.slice(at + marker.length, end))];
    from = end + 1;
  }
  return result + out.slice(from);
}

/**
 * Before one JSON Patch operation (RFC 6902) is applied to `doc`: texts it makes wrong are
 * forgotten, so a number the patch writes is written as JavaScript prints it and texts never land
 * on another element. In an array, `add` and `remove` move the texts after the index with their
 * elements; `move` and `copy` forget every text of the containers they touch (their target index
 * is read after the removal, which is not known here). A path that does not resolve changes
 * nothing (the operation fails anyway).
 */
export function beforePatchOperation(doc: unknown, op: { op?: unknown; path?: unknown; from?: unknown }): void {
  if (!carriesNumberText(doc) || op.op === 'test') return;
  if (op.op === 'move' || op.op === 'copy') {
    for (const at of op.op === 'move' ? [op.from, op.path] : [op.path]) {
      const slot = slotAt(doc, at);
      if (slot) forget(slot[0], slot[1], 'all');
    }
    return;
  }
  const slot = slotAt(doc, op.path);
  if (slot) forget(slot[0], slot[1], op.op === 'add' ? 'insert' : op.op === 'remove' ? 'remove' : 'one');
}

/** The container a JSON Pointer's last step is in, and that step. */
function slotAt(doc: unknown, pointer: unknown): [object, string] | undefined {
  if (typeof pointer !== 'string' || !pointer.startsWith('/')) return undefined;
  const steps = pointer.slice(1).split('/').map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'));
  let node: unknown = doc;
  for (let i = 0; i < steps.length - 1; i++) {
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Record<string, unknown>)[steps[i]];
  }
  return node !== null && typeof node === 'object' ? [node, steps[steps.length - 1]] : undefined;
}

function forget(container: object, step: string, how: 'one' | 'insert' | 'remove' | 'all'): void {
  const keys = RAW.get(container);
  if (!keys) return;
  if (how === 'all' && Array.isArray(container)) return void RAW.delete(container);
  if (!Array.isArray(container) || how === 'one' || how === 'all') return void keys.delete(step);
  const at = step === '-' ? container.length : Number(step);
  const moved = new Map<string, string>();
  for (const [k, raw] of keys) {
    const i = Number(k);
    if (i < at) moved.set(k, raw);
    else if (how === 'insert') moved.set(String(i + 1), raw);
    else if (i > at) moved.set(String(i - 1), raw);
  }
  RAW.set(container, moved);
}
