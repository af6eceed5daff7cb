import { SaxesParser, type SaxesTagNS } from 'saxes';
import { attributeRule, ELEMENTS, MAX_DEPTH, XHTML_NS } from './narrative-rules.js';
import { plainNarrativeOk } from './narrative-plain.js';

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
const STOP = Symbol('narrative problem found');

/** One problem with a narrative, worded for an OperationOutcome (`rule`: txt-1, txt-2, or the XML rule). */
export interface NarrativeProblem {
  rule: 'xml' | 'txt-1' | 'txt-2';
  message: string;
}

/** The first problem with an xhtml value, undefined when it has none. */
export function narrativeProblem(xhtml: string): NarrativeProblem | undefined {
  // Nearly every narrative is plain markup a hand-written scan proves fine (narrative-plain.ts);
  // anything else, and every problem, is found and worded by the XML parser below.
  if (plainNarrativeOk(xhtml)) return undefined;
  return parsedNarrativeProblem(xhtml);
}

/** narrativeProblem by the XML parser alone (tests compare the plain scan with it). */
export function parsedNarrativeProblem(xhtml: string): NarrativeProblem | undefined {
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
      const rule = attributeRule(name, attr, a.value);
      if (rule === 'not-allowed') {
        this.refuse('txt-1', `must not have the attribute ${attr} on <${name}>${/^on/i.test(attr) ? ' (event attributes run scripts)' : ''} (txt-1)`);
      } else if (rule === 'script-link') {
        this.refuse('txt-1', `must not link to a script or a data: document (${attr}="${a.value.slice(0, 40)}" on <${name}>; txt-1)`);
      } else if (rule === 'script-style') {
        this.refuse('txt-1', `must not run scripts from a style attribute (<${name}>; txt-1)`);
      }
    }
    // `<a/>` is an open tag to an HTML parser: the link would wrap everything after it
    // (others, `<td/>` in many IG examples, only open an empty element there: harmless)
    if (tag.isSelfClosing && name === 'a') this.refuse('txt-1', `must not write <${name}/> (an HTML viewer reads it as an open tag; write <${name}></${name}>: txt-1)`);
  }
}
