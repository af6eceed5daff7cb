import { ATTRIBUTE_NAMES_BY_LENGTH, attributeRule, ELEMENT_NAMES_BY_LENGTH, MAX_DEPTH, URL_ATTRIBUTES, XHTML_NS } from './narrative-rules.js';

/**
 * Whether a narrative is plain markup that has none of the problems narrative.ts looks for,
 * proved by one pass over its characters instead of an XML parse (saxes cost ~40 µs of CPU on the
 * IG Variant example's 1.9 KB narrative, two thirds of validating that resource; this ~3 µs).
 *
 * Plain: the root is `<div xmlns="…xhtml">` at the very start, closed at the very end; elements
 * are allowed ones with ASCII names, closed in order, at most MAX_DEPTH deep; attributes are
 * quoted, not repeated, allowed on their element (attributeRule), and only `xmlns` (the XHTML
 * namespace, written out) and `xml:lang` have other forms; text and attribute values hold
 * XML characters of the Basic Multilingual Plane below the surrogates, and references to the
 * five XML entities or to characters; some text that is not whitespace, or an img.
 *
 * Anything else (comments, CDATA, processing instructions, DOCTYPE, a prefix, `]]>`, `<a/>`, an
 * entity reference in a link or a style, a character outside that range...) answers false,
 * which is not a verdict: the caller then parses the XML and finds and words the problem, if
 * there is one. So true must only be said where the parse finds nothing (narrative-plain.test.ts
 * compares the two on the IG's narratives and on many thousand mutations of them).
 *
 * It runs on every write of a resource with a narrative, so it allocates nothing in the common
 * case: element and attribute names are found among the allowed ones where they stand (`named`)
 * instead of being sliced out (a name outside them answers false, as the rules would), a value is
 * sliced only where a rule reads it, and the attributes seen on an element are counted, not
 * emptied with `seen.length = 0` (a runtime call). The slices, `element.attr` strings and that
 * reset were two thirds of this scan's time and ~5 KB of garbage per IG Variant example.
 */
export function plainNarrativeOk(s: string): boolean {
  const n = s.length;
  if (!s.startsWith('<div') || s.includes(']]>')) return false;
  const open: string[] = [];
  const seen: string[] = [];
  let nSeen = 0;
  let content = false;
  let i = 0;
  while (i < n) {
    const c = s.charCodeAt(i);
    if (c === 60 /* < */) {
      if (s.charCodeAt(i + 1) === 47 /* / */) {
        // a close tag: the name of the innermost open element, optional whitespace, `>`
        const top = open.pop();
        if (top === undefined || !s.startsWith(top, i + 2)) return false;
        let j = i + 2 + top.length;
        while (j < n && isSpace(s.charCodeAt(j))) j++;
        if (s.charCodeAt(j) !== 62 /* > */) return false;
        i = j + 1;
        if (!open.length) return i === n && content; // the root closed: nothing may follow
        continue;
      }
      let j = i + 1;
      while (j < n && isNameChar(s.charCodeAt(j))) j++;
      const name = named(ELEMENT_NAMES_BY_LENGTH, s, i + 1, j);
      if (name === undefined) return false;
      const depth = open.length + 1;
      if (depth > MAX_DEPTH || (depth === 1 && name !== 'div')) return false;
      nSeen = 0;
      let xhtml = false;
      let selfClosing = false;
      for (;;) {
        const ws = j;
        while (j < n && isSpace(s.charCodeAt(j))) j++;
        const d = s.charCodeAt(j);
        if (d === 62 /* > */) {
          j++;
          break;
        }
        if (d === 47 /* / */) {
          if (s.charCodeAt(j + 1) !== 62) return false;
          j += 2;
          selfClosing = true;
          break;
        }
        if (j === ws || !isNameStart(d)) return false; // attributes are separated by whitespace
        const from = j;
        while (j < n && isNameChar(s.charCodeAt(j))) j++;
        if (s.charCodeAt(j) === 58 /* : */ && s.startsWith('xml:lang', from) && j === from + 3) j += 5;
        const attr = named(ATTRIBUTE_NAMES_BY_LENGTH, s, from, j);
        if (attr === undefined) return false; // not an attribute the rules allow anywhere
        while (j < n && isSpace(s.charCodeAt(j))) j++;
        if (s.charCodeAt(j) !== 61 /* = */) return false;
        j++;
        while (j < n && isSpace(s.charCodeAt(j))) j++;
        const quote = s.charCodeAt(j);
        if (quote !== 34 && quote !== 39) return false;
        const start = ++j;
        let refs = false;
        for (; j < n; j++) {
          const e = s.charCodeAt(j);
          if (e === quote) break;
          if (e === 38 /* & */) {
            const end = reference(s, j);
            if (end < 0) return false;
            refs = true;
            j = end - 1;
          } else if (e === 60 /* < */ || !isXmlChar(e)) return false;
        }
        if (j >= n) return false;
        // only xmlns, links and styles have rules on their values
        const value = attr === 'xmlns' || attr === 'style' || URL_ATTRIBUTES.has(attr) ? s.slice(start, j) : '';
        j++;
        for (let k = 0; k < nSeen; k++) if (seen[k] === attr) return false;
        seen[nSeen++] = attr;
        if (attr === 'xmlns') {
          if (value !== XHTML_NS) return false;
          xhtml = true;
          continue;
        }
        // the URL and style rules read the value with its references decoded: left to the parse
        if (refs && (URL_ATTRIBUTES.has(attr) || attr === 'style')) return false;
        if (attributeRule(name, attr, value) !== 'ok') return false;
      }
      if (depth === 1 && !xhtml) return false;
      if (name === 'img') content = true;
      if (selfClosing) {
        if (name === 'a' || depth === 1) return false;
      } else open.push(name);
      i = j;
      continue;
    }
    if (c === 38 /* & */) {
      const end = reference(s, i);
      if (end < 0) return false;
      if (!content && !isSpace(referencedChar(s, i, end))) content = true;
      i = end;
      continue;
    }
    if (!isXmlChar(c)) return false;
    if (!content && !isSpace(c)) content = true;
    i++;
  }
  return false; // the root was never closed
}

