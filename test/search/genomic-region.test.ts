import t from 'tap';
import { readFileSync } from 'node:fs';
import type { Bundle, Observation, Parameters } from '@medplum/fhirtypes';
import { testApp } from '../fhir/helpers.js';
import { fixture } from '../vcf/helpers.js';

/**
 * `genomic-region` on imported Variants, against the genomics operations on the same data: both
 * read a Variant's extent by the one rule (src/genomics/operations/variant-extent.ts), so an
 * imprecise structural variant, which states only outer (81301-4) and inner (81302-2) start-end
 * ranges, is found by its outer range like $find-subject-structural-intersecting-variants finds
 * it. genomic-region reads every Variant: what it finds is what the simple operation
 * ($find-subject-variants) and the structural one find together.
 */
t.test('an imprecise structural variant is found by genomic-region as the intersecting operations find it', async (t) => {
  const app = await testApp(t);
  const imported = await app.inject({
    method: 'POST', url: '/fhir/$import-vcf?patient=t2&build=GRCh38', headers: { 'content-type': 'text/x-vcf' },
    payload: readFileSync(fixture('vcf_structural_variants.vcf')),
  });
  t.equal(imported.statusCode, 200, imported.body.slice(0, 300));
  // 1  10477130  <DEL>  IMPRECISE;END=10477585;CIPOS=-140,140;CIEND=-140,140: outer [10476990, 10477725), inner [10477270, 10477445)
  const all = (await app.inject('/fhir/Observation?subject=Patient/t2&_count=100')).json() as Bundle<Observation>;
  const sv = all.entry?.map((e) => e.resource).find((o) => o?.identifier?.[0]?.value === 't2|GRCh38|NA12877_S1|1:10477130:C><DEL>');
  t.ok(sv, 'the imprecise <DEL> was imported');
  const codes = (sv?.component ?? []).map((c) => c.code.coding?.[0]?.code);
  t.ok(codes.includes('81301-4') && codes.includes('81302-2') && !codes.includes('81254-5'), 'it has outer and inner ranges and no exact one');

  const ranges: Array<[string, boolean]> = [
    ['NC_000001.11:10477300-10477400', true], // inside the inner range
    ['NC_000001.11:10477000-10477050', true], // in the outer range only (before POS: a CIPOS flank)
    ['NC_000001.11:10477700-10477800', true], // straddling the outer end
    ['NC_000001.11:10476000-10476990', false], // ends where the outer range starts (half-open)
    ['NC_000001.11:10477725-10477800', false], // starts where the outer range ends
  ];
  for (const [range, hit] of ranges) {
    const opIds: Array<string | undefined> = [];
    for (const name of ['find-subject-variants', 'find-subject-structural-intersecting-variants']) {
      const op = (await app.inject(`/fhir/$${name}?subject=Patient/t2&ranges=${range}&includeVariants=true`)).json() as Parameters;
      const ids = (op.parameter?.[0]?.part ?? []).filter((p) => p.name === 'variant').map((p) => p.resource?.id);
      t.equal(ids.includes(sv?.id), hit && name !== 'find-subject-variants', `${range}: ${name} ${hit && name !== 'find-subject-variants' ? 'finds' : 'does not find'} the imprecise <DEL>`);
      opIds.push(...ids);
    }
    const res = await app.inject(`/fhir/Observation?subject=Patient/t2&genomic-region=${range}`);
    t.equal(res.statusCode, 200);
    const searchIds = ((res.json() as Bundle).entry ?? []).filter((e) => e.search?.mode === 'match').map((e) => e.resource?.id);
    t.equal(searchIds.includes(sv?.id), hit, `${range}: genomic-region ${hit ? 'finds' : 'does not find'} the imprecise <DEL>`);
    t.same([...searchIds].sort(), [...opIds].sort(), `${range}: genomic-region finds what the simple and structural operations find`);
  }
});

t.test("hg19's chrM accession (NC_001807.4, what the import writes for it) can be searched", async (t) => {
  const { regionAccessionProblem } = await import('../../src/search/genomics-params.js');
  t.equal(regionAccessionProblem('NC_001807.4'), undefined);
  t.equal(regionAccessionProblem('NC_012920.1'), undefined);
  t.match(regionAccessionProblem('NC_001807.3'), /not a GRCh37 or GRCh38/);
});
