import { SaxesParser, type SaxesTagNS } from 'saxes';

/**
 * The rules of an xhtml value (Narrative.div; https://hl7.org/fhir/R4/narrative.html):
 * - well-formed XML whose root is a `div` in the XHTML namespace, with no other namespace inside
 *   (no DOCTYPE, no processing instructions; only XML's five named entities: FHIR says Unicode
 *   characters SHALL be used instead of `&nbsp;` and the like);
 * - txt-1: only the basic HTML formatting elements and attributes: no scripts, forms, frames,
 *   objects, styles sheets or event attributes (`onerror`), and no `javascript:` links;
 * - txt-2: some non-whitespace content (text, or an image).
 * EHRs display narratives as they are: a `<script>` or `onload=` stored here would run in every
 * viewer that shows the resource, so txt-1 is an error, not a warning.
 * The element and attribute lists are those of https://hl7.org/fhir/R4/narrative.html#xhtml
 * (HTML 4.0 chapters 7-11 and 15, `a` with name or href, `img`, style attributes), as the FHIR
 * reference validator reads them.
 */
const XHTML_NS = 'http://www.w3.org/1999/xhtml';
const STOP = Symbol('narrative problem found');

const ELEMENTS = new Set([
  'p', 'br', 'div', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'a', 'span', 'b', 'em', 'i', 'strong', 'small', 'big', 'tt',
  'dfn', 'q', 'var', 'abbr', 'acronym', 'cite', 'blockquote', 'hr', 'address', 'bdo', 'kbd', 'sub', 'sup', 'ul', 'ol',
  'li', 'dl', 'dt', 'dd', 'pre', 'table', 'caption', 'colgroup', 'col', 'thead', 'tr', 'tfoot', 'tbody', 'th', 'td',
  'code', 'samp', 'img', 'map', 'area',
]);

/** Attributes allowed on any element (core and i18n attributes, table layout). */
const ATTRIBUTES = new Set([
  'title', 'style', 'class', 'id', 'lang', 'xml:lang', 'dir', 'accesskey', 'tabindex',
  'span', 'width', 'align', 'valign', 'char', 'charoff', 'abbr', 'axis', 'headers', 'scope', 'rowspan', 'colspan',
]);

/** Attributes allowed on one element only. */
const ELEMENT_ATTRIBUTES = new Set([
  'a.href', 'a.name', 'a.charset', 'a.type', 'a.hreflang', 'a.rel', 'a.rev', 'a.shape', 'a.coords',
  'img.src', 'img.alt', 'img.longdesc', 'img.height', 'img.width', 'img.usemap', 'img.ismap', 'img.border',
  'map.name', 'area.shape', 'area.coords', 'area.href', 'area.nohref', 'area.alt',
  'table.summary', 'table.width', 'table.border', 'table.frame', 'table.rules', 'table.cellspacing', 'table.cellpadding',
  'blockquote.cite', 'q.cite', 'pre.space', 'td.nowrap', 'ol.start', 'ol.type', 'ul.type', 'li.value', 'li.type',
]);

/**
 * Links and images a viewer would run rather than show, also inside CSS (`url(javascript:…)`,
 * `expression(…)`; a backslash or a comment in a style is refused: CSS escapes and comments can
 * spell any of these).
 */
