import t from 'tap';
import { testApp } from '../fhir/helpers.js';

/**
 * A malformed Parameters body answers 400 naming Parameters.parameter (found by black-box testing:
 * `"parameter": {…}`, `[null]` or `"x"` reached the operations unchecked and failed with 500).
 */
t.test('malformed Parameters bodies are refused with 400', async (t) => {
  const app = await testApp(t);
  const post = (url: string, payload: unknown) => app.inject({ method: 'POST', url, headers: { 'content-type': 'application/fhir+json' }, payload: JSON.stringify(payload) });
  for (const url of ['/fhir/$find-subject-variants', '/fhir/$import-vcf', '/fhir/$find-population-specific-variants', '/fhir/Observation/$validate']) {
    for (const parameter of [{ name: 'subject' }, [null], 'x', [{ name: 'subject', valueString: 3 }]]) {
      const res = await post(url, { resourceType: 'Parameters', parameter });
      t.equal(res.statusCode, 400, `${url} ${JSON.stringify(parameter)}: ${res.body.slice(0, 200)}`);
      const issue = res.json().issue?.[0];
      t.match(issue?.expression?.[0] ?? issue?.diagnostics, /Parameters\.parameter/, 'the issue names Parameters.parameter');
    }
  }
  const validate = await post('/fhir/Observation/$validate', { resourceType: 'Parameters', parameter: [{ name: 'resource', resource: { resourceType: 'Observation', status: 'bogus' } }] });
  t.equal(validate.statusCode, 200, `$validate still reports on its resource rather than refusing it: ${validate.body.slice(0, 200)}`);
  const ok = await post('/fhir/$find-subject-variants', { resourceType: 'Parameters', parameter: [{ name: 'subject', valueString: 'Patient/nobody' }, { name: 'ranges', valueString: 'NC_000007.14:0-100' }] });
  t.equal(ok.statusCode, 404, `a well-formed body is read as before (an unknown subject): ${ok.body.slice(0, 200)}`);
});

t.test('a large VCF in valueAttachment.data is not refused by the shape check (it overflowed the base64 regex: 500)', async (t) => {
  const { throwIfMalformedParameters } = await import('../../src/fhir/operations/parameters-shell.js');
  const data = Buffer.alloc(4 * 1024 * 1024, 'chr1\t100\t.\tA\tG\t50\tPASS\t.\n').toString('base64');
  t.doesNotThrow(() => throwIfMalformedParameters({ resourceType: 'Parameters', parameter: [{ name: 'vcf', valueAttachment: { contentType: 'text/vcf', data } }] }));
  t.throws(() => throwIfMalformedParameters({ resourceType: 'Parameters', parameter: [{ name: 'vcf', valueAttachment: { data: 7 } }] }), 'a malformed nested value is still refused');
});

t.test('a token input with a system and no code (`system|`) is refused naming the parameter, not answered "absent"', async (t) => {
  const app = await testApp(t);
  await app.inject({ method: 'PUT', url: '/fhir/Patient/p1', headers: { 'content-type': 'application/fhir+json' }, payload: JSON.stringify({ resourceType: 'Patient', id: 'p1' }) });
  for (const [op, name, value] of [
    ['find-subject-tx-implications', 'treatments', 'http://www.nlm.nih.gov/research/umls/rxnorm|'],
    ['find-subject-dx-implications', 'conditions', 'http://snomed.info/sct|'],
    ['find-subject-haplotypes', 'genes', 'http://www.genenames.org|'],
    ['find-subject-specific-haplotypes', 'haplotypes', 'http://www.pharmvar.org| '],
    ['find-subject-molecular-consequences', 'featureConsequences', 'http://www.sequenceontology.org|'],
    ['find-subject-tx-implications', 'testIdentifiers', 'urn:oid:1.2.3|'],
  ] as const) {
    const res = await app.inject({ method: 'GET', url: `/fhir/$${op}?subject=Patient/p1&${name}=${encodeURIComponent(value)}` });
    t.equal(res.statusCode, 400, `${op} ${name}=${value}: ${res.body.slice(0, 200)}`);
    t.same(res.json().issue?.[0]?.expression, [name]);
  }
  const population = await app.inject({ method: 'GET', url: `/fhir/$find-population-tx-implications?treatments=${encodeURIComponent('http://www.nlm.nih.gov/research/umls/rxnorm|')}` });
  t.equal(population.statusCode, 400, 'population operations too (a count of 0 would be as false)');
  const fine = await app.inject({ method: 'GET', url: `/fhir/$find-subject-tx-implications?subject=Patient/p1&treatments=${encodeURIComponent('http://www.nlm.nih.gov/research/umls/rxnorm|1721560')}` });
  t.equal(fine.statusCode, 200, 'system|code is read as before');
});
