/**
 * The element and attribute rules of a narrative (narrative.ts says where they come from), shared
 * by the XML parser's check and the plain scan (narrative-plain.ts), so both apply the same ones.
 */
export const XHTML_NS = 'http://www.w3.org/1999/xhtml';

export const ELEMENTS = new Set([
  'p', 'br', 'div', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'a', 'span', 'b', 'em', 'i', 'strong', 'small', 'big', 'tt',
  'dfn', 'q', 'var', 'abbr', 'acronym', 'cite', 'blockquote', 'hr', 'address', 'bdo', 'kbd', 'sub', 'sup', 'ul', 'ol',
  'li', 'dl', 'dt', 'dd', 'pre', 'table', 'caption', 'colgroup', 'col', 'thead', 'tr', 'tfoot', 'tbody', 'th', 'td',
  'code', 'samp', 'img', 'map', 'area',
]);

/** Attributes allowed on any element (core and i18n attributes, table layout). */
export const ATTRIBUTES = new Set([
  'title', 'style', 'class', 'id', 'lang', 'xml:lang', 'dir', 'accesskey', 'tabindex',
  'span', 'width', 'align', 'valign', 'char', 'charoff', 'abbr', 'axis', 'headers', 'scope', 'rowspan', 'colspan',
]);

/** Attributes allowed on one element only. */
export const ELEMENT_ATTRIBUTES = new Set([
  'a.href', 'a.name', 'a.charset', 'a.type', 'a.hreflang', 'a.rel', 'a.rev', 'a.shape', 'a.coords',
  'img.src', 'img.alt', 'img.longdesc', 'img.height', 'img.width', 'img.usemap', 'img.ismap', 'img.border',
  'map.name', 'area.shape', 'area.coords', 'area.href', 'area.nohref', 'area.alt',
  'table.summary', 'table.width', 'table.border', 'table.frame', 'table.rules', 'table.cellspacing', 'table.cellpadding',
  'blockquote.cite', 'q.cite', 'pre.space', 'td.nowrap', 'ol.start', 'ol.type', 'ul.type', 'li.value', 'li.type',
]);

/** ELEMENT_ATTRIBUTES by element: looked up without building an `element.attr` string per attribute. */
const ATTRIBUTES_OF = new Map<string, Set<string>>();
for (const ea of ELEMENT_ATTRIBUTES) {
  const dot = ea.indexOf('.');
  const el = ea.slice(0, dot);
  if (!ATTRIBUTES_OF.has(el)) ATTRIBUTES_OF.set(el, new Set());
  ATTRIBUTES_OF.get(el)!.add(ea.slice(dot + 1));
}

/** Whether txt-1 allows attribute `attr` on element `name` (its value aside). */
export function attributeAllowed(name: string, attr: string): boolean {
  return ATTRIBUTES.has(attr) || ATTRIBUTES_OF.get(name)?.has(attr) === true;
}

/**
 * Every attribute name attributeAllowed can allow, and `xmlns`, by length: the plain scan
 * (narrative-plain.ts) finds a name among these where it stands instead of slicing it out.
 */
export const ATTRIBUTE_NAMES_BY_LENGTH: string[][] = byLength([...ATTRIBUTES, ...[...ELEMENT_ATTRIBUTES].map((ea) => ea.slice(ea.indexOf('.') + 1)), 'xmlns']);
/** ELEMENTS by length, for the same purpose. */
export const ELEMENT_NAMES_BY_LENGTH: string[][] = byLength([...ELEMENTS]);

function byLength(names: string[]): string[][] {
  const out: string[][] = [];
  for (const n of new Set(names)) (out[n.length] ??= []).push(n);
  for (let i = 0; i < out.length; i++) out[i] ??= [];
  return out;
}

/**
 * Links and images a viewer would run rather than show, also inside CSS (`url(javascript:…)`,
 * `expression(…)`; a backslash or a comment in a style is refused: CSS escapes and comments can
 * spell any of these).
 */
export const SCRIPT_URL = /^\s*(javascript|vbscript|livescript)\s*:/i;
export const SCRIPT_IN_CSS = /(javascript|vbscript)\s*:|expression\s*\(|behavior\s*:|-moz-binding|\\|\/\*/i;
export const URL_ATTRIBUTES = new Set(['href', 'src', 'longdesc', 'usemap', 'cite']);
/**
 * Deeper nesting is refused: no narrative needs it, and namespace lookups walk the open elements,
 * so very deep input would cost quadratic time.
 */
export const MAX_DEPTH = 64;

/**
 * A URL as browsers read its scheme: they drop tabs and newlines anywhere in it and control
 * characters and spaces around it (WHATWG URL), so `java&#9;script:` is `javascript:`.
 */
export function urlAsBrowsersRead(v: string): string {
  // (XML turns a newline in an attribute into a space, but a viewer that inserts the narrative as
  // HTML sees the newline and drops it: every space and control character goes, to be safe)
  return v.replace(/[\u0000-\u0020\u007f]/g, '');
}

/**
 * What txt-1 says of one attribute (`attr` as written, `xml:lang` with its prefix; its value
 * with entities decoded) on element `name`: allowed, not allowed there, a script or data: link,
 * or a style that runs a script. xmlns declarations are not attributes here.
 */
export function attributeRule(name: string, attr: string, value: string): 'ok' | 'not-allowed' | 'script-link' | 'script-style' {
  if (!attributeAllowed(name, attr)) return 'not-allowed';
  if (URL_ATTRIBUTES.has(attr)) {
    const url = urlAsBrowsersRead(value);
    if (SCRIPT_URL.test(url) || (attr !== 'src' && /^data:/i.test(url))) return 'script-link';
  } else if (attr === 'style' && SCRIPT_IN_CSS.test(value)) return 'script-style';
  return 'ok';
}
