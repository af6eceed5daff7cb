import t from 'tap';
import { docsApp, openApi, type OpenApiOperation } from './helpers.js';
import { validateResource } from '../../src/validation/validate.js';

/**
 * Every example in the OpenAPI document is sent to a server loaded with the demo data set
 * (`npm run seed`) and must get the status the document gives as its success answer. The
 * genomics examples must also return data, not just 200.
 */
const METHODS = ['get', 'post', 'put', 'patch', 'delete'] as const;

/** The answer the document gives for success: 201 for creates, else its lowest 2xx. */
function successStatus(method: string, op: OpenApiOperation): number {
  const codes = Object.keys(op.responses).filter((s) => s.startsWith('2'));
  return method === 'post' && codes.includes('201') ? 201 : Number(codes[0]);
}

t.test('request body examples are valid FHIR', async (t) => {
  const app = await docsApp();
  t.teardown(() => app.close());
  const doc = await openApi(app);
  let n = 0;
  for (const [path, item] of Object.entries(doc.paths)) {
    for (const m of METHODS) {
      const example = item[m]?.requestBody?.content['application/fhir+json']?.example;
      if (!example) continue;
      n++;
      const errors = validateResource(example).filter((i) => i.severity === 'error' || i.severity === 'fatal');
      t.same(errors, [], `${m.toUpperCase()} ${path} example validates`);
    }
  }
  t.ok(n >= 5, `${n} body examples checked`);
});

t.test('every example gets its documented status from the seeded server', async (t) => {
  const app = await docsApp({ seed: true });
  t.teardown(() => app.close());
  const doc = await openApi(app);
  let sent = 0;
  const failures: string[] = [];
  let templated = 0;
  for (const [template, item] of Object.entries(doc.paths)) {
    for (const m of METHODS) {
      const op = item[m];
      if (!op) continue;
      // Path parameters ({id}, {vid}, {compartmentType}) are filled with their examples; on those
      // paths only reads are sent, so that the demo data stays as seeded for the next requests.
      let path = template;
      if (template.includes('{')) {
        if (m !== 'get') continue;
        for (const p of (op.parameters ?? []).filter((x) => x.in === 'path' && x.example !== undefined)) path = path.replace(`{${p.name}}`, encodeURIComponent(String(p.example)));
        if (path.includes('{')) continue; // a type the demo data does not hold
        templated++;
        const res = await app.inject({ method: 'GET', url: path });
        sent++;
        if (res.statusCode !== successStatus(m, op)) failures.push(`GET ${path} (path examples of ${template}): ${res.statusCode} ${res.body.slice(0, 300)}`);
      }
      const expected = successStatus(m, op);
      const body = op.requestBody?.content['application/fhir+json']?.example;
      if (body !== undefined) {
        sent++;
        const res = await app.inject({ method: m.toUpperCase() as 'POST', url: path, headers: { 'content-type': 'application/fhir+json' }, payload: JSON.stringify(body) });
        if (res.statusCode !== expected) failures.push(`${m.toUpperCase()} ${path} body example: ${res.statusCode} (expected ${expected}) ${res.body.slice(0, 300)}`);
      }
      if (m !== 'get') continue;
      const exampled = (op.parameters ?? []).filter((p) => p.in === 'query' && p.example !== undefined);
      if (!exampled.length) continue;
      const required = exampled.filter((p) => p.required);
      const asQuery = (ps: typeof exampled) => {
        const qs = new URLSearchParams();
        for (const p of ps) for (const v of Array.isArray(p.example) ? p.example : [p.example]) qs.append(p.name, String(v));
        return qs.toString();
      };
      // Operations: the example as a whole (required inputs need each other). Searches: one example at a time.
      const requests = path.includes('$') ? [asQuery(exampled)] : exampled.map((p) => asQuery([...required.filter((r) => r !== p), p]));
      for (const qs of requests) {
        sent++;
        const res = await app.inject({ method: 'GET', url: `${path}?${qs}` });
        if (res.statusCode !== expected) failures.push(`GET ${path}?${qs}: ${res.statusCode} (expected ${expected}) ${res.body.slice(0, 300)}`);
      }
    }
  }
  t.same(failures, [], `${sent} example requests sent`);
  t.ok(sent > 500, `${sent} example requests sent`);
  t.ok(templated >= 30, `${templated} requests with path parameter examples ({id}, {vid}, {compartmentType})`);
});