const SCRIPT_URL = /^\s*(javascript|vbscript|livescript)\s*:/i;
const SCRIPT_IN_CSS = /(javascript|vbscript)\s*:|expression\s*\(|behavior\s*:|-moz-binding|\\|\/\*/i;
const URL_ATTRIBUTES = new Set(['href', 'src', 'longdesc', 'usemap', 'cite']);
/**
 * Deeper nesting is refused: no narrative needs it, and namespace lookups walk the open elements,
 * so very deep input would cost quadratic time.
 */
const MAX_DEPTH = 64;

/**
 * A URL as browsers read its scheme: they drop tabs and newlines anywhere in it and control
 * characters and spaces around it (WHATWG URL), so `java&#9;script:` is `javascript:`.
 */
function urlAsBrowsersRead(v: string): string {
  // (XML turns a newline in an attribute into a space, but a viewer that inserts the narrative as
  // HTML sees the newline and drops it: every space and control character goes, to be safe)
  return v.replace(/[\u0000-\u0020\u007f]/g, '');
}

/** One problem with a narrative, worded for an OperationOutcome (`rule`: txt-1, txt-2, or the XML rule). */
export interface NarrativeProblem {
  rule: 'xml' | 'txt-1' | 'txt-2';
  message: string;
}

/** The first problem with an xhtml value, undefined when it has none. */
export function narrativeProblem(xhtml: string): NarrativeProblem | undefined {
  const scan = new NarrativeScan();
  try {
    scan.write(xhtml).close();
  } catch (e) {
    if (e !== STOP && !scan.problem) scan.problem = { rule: 'xml', message: `is not well-formed XHTML: ${(e as Error).message}` };
  }
  if (!scan.problem && !scan.content) scan.problem = { rule: 'txt-2', message: 'must have some non-whitespace content (txt-2)' };
  return scan.problem;
}

/**
 * One parse. The handlers are registered in the constructor: set on an instance from outside,
 * they made saxes about 5× slower (its hot loop reads them; measured with the IG's Variant
 * example, whose 1.9 KB narrative took ~150 µs of CPU against ~28 µs here: most of that
 * resource's validation), and saxes keeps one handler per event.
 */
class NarrativeScan extends SaxesParser<{ xmlns: true; position: false }> {
  problem: NarrativeProblem | undefined;
  depth = 0;
  content = false;

  constructor() {
    super({ xmlns: true, position: false });
    this.on('error', (e) => this.refuse('xml', /undefined entity/.test(e.message)
      ? 'uses an entity XML does not define (FHIR narratives hold Unicode characters, or references such as &#160;, instead of HTML entities such as &nbsp;)'
      : `is not well-formed XHTML: ${e.message.replace(/^\S*:\s*/, '').replace(/\.$/, '')}`));
    this.on('doctype', () => this.refuse('xml', 'must not have a DOCTYPE'));
    this.on('processinginstruction', () => this.refuse('xml', 'must not hold processing instructions'));
    this.on('text', (t) => {
      if (/[^ \t\r\n]/.test(t)) {
        if (this.depth === 0) this.refuse('xml', 'must not have anything outside its root <div>');
        this.content = true;
      }
    });
    // A viewer may insert the narrative as HTML, which reads some XML differently: `<![CDATA[…]]>`
    // is a bogus comment ending at the first `>`, and `<!-->` / `<!--->` are empty comments, so
    // what XML sees as comment text becomes live markup there. Neither is needed in a narrative.
    this.on('cdata', () => this.refuse('txt-1', 'must not hold CDATA sections (an HTML viewer reads them differently: txt-1)'));
    this.on('comment', (c) => {
      if (this.depth === 0) this.refuse('xml', 'must not have anything outside its root <div>');
      else if (c.startsWith('>') || c.startsWith('->')) this.refuse('txt-1', 'must not hold a comment an HTML viewer would end early (<!--> or <!--->: txt-1)');
    });
    this.on('opentag', (tag) => this.checkTag(tag));
    this.on('closetag', () => {
      this.depth--;
    });
  }

  /** The first problem is the answer: parsing stops there (a thrown STOP leaves saxes' write). */
  private refuse(rule: NarrativeProblem['rule'], message: string): never {
    this.problem ??= { rule, message };
    throw STOP;
  }

  private checkTag(tag: SaxesTagNS): void {
    const name = tag.local;
    this.depth++;
    if (this.depth > MAX_DEPTH) this.refuse('xml', `must not nest elements more than ${MAX_DEPTH} deep`);

    if (this.depth === 1 && name !== 'div') this.refuse('xml', `must be a <div> element (found <${tag.name}>)`);
    if (tag.uri !== XHTML_NS) this.refuse('xml', `must keep every element in the XHTML namespace ${XHTML_NS} (<${tag.name}> is in ${tag.uri || 'none'})`);
    if (!ELEMENTS.has(name)) this.refuse('txt-1', `must not contain <${name}> (only basic HTML formatting elements are allowed: txt-1)`);
    if (name === 'img') this.content = true;
    for (const key of Object.keys(tag.attributes)) {
      const a = tag.attributes[key]!;
      const attr = a.prefix === 'xml' ? `xml:${a.local}` : a.prefix ? a.name : a.local;
      if (attr === 'xmlns' || a.prefix === 'xmlns') {
        if (a.value !== XHTML_NS) this.refuse('xml', `must not declare a namespace other than XHTML (${a.name}="${a.value}")`);
        continue;
      }
      if (!ATTRIBUTES.has(attr) && !ELEMENT_ATTRIBUTES.has(`${name}.${attr}`)) {
        this.refuse('txt-1', `must not have the attribute ${attr} on <${name}>${/^on/i.test(attr) ? ' (event attributes run scripts)' : ''} (txt-1)`);
      } else if (URL_ATTRIBUTES.has(attr) && (SCRIPT_URL.test(urlAsBrowsersRead(a.value)) || (attr !== 'src' && /^data:/i.test(urlAsBrowsersRead(a.value))))) {
        this.refuse('txt-1', `must not link to a script or a data: document (${attr}="${a.value.slice(0, 40)}" on <${name}>; txt-1)`);
      } else if (attr === 'style' && SCRIPT_IN_CSS.test(a.value)) {
        this.refuse('txt-1', `must not run scripts from a style attribute (<${name}>; txt-1)`);
      }
    }
    // `<a/>` is an open tag to an HTML parser: the link would wrap everything after it
    // (others, `<td/>` in many IG examples, only open an empty element there: harmless)
    if (tag.isSelfClosing && name === 'a') this.refuse('txt-1', `must not write <${name}/> (an HTML viewer reads it as an open tag; write <${name}></${name}>: txt-1)`);
  }
}
