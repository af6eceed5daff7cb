import t from 'tap';
import { SaxesParser } from 'saxes';
import { validateResource, validationStatus } from '../../src/validation/validate.js';
import { narrativeProblem } from '../../src/validation/invariants/narrative.js';
import { errorsOf } from './helpers.js';

// Narratives (https://hl7.org/fhir/R4/narrative.html): well-formed XHTML in a div, txt-1, txt-2.
const X = 'xmlns="http://www.w3.org/1999/xhtml"';
const patient = (div: string) => ({ resourceType: 'Patient', text: { status: 'generated', div } });

t.test('narratives FHIR allows pass', async (t) => {
  for (const div of [
    `<div ${X}>ok</div>`,
    `<div ${X}><p>a <b>b</b> <i>c</i> <a href="http://example.org/x">link</a> <a name="here">anchor</a></p></div>`,
    `<div ${X}><table class="grid"><tr><th scope="col">h</th></tr><tr><td colspan="2" style="display: none">x</td></tr></table></div>`,
    `<div ${X}><img src="#p1" alt="pedigree"/></div>`,
    `<div ${X} xml:lang="ja" lang="ja">日本語\u3000テキスト</div>`,
    `<div ${X}>a&#160;b &amp; &lt;c&gt; &quot;d&quot;</div>`,
    `<div ${X}><!-- comment --><ul><li>one</li></ul><br/><hr/><img src="data:image/png;base64,AAAA"/></div>`,
    `<div xmlns="http://www.w3.org/1999/xhtml"><h3>Versions</h3><pre>x</pre><blockquote cite="http://e.org">q</blockquote></div>`,
  ]) {
    t.equal(narrativeProblem(div), undefined, div.slice(43, 110));
    t.same(errorsOf(validateResource(patient(div))), [], `valid: ${div.slice(43, 90)}`);
  }
});

t.test('scripts, event attributes and script links are refused (txt-1): a stored narrative runs in every EHR that shows it', async (t) => {
  const cases: Array<[string, RegExp]> = [
    [`<div ${X}><script>alert(1)</script>x</div>`, /<script>.*txt-1/],
    [`<div ${X}><img src="x" onerror="alert(2)"/></div>`, /onerror on <img>.*event attributes/],
    [`<div ${X}><p onclick="steal()">x</p></div>`, /onclick/],
    [`<div ${X}><a href="javascript:alert(1)">x</a></div>`, /link to a script/],
    [`<div ${X}><a href=" JavaScript:alert(1)">x</a></div>`, /link to a script/],
    [`<div ${X}><span style="background:url(javascript:x)">x</span></div>`, /style attribute/],
    // spellings browsers read as javascript: entities, tabs and newlines inside the scheme, leading controls
    [`<div ${X}><a href="jav&#x61;script:alert(1)">x</a></div>`, /link to a script/],
    [`<div ${X}><a href="java&#9;script:alert(1)">x</a></div>`, /link to a script/],
    [`<div ${X}><a href="java
script:alert(1)">x</a></div>`, /link to a script/],
    [`<div ${X}><a href="&#x20;&#9; javascript:alert(1)">x</a></div>`, /link to a script/],
    [`<div ${X}><img src="vbscript:msgbox(1)"/></div>`, /link to a script/],
    [`<div ${X}><span style="width: expression(alert(1))">x</span></div>`, /style attribute/],
    [`<div ${X}><span style="background:url(\\6a avascript:x)">x</span></div>`, /style attribute/],
    // what an HTML parser reads differently from XML: CDATA, <!--> and <!--->, <a/>, data: documents
    [`<div ${X}><![CDATA[><img src=x onerror=alert(1)>]]></div>`, /CDATA/],
    [`<div ${X}>x<!--><img src=x onerror=alert(1)>--></div>`, /comment/],
    [`<div ${X}>x<!---><img src=x onerror=alert(1)>--></div>`, /comment/],
    [`<div ${X}>x<a href="https://evil.example"/>everything after</div>`, /<a\/>/],
    [`<div ${X}><a href="data:text/html,&lt;script&gt;alert(1)&lt;/script&gt;">x</a></div>`, /data: document/],
    [`<div ${X}><iframe src="http://evil.example"/>x</div>`, /<iframe>/],
    [`<div ${X}><form><input name="q"/></form>x</div>`, /<form>/],
    [`<div ${X}><object data="x.swf"/>x</div>`, /<object>/],
    [`<div ${X}><style>p{}</style>x</div>`, /<style>/],
    [`<div ${X}><link rel="stylesheet" href="x.css"/>x</div>`, /<link>/],
  ];
  for (const [div, why] of cases) {
    const issues = errorsOf(validateResource(patient(div)));
    t.equal(issues.length, 1, div.slice(43, 100));
    t.match(issues[0]?.diagnostics, why);
    t.same(issues[0]?.expression, ['Patient.text.div']);
    t.equal(validationStatus(issues), 422, 'a rule, 422');
  }
});