t.test('the genomics examples return the demo data', async (t) => {
  const app = await docsApp({ seed: true });
  t.teardown(() => app.close());
  const total = async (url: string) => {
    const res = await app.inject(url);
    t.equal(res.statusCode, 200, url);
    return (res.json().entry ?? []).filter((e: { search?: { mode?: string } }) => e.search?.mode !== 'outcome').length;
  };
  t.ok(await total('/fhir/Observation?subject=Patient/demo-p1&code=http://loinc.org|69548-6') >= 1, 'variants of demo-p1');
  t.ok(await total('/fhir/Observation?gene-identifier=HGNC:3236') >= 1, 'EGFR by gene');
  t.ok(await total('/fhir/Observation?genomic-region=NC_000007.14:55019016-55211628') >= 1, 'EGFR by region');
  t.ok(await total('/fhir/MolecularSequence?patient=Patient/demo-p1') >= 1, 'MolecularSequence');
  t.ok(await total('/fhir/DiagnosticReport?subject=Patient/demo-p1&category=http://terminology.hl7.org/CodeSystem/v2-0074|GE&_include=DiagnosticReport:result') >= 4, 'report with its results');
  t.ok(await total('/fhir/Observation?subject=Patient/demo-p2&code=http://loinc.org|69548-6') >= 4, 'demo-p2 has its variant plus the VCF import');

  const variants = await app.inject('/fhir/$find-subject-variants?subject=Patient/demo-p1&ranges=NC_000007.14:55019016-55211628&includeVariants=true');
  t.equal(variants.statusCode, 200);
  t.match(variants.body, /"presence"/);
  t.match(variants.body, /"valueBoolean":true/);
  const tx = await app.inject('/fhir/$find-subject-tx-implications?subject=Patient/demo-p3&treatments=http://www.nlm.nih.gov/research/umls/rxnorm|32968');
  t.equal(tx.statusCode, 200);
  t.match(tx.body, /demo-tx-cyp2c19-clopidogrel/);
  // the haplotype operations' examples find demo-p3's genotype (they used to find nothing)
  const specific = await app.inject('/fhir/$find-subject-specific-haplotypes?subject=Patient/demo-p3&haplotypes=CYP2C19*2/*2');
  t.equal(specific.statusCode, 200);
  t.match(specific.body, /demo-gt-cyp2c19/);
  t.match(specific.body, /"valueBoolean":true/);
  const byGene = await app.inject('/fhir/$find-subject-haplotypes?subject=Patient/demo-p3&genes=HGNC:2621');
  t.match(byGene.body, /demo-gt-cyp2c19/);
  // the structural operations answer structural variants: demo-p1's EGFR amplification, not the L858R SNV
  for (const op of ['find-subject-structural-subsuming-variants?subject=Patient/demo-p1&', 'find-population-structural-subsuming-variants?']) {
    const sub = await app.inject(`/fhir/$${op}ranges=NC_000007.14:55100000-55100100`);
    t.match(sub.body, /"valueBoolean":true|"name":"numerator","valueQuantity":\{"value":1\}/, `${op.split('?')[0]}: the EGFR amplification subsumes a range inside the gene`);
    const snv = await app.inject(`/fhir/$${op}ranges=NC_000007.14:55191821-55191822`);
    t.match(snv.body, /"valueBoolean":true|"name":"numerator","valueQuantity":\{"value":1\}/, `${op.split('?')[0]}: the amplification also subsumes the SNV's base`);
  }
  const intersect = await app.inject('/fhir/$find-subject-structural-intersecting-variants?subject=Patient/demo-p1&ranges=NC_000007.14:55019016-55211628&includeVariants=true');
  t.match(intersect.body, /demo-var-egfr-amp/);
  t.notMatch(intersect.body, /demo-var-egfr-l858r/, 'a simple variant is not a structural one');
  const population = await app.inject('/fhir/$find-population-specific-haplotypes?haplotypes=CYP2C19*2/*2');
  t.match(population.body, /"name":"numerator","valueQuantity":\{"value":1\}/);
});