/** The name among `byLength` that `s[from, to)` spells (without slicing it out), else undefined. */
function named(byLength: string[][], s: string, from: number, to: number): string | undefined {
  const candidates = byLength[to - from];
  if (candidates === undefined) return undefined;
  const first = s.charCodeAt(from);
  for (let k = 0; k < candidates.length; k++) {
    const c = candidates[k];
    if (c.charCodeAt(0) === first && s.startsWith(c, from)) return c;
  }
  return undefined;
}

const isSpace = (c: number) => c === 32 || c === 9 || c === 10 || c === 13;
const isNameStart = (c: number) => (c >= 97 && c <= 122) || (c >= 65 && c <= 90);
const isNameChar = (c: number) => (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 45 || c === 95;
/** XML 1.0 characters short of the surrogates (astral characters take the parse). */
const isXmlChar = (c: number) => (c >= 32 && c < 0xd800) || c === 9 || c === 10 || c === 13 || (c >= 0xe000 && c <= 0xfffd);

const NAMED = ['amp;', 'lt;', 'gt;', 'quot;', 'apos;'];

/** The end (after `;`) of the reference at `s[at] === '&'`: a named XML entity or a character in isXmlChar's range; -1 otherwise. */
function reference(s: string, at: number): number {
  if (s.charCodeAt(at + 1) !== 35 /* # */) {
    for (const name of NAMED) if (s.startsWith(name, at + 1)) return at + 1 + name.length;
    return -1;
  }
  const hex = s.charCodeAt(at + 2) === 120 /* x */;
  let j = hex ? at + 3 : at + 2;
  const from = j;
  let code = 0;
  for (; j < s.length && j - from < 6; j++) {
    const d = s.charCodeAt(j);
    const v = d >= 48 && d <= 57 ? d - 48 : hex && d >= 97 && d <= 102 ? d - 87 : hex && d >= 65 && d <= 70 ? d - 55 : -1;
    if (v < 0) break;
    code = code * (hex ? 16 : 10) + v;
  }
  if (j === from || s.charCodeAt(j) !== 59 /* ; */ || !isXmlChar(code)) return -1;
  return j + 1;
}

/** The character a reference found by `reference` stands for (named entities: none is whitespace). */
function referencedChar(s: string, at: number, end: number): number {
  if (s.charCodeAt(at + 1) !== 35) return 38;
  const hex = s.charCodeAt(at + 2) === 120;
  return Number.parseInt(s.slice(hex ? at + 3 : at + 2, end - 1), hex ? 16 : 10);
}
