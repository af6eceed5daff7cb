import t from 'tap';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { plainNarrativeOk } from '../../src/validation/invariants/narrative-plain.js';
import { narrativeProblem, parsedNarrativeProblem } from '../../src/validation/invariants/narrative.js';

// The plain scan (narrative-plain.ts) may only say "fine" where the XML parse finds no problem:
// compared on every IG example's narrative and on seeded random mutations of them.
const dir = join(import.meta.dirname, '../../schemas/genomics/examples');
const divs: string[] = [];
const collect = (v: unknown): void => {
  if (Array.isArray(v)) return v.forEach(collect);
  if (v === null || typeof v !== 'object') return;
  for (const [k, x] of Object.entries(v)) {
    if (k === 'div' && typeof x === 'string') divs.push(x);
    else collect(x);
  }
};
for (const f of readdirSync(dir).filter((n) => n.endsWith('.json')).sort()) collect(JSON.parse(readFileSync(join(dir, f), 'utf8')));

const X = 'xmlns="http://www.w3.org/1999/xhtml"';

t.test('the plain scan takes the IG narratives, and says fine only where the XML parse does', async (t) => {
  t.ok(divs.length > 100, `${divs.length} IG narratives`);
  let plain = 0;
  for (const div of divs) {
    if (!plainNarrativeOk(div)) continue;
    plain++;
    t.equal(parsedNarrativeProblem(div), undefined, div.slice(0, 80));
  }
  // the scan is what runs for them (the cost it saves is the point): nearly all are plain
  t.ok(plain >= divs.length * 0.9, `${plain} of ${divs.length} plain`);
  const variant = JSON.parse(readFileSync(join(dir, 'Observation-VariantExample.json'), 'utf8')).text.div as string;
  t.ok(plainNarrativeOk(variant), 'the Variant example is plain');
});

t.test('what the plain scan leaves to the parse', async (t) => {
  for (const div of [
    `<div ${X}><!-- c -->x</div>`, `<div ${X}><![CDATA[x]]></div>`, `<div ${X}><?pi x?>x</div>`, `<div>x</div>`,
    `<div ${X} xmlns:h="urn:x">x</div>`, `<div ${X}><h:p xmlns:h="${X.slice(7, -1)}">x</h:p></div>`,
    `<div ${X}><a href="jav&#x61;script:x">x</a></div>`, `<div ${X}><span style="a&#58;b">x</span></div>`,
    `<div ${X}>&#x1F600;</div>`, `<div ${X}>\u{1F600}</div>`, `<div ${X}>x</div> `, ` <div ${X}>x</div>`,
    `<div ${X}> &#32; </div>`, `<div ${X}><a name="x"/>y</div>`, `<div ${X} lang="a" lang="b">x</div>`,
    `<div ${X}>a ]]> b</div>`, `<div ${X}><p class=x>x</p></div>`, `<div ${X}>&nbsp;</div>`,
    // names are found among the allowed ones where they stand (narrative-plain.ts `named`):
    // another element's attribute, an unknown one, a repeated one, an unknown element
    `<div ${X}><p href="x">x</p></div>`, `<div ${X}><p data-x="1">x</p></div>`, `<div ${X}><p titles="x">x</p></div>`,
    `<div ${X}><p title="a" title="b">x</p></div>`, `<div ${X}><tx>x</tx></div>`, `<div ${X}><h7>x</h7></div>`,
  ]) {
    t.notOk(plainNarrativeOk(div), div.slice(0, 90));
  }
  // and what it takes: the rules' own forms
  for (const div of [
    `<div ${X}>ok</div>`, `<div ${X} xml:lang="ja" lang="ja">日本語</div>`, `<div ${X}><img src="#p" alt="x"/></div>`,
    `<div ${X}>a&#160;b &amp; &lt;c&gt; &quot;d&quot; &apos;</div>`, `<div ${X}><p title='a &amp; b' >x</p ></div>`,
    `<div ${X}><table><tr><td colspan="2" style="width: 2em"/></tr></table>x</div>`,
    `<div ${X}><table summary="s"><tr><td nowrap="nowrap">x</td><th abbr="a">y</th></tr></table><tt>z</tt></div>`,
    `<div ${X}><a name="n" href="#n">x</a><p class="c" id="i" title="t">y</p></div>`,
  ]) {
    t.ok(plainNarrativeOk(div), div.slice(0, 90));
    t.equal(parsedNarrativeProblem(div), undefined);
    t.equal(narrativeProblem(div), undefined);
  }
});

t.test('on mutations of IG narratives, plain implies the parse finds nothing', async (t) => {
  // mulberry32: the same mutations on every run
  let seed = 0x5eed;
  const rnd = () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let x = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x;
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
  const pick = <T>(a: T[]): T => a[Math.floor(rnd() * a.length)];
  const tokens = [
    '<', '>', '/', '=', '"', "'", '&', ';', ':', ' ', '\t', '\n', '\r', '#', 'x', 'a', '-', ']', ']]>', '<!--', '-->', '<?', '<!DOCTYPE x>',
    '&amp;', '&lt;', '&#0;', '&#9;', '&#32;', '&#160;', '&#x1F600;', '&#xD800;', '&#65534;', '&nbsp;', '&#x;', '&#1234567;',
    '\u0000', '\u0001', '\u007f', '\u0085', '\u00a0', '\ud800', '\udc00', '\ufffe', '\uffff', '\u{1F600}', 'é',
    '<p>', '</p>', '<b>', '</b>', '<br/>', '<a/>', '<a>', '</a>', '<script>', '</div>', '<div>', '<img src="x"/>', '<P>',
    ' xmlns="urn:x"', ` ${X}`, ' xmlns=""', ' xmlns:h="urn:x"', ' h:title="x"', ' xml:lang="en"', ' xml:space="x"', ' lang="x"',
    ' onclick="x"', ' href="javascript:x"', ' href="java&#9;script:x"', ' href="data:text/html,x"', ' src="data:x"',
    ' style="x:expression(1)"', ' style="a\\62 c"', ' style="/* */"', ' class="x"', ' class="x" class="y"', ' title=x', ' title',
  ];
  const sources = divs.filter((d) => plainNarrativeOk(d) && d.length < 4000);
  let plain = 0;
  let tried = 0;
  const bad: string[] = [];
  for (let k = 0; k < 20000; k++) {
    let s = pick(sources);
    for (let m = 1 + Math.floor(rnd() * 3); m > 0; m--) {
      const at = Math.floor(rnd() * (s.length + 1));
      const r = rnd();
      if (r < 0.5) s = s.slice(0, at) + pick(tokens) + s.slice(at);
      else if (r < 0.75) s = s.slice(0, at) + s.slice(at + 1 + Math.floor(rnd() * 8));
      else s = s.slice(0, at) + pick(tokens) + s.slice(at + 1);
    }
    tried++;
    if (!plainNarrativeOk(s)) continue;
    plain++;
    if (parsedNarrativeProblem(s) !== undefined && bad.length < 5) bad.push(JSON.stringify(s));
  }
  t.same(bad, [], 'no mutation the scan calls plain has a problem');
  t.ok(plain > tried / 20, `${plain} of ${tried} mutations still plain (the comparison is not vacuous)`);
});