t.test('the README "Coverage evidence" requests answer with evidence on the demo data', async (t) => {
  const app = await docsApp({ seed: true });
  t.teardown(() => app.close());
  const get = async (url: string) => {
    const res = await app.inject(url);
    t.equal(res.statusCode, 200, url);
    return res.body;
  };
  const dx = await get('/fhir/$find-subject-dx-implications?subject=Patient/demo-p2&ranges=NC_000017.11:43044294-43125483');
  t.match(dx, /demo-dx-brca1/, 'pathogenic BRCA1 implication found');
  t.match(dx, /LA6668-3/, 'its clinical significance is Pathogenic');
  t.match(dx, /demo-report-p2/, 'the evidence names the genomic report');
  const tx = await get('/fhir/$find-subject-tx-implications?subject=Patient/demo-p1&treatments=http://www.nlm.nih.gov/research/umls/rxnorm|1721560');
  t.match(tx, /demo-tx-egfr-osimertinib/, 'osimertinib implication found');
  t.match(tx, /demo-var-egfr-l858r/, 'with the variant it rests on');
  t.match(tx, /Organization\/demo-lab/, 'and the performing lab');
  const study = await get('/fhir/$find-study-metadata?subject=Patient/demo-p1&testDateRange=ge2025-01-01');
  t.match(study, /demo-report-p1/, 'the test is listed');
  const whole = JSON.parse(await get('/fhir/DiagnosticReport?subject=Patient/demo-p1&category=GE&_include=DiagnosticReport:result&_include:iterate=Observation:derived-from&_include:iterate=Observation:has-member'));
  const ids = whole.entry.map((e: { resource: { id: string } }) => e.resource.id);
  t.ok(ids.includes('demo-report-p1') && ids.includes('demo-var-egfr-l858r') && ids.includes('demo-tx-egfr-osimertinib'), 'whole-report recipe returns report, variant and implication');
});

t.test('the README "Genomics operations" curl block answers with data on the demo data', async (t) => {
  // Read from the README itself, so the documented requests cannot drift from what answers.
  const { readFileSync } = await import('node:fs');
  const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
  const block = readme.slice(readme.indexOf('# on the demo data (npm run seed), each of these answers with data:'));
  const lines = block.slice(0, block.indexOf('```')).split('\n');
  const gets = lines.flatMap((l) => [...l.matchAll(/^curl -H "\$AUTH" "\$B\/\\(\$[^"]+)"/g)].map((m) => m[1]));
  t.equal(gets.length, 5, 'the five GET examples were found');
  const post = /-d '(\{[\s\S]*?\})'/.exec(lines.join('\n'));
  t.ok(post, 'the POST example was found');
  const app = await docsApp({ seed: true });
  t.teardown(() => app.close());
  for (const url of gets) {
    const res = await app.inject(`/fhir/${url}`);
    t.equal(res.statusCode, 200, url);
    const found = /"valueBoolean":true|"name":"numerator","valueQuantity":\{"value":[1-9]|"name":"tests"|"name":"genotype"/.test(res.body);
    t.ok(found, `${url.split('?')[0]} answers with data`);
  }
  const res = await app.inject({ method: 'POST', url: '/fhir/$find-subject-tx-implications', headers: { 'content-type': 'application/fhir+json' }, payload: post![1] });
  t.equal(res.statusCode, 200);
  t.match(res.body, /demo-tx-cyp2c19-clopidogrel/, 'the clopidogrel implication');
});