t.test('malformed XHTML is a structure error (400); empty content is txt-2', async (t) => {
  const cases: Array<[string, RegExp, number]> = [
    ['<div>no namespace</div>', /XHTML namespace/, 400],
    [`<div ${X}><p>unbalanced</div>`, /not well-formed/, 400],
    [`<div ${X}>x</div>trailing`, /not well-formed/, 400],
    [`<div ${X}>a&nbsp;b</div>`, /&#160;.*&nbsp;/, 400],
    [`<!DOCTYPE html><div ${X}>x</div>`, /DOCTYPE/, 400],
    [`<div ${X}><svg:svg xmlns:svg="http://www.w3.org/2000/svg"/>x</div>`, /namespace/, 400],
    [`<div ${X}><a href="&#1;javascript:alert(1)">x</a></div>`, /not well-formed/, 400],
    [`<!--><img src=x onerror=alert(1)>--><div ${X}>x</div>`, /outside its root/, 400],
    [`<div ${X}>x</div><!--><img src=x onerror=alert(1)>-->`, /outside its root/, 400],
    [`<div ${X}>${'<b>'.repeat(65)}x${'</b>'.repeat(65)}</div>`, /more than 64 deep/, 400],
    [`<div ${X}>   </div>`, /txt-2/, 422],
    [`<div ${X}><p> </p></div>`, /txt-2/, 422],
  ];
  for (const [div, why, status] of cases) {
    const issues = errorsOf(validateResource(patient(div)));
    // (a DOCTYPE first also fails the schema's `<div` pattern: two issues)
    t.ok(issues.some((i) => why.test(i.diagnostics ?? '')), `${div.slice(0, 60)}: ${issues.map((i) => i.diagnostics).join(' | ')}`);
    t.equal(validationStatus(issues), status);
  }
});

t.test('every narrative is checked: nested resources, contained ones, Bundle entries', async (t) => {
  const bad = `<div ${X}><script>x</script>x</div>`;
  const bundle = { resourceType: 'Bundle', type: 'collection', entry: [{ resource: patient(bad) }] };
  t.same(errorsOf(validateResource(bundle)).map((i) => i.expression), [['Bundle.entry[0].resource.text.div']]);
  const obs = { resourceType: 'Observation', status: 'final', code: { text: 'x' }, contained: [patient(bad)], subject: { reference: '#c' } };
  (obs.contained[0] as Record<string, unknown>).id = 'c';
  t.same(errorsOf(validateResource(obs)).map((i) => i.expression), [['Observation.contained[0].text.div']]);
});

t.test('deep nesting is refused quickly (no quadratic namespace lookups)', async (t) => {
  const div = `<div ${X}>${'<b>'.repeat(20_000)}x${'</b>'.repeat(20_000)}</div>`;
  // saxes resolves each element's namespace up the stack of open elements: parsing all 20,000
  // would look through some 200 million. Stopped at 64 deep, a few thousand. Counted, not timed.
  const { result, lookups } = namespaceLookups(() => narrativeProblem(div));
  t.match(result?.message, /more than 64 deep/);
  t.ok(lookups > 0 && lookups <= 65 * 65, `${lookups} open elements looked through`);
});

/** Open elements saxes' namespace resolution may look through (its stack's depth at each call) while `run` runs. */
function namespaceLookups<T>(run: () => T): { result: T; lookups: number } {
  const proto = SaxesParser.prototype as unknown as { resolve(this: { tags: unknown[] }, prefix: string): unknown };
  const resolve = proto.resolve;
  let lookups = 0;
  proto.resolve = function (prefix) {
    lookups += this.tags.length + 1;
    return resolve.call(this, prefix);
  };
  try {
    return { result: run(), lookups };
  } finally {
    proto.resolve = resolve;
  }
}
