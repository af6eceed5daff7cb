import t from 'tap';
import { docsApp } from '../docs/helpers.js';

/**
 * Inputs of the genomics operations that used to give wrong answers (found by black-box testing):
 * a range ending past 2^31 (bins counted in 32-bit integers answered "absent"), a variant whose
 * stated deleted bases differ from the stored Variant's (matched on their number only, so a
 * wrong reference base answered "present"), and an unknown genomicSourceClass (matched nothing:
 * "absent" instead of an error).
 */
t.test('genomics operation inputs at their edges', async (t) => {
  const app = await docsApp({ seed: true });
  t.teardown(() => app.close());
  const presence = async (url: string) => {
    const res = await app.inject(url);
    t.equal(res.statusCode, 200, `${url}: ${res.body.slice(0, 200)}`);
    return /"name":"presence","valueBoolean":true/.test(res.body);
  };
  const egfr = '/fhir/$find-subject-variants?subject=Patient/demo-p1&ranges=NC_000007.14:';
  for (const end of ['55211628', '2147483647', '2147483648', '2147483649', '4294967296', '999999999999']) {
    t.ok(await presence(`${egfr}0-${end}`), `a range to ${end} holds the EGFR variant`);
  }
  const huge = await app.inject(`${egfr}0-99999999999999999`);
  t.equal(huge.statusCode, 400, 'past 2^53: refused');
  t.match(huge.json().issue[0].diagnostics, /below 2\^53/);
  const dx = await app.inject('/fhir/$find-subject-dx-implications?subject=Patient/demo-p2&ranges=NC_000017.11:0-3000000000');
  t.match(dx.body, /demo-dx-brca1/, 'dx implications over a range past 2^31 find the BRCA1 one');

  const specific = '/fhir/$find-subject-specific-variants?subject=Patient/demo-p1&variants=';
  t.ok(await presence(`${specific}NC_000007.14:55191821:T:G`), 'the stored T>G');
  t.ok(await presence(`${specific}NC_000007.14:55191821:1:G`), 'one deleted base, unnamed: matches');
  t.ok(await presence(`${specific}NC_000007.14:g.55191822T>G`), 'HGVS with the right base');
  t.notOk(await presence(`${specific}NC_000007.14:55191821:A:G`), 'a wrong deleted base: absent');
  t.notOk(await presence(`${specific}NC_000007.14:g.55191822A>G`), 'HGVS with a wrong base: absent');
  const pop = async (v: string) => (await app.inject(`/fhir/$find-population-specific-variants?variants=${v}`)).body;
  t.match(await pop('NC_000007.14:55191821:T:G'), /"name":"numerator","valueQuantity":\{"value":1\}/, 'population: the right one counts');
  t.match(await pop('NC_000007.14:55191821:C:G'), /"name":"numerator","valueQuantity":\{"value":0\}/, 'population: a wrong base counts nobody');

  const range = '/fhir/$find-subject-variants?subject=Patient/demo-p1&ranges=NC_000007.14:55191821-55191822&genomicSourceClass=';
  t.ok(await presence(`${range}LA6684-0`), 'somatic by its LOINC code');
  t.ok(await presence(`${range}somatic`), 'somatic by its word');
  t.ok(await presence(`${range}http://loinc.org|LA6684-0`), 'with its system');
  t.notOk(await presence(`${range}germline`), 'germline: absent, rightly');
  const typo = await app.inject(`${range}blah`);
  t.equal(typo.statusCode, 400, 'an unknown source class is an error, not "absent"');
  t.match(typo.json().issue[0].diagnostics, /genomicSourceClass 'blah' is not a genomic source class/);
});

t.test('a comma list in a POST valueString reads as it does over GET', async (t) => {
  const app = await docsApp({ seed: true });
  t.teardown(() => app.close());
  const ranges = 'NC_000007.14:55191821-55191822,NC_000007.14:1-2';
  const get = await app.inject(`/fhir/$find-subject-variants?subject=Patient/demo-p1&ranges=${ranges}`);
  const post = await app.inject({ method: 'POST', url: '/fhir/$find-subject-variants', headers: { 'content-type': 'application/fhir+json' },
    payload: JSON.stringify({ resourceType: 'Parameters', parameter: [{ name: 'subject', valueString: 'Patient/demo-p1' }, { name: 'ranges', valueString: ranges }] }) });
  t.equal(post.statusCode, 200, post.body.slice(0, 200));
  t.same(post.json(), get.json(), 'the same answer: two ranges');
  t.equal(post.json().parameter.filter((p: { name: string }) => p.name === 'variants').length, 2);
});

t.test('a range on an accession that is no RefSeq nucleotide sequence answers 400 naming ranges, not "absent"', async (t) => {
  // A protein (NP_), or a prefix RefSeq does not have, can hold no stored Variant's location:
  // answering presence false for it was a silent miss.
  const app = await docsApp({ seed: true });
  t.teardown(() => app.close());
  for (const range of ['NP_005219.2:0-100', 'XP_011515367.1:0-100', 'ZZ_000007.14:55191821-55191822', 'WP_000001.1:0-10']) {
    for (const url of [
      `/fhir/$find-subject-variants?subject=Patient/demo-p1&ranges=${range}`,
      `/fhir/$find-subject-structural-intersecting-variants?subject=Patient/demo-p1&ranges=${range}`,
      `/fhir/$find-subject-tx-implications?subject=Patient/demo-p1&ranges=${range}`,
      `/fhir/$find-study-metadata?subject=Patient/demo-p1&ranges=${range}`,
      `/fhir/$find-population-structural-subsuming-variants?ranges=${range}`,
    ]) {
      const res = await app.inject(url);
      t.equal(res.statusCode, 400, `${url}: ${res.body.slice(0, 200)}`);
      t.same(res.json().issue?.[0]?.expression, ['ranges'], url);
    }
  }
  for (const range of ['NC_000007.14:55191821-55191822', 'NG_007726.3:0-100', 'NM_005228.5:0-100', 'NT_187361.1:0-100', 'NW_003315950.2:0-100', 'NR_024540.1:0-10', 'XM_011515365.1:0-10']) {
    const res = await app.inject(`/fhir/$find-subject-variants?subject=Patient/demo-p1&ranges=${range}`);
    t.equal(res.statusCode, 200, `${range}: a nucleotide accession is asked (${res.body.slice(0, 200)})`);
  }
});
