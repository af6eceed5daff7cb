import t from 'tap';
import type { Observation, Parameters } from '@medplum/fhirtypes';
import { docsApp } from '../docs/helpers.js';
import { groups, opGet, partValue, put } from './helpers.js';

/**
 * `genomicSourceClass` on the haplotype and implication operations. In the IG only the Variant
 * profile has a genomic-source-class component: Haplotype, Genotype and the implications have
 * none, so filtering them by their own component answered every such question "absent" (demo-p3's
 * CYP2C19 genotype, from a germline variant, was not found as germline). They have the class of
 * the Variants they derive from, through Genotypes and Haplotypes too, and only of the subject's own.
 */
const TBD = 'http://hl7.org/fhir/uv/genomics-reporting/CodeSystem/tbd-codes-cs';

t.test('genomicSourceClass reaches haplotypes, genotypes and implications through the variants they derive from', async (t) => {
  const app = await docsApp({ seed: true });
  t.teardown(() => app.close());
  // a molecular consequence of demo-p1's somatic EGFR variant
  const mc: Observation = {
    resourceType: 'Observation', id: 'mc-egfr', status: 'final', code: { coding: [{ system: TBD, code: 'molecular-consequence' }] },
    subject: { reference: 'Patient/demo-p1' }, derivedFrom: [{ reference: 'Observation/demo-var-egfr-l858r' }],
  };
  await put(app, mc);
  // demo-p1's genotype naming demo-p2's germline variant: another patient's class is no basis
  const borrowed: Observation = {
    resourceType: 'Observation', id: 'gt-borrowed', status: 'final', code: { coding: [{ system: 'http://loinc.org', code: '84413-4' }] },
    subject: { reference: 'Patient/demo-p1' }, valueCodeableConcept: { coding: [{ system: 'http://www.pharmvar.org', code: 'BRCA1-borrowed' }], text: 'BRCA1-borrowed' },
    derivedFrom: [{ reference: 'Observation/demo-var-brca1' }],
    component: [{ code: { coding: [{ system: 'http://loinc.org', code: '48018-6' }] }, valueCodeableConcept: { coding: [{ system: 'http://www.genenames.org', code: 'HGNC:1100', display: 'BRCA1' }] } }],
  };
  await put(app, borrowed);

  const body = async (op: string, q: Record<string, string>) => {
    const res = await opGet(app, op, q);
    t.equal(res.statusCode, 200, `${op} ${JSON.stringify(q)}: ${res.body.slice(0, 300)}`);
    return res.json() as Parameters;
  };
  // the resources answered under `name`, at the top level or inside a group
  const ids = (p: Parameters, name: string): string[] => (p.parameter ?? []).flatMap((x) => [x, ...(x.part ?? [])])
    .filter((x) => x.name === name).map((x) => x.resource!.id!);
  for (const [source, want] of [['germline', true], ['LA6683-2', true], ['somatic', false]] as const) {
    const hap = await body('find-subject-haplotypes', { subject: 'demo-p3', genes: 'CYP2C19', genomicSourceClass: source });
    t.same(ids(hap, 'genotype'), want ? ['demo-gt-cyp2c19'] : [], `haplotypes, ${source}`);
    const specific = await body('find-subject-specific-haplotypes', { subject: 'demo-p3', haplotypes: 'CYP2C19*2/*2', genomicSourceClass: source });
    t.equal(partValue(groups(specific, 'haplotypes')[0], 'presence'), want, `specific haplotypes, ${source}`);
    const tx = await body('find-subject-tx-implications', { subject: 'demo-p3', genomicSourceClass: source });
    t.same(ids(tx, 'implication'), want ? ['demo-tx-cyp2c19-clopidogrel'] : [], `tx implications (genotype -> variant), ${source}`);
    const dx = await body('find-subject-dx-implications', { subject: 'demo-p2', genomicSourceClass: source });
    t.same(ids(dx, 'implication'), want ? ['demo-dx-brca1'] : [], `dx implications, ${source}`);
    const popHap = await body('find-population-specific-haplotypes', { haplotypes: 'CYP2C19*2/*2', genomicSourceClass: source });
    t.same(partValue(groups(popHap, 'haplotypes')[0], 'numerator'), { value: want ? 1 : 0 }, `population haplotypes, ${source}`);
    const popTx = await body('find-population-tx-implications', { treatments: '32968', genomicSourceClass: source });
    t.same(partValue(groups(popTx, 'implications')[0], 'numerator'), { value: want ? 1 : 0 }, `population tx implications, ${source}`);
  }
  for (const [source, want] of [['somatic', true], ['germline', false]] as const) {
    const tx = await body('find-subject-tx-implications', { subject: 'demo-p1', genomicSourceClass: source });
    t.same(ids(tx, 'implication'), want ? ['demo-tx-egfr-osimertinib'] : [], `demo-p1 tx, ${source}`);
    const mcs = await body('find-subject-molecular-consequences', { subject: 'demo-p1', genomicSourceClass: source });
    t.same(ids(mcs, 'consequence'), want ? ['mc-egfr'] : [], `molecular consequences, ${source}`);
    const popMc = await body('find-population-molecular-consequences', { genomicSourceClass: source });
    t.same(partValue(groups(popMc, 'consequences')[0], 'numerator'), { value: want ? 1 : 0 }, `population molecular consequences, ${source}`);
  }
  const mine = await body('find-subject-haplotypes', { subject: 'demo-p1', genes: 'BRCA1' });
  t.same(ids(mine, 'genotype'), ['gt-borrowed'], 'without genomicSourceClass the genotype is found');
  const asGermline = await body('find-subject-haplotypes', { subject: 'demo-p1', genes: 'BRCA1', genomicSourceClass: 'germline' });
  t.same(ids(asGermline, 'genotype'), [], "demo-p2's germline variant lends demo-p1's genotype no class");
});

t.test('an unknown genomicSourceClass is refused even when nothing would be found', async (t) => {
  const app = await docsApp({ seed: true });
  t.teardown(() => app.close());
  for (const [op, q] of [
    ['find-subject-tx-implications', { subject: 'demo-p1', variants: 'NC_000001.11:100:A:G' }],
    ['find-population-dx-implications', { conditions: 'nothing-has-this' }],
    ['find-subject-haplotypes', { subject: 'demo-p1', genes: 'NOGENE' }],
  ] as const) {
    const res = await opGet(app, op, { ...q, genomicSourceClass: 'blah' });
    t.equal(res.statusCode, 400, `${op}: ${res.body.slice(0, 200)}`);
    t.same(res.json().issue?.[0]?.expression, ['genomicSourceClass']);
  }
});
