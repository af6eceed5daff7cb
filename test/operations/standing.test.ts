import t from 'tap';
import type { Observation, Parameters } from '@medplum/fhirtypes';
import { testApp } from '../fhir/helpers.js';
import { groups, jak2Variant, opGet, partValue, put } from './helpers.js';

/**
 * Findings that hold no result (registered, cancelled, entered-in-error) and Variants called
 * "Absent" (LA9634-2) are not presence, and are counted nowhere.
 */
const LOINC = 'http://loinc.org';
const TBD = 'http://hl7.org/fhir/uv/genomics-reporting/CodeSystem/tbd-codes-cs';
const code = (c: string) => ({ coding: [{ system: LOINC, code: c }] });

const variant = (id: string, patient: string, over: Partial<Observation> = {}): Observation => jak2Variant(id, patient, undefined, over);

/** A structural call (an imprecise deletion, outer start-end only) of the same patient and standing. */
function structuralVariant(id: string, patient: string, over: Partial<Observation> = {}): Observation {
  const v = variant(id, patient, over);
  v.component = [
    v.component![0], v.component![1],
    { code: code('48019-4'), valueCodeableConcept: { coding: [{ system: 'http://www.sequenceontology.org', code: 'SO:0000159' }] } },
    { code: code('81301-4'), valueRange: { low: { value: 5073500 }, high: { value: 5073900 } } },
  ];
  return v;
}

function genotype(id: string, patient: string, status: Observation['status']): Observation {
  return {
    resourceType: 'Observation', id, status, code: code('84413-4'), subject: { reference: `Patient/${patient}` },
    valueCodeableConcept: { coding: [{ system: 'http://www.pharmvar.org', code: 'CYP2C19*2/*2' }], text: 'CYP2C19*2/*2' },
    component: [{ code: code('48018-6'), valueCodeableConcept: { coding: [{ system: 'http://www.genenames.org', code: 'HGNC:2621', display: 'CYP2C19' }] } }],
  };
}

function txImplication(id: string, patient: string, status: Observation['status'], from: string): Observation {
  return {
    resourceType: 'Observation', id, status, code: { coding: [{ system: TBD, code: 'therapeutic-implication' }] },
    subject: { reference: `Patient/${patient}` }, derivedFrom: [{ reference: `Observation/${from}` }],
  };
}

const CASES: Array<[patient: string, over: Partial<Observation>, present: boolean]> = [
  ['final', {}, true],
  ['preliminary', { status: 'preliminary' }, true],
  ['absent', { valueCodeableConcept: code('LA9634-2') }, false],
  ['in-error', { status: 'entered-in-error' }, false],
  ['cancelled', { status: 'cancelled' }, false],
  ['registered', { status: 'registered', valueCodeableConcept: undefined }, false],
];
const SPDI = 'NC_000009.12:5073769:G:T';

t.test('absent calls and findings without a result are not presence', async (t) => {
  const app = await testApp(t);
  for (const [p, over] of CASES) {
    await put(app, { resourceType: 'Patient', id: p });
    await put(app, variant(`v-${p}`, p, over));
    await put(app, structuralVariant(`sv-${p}`, p, over));
  }
  for (const [p, , present] of CASES) {
    const ranges = (await opGet(app, 'find-subject-variants', { subject: p, ranges: 'NC_000009.12:5073000-5074000', includeVariants: 'true' })).json() as Parameters;
    t.equal(partValue(groups(ranges, 'variants')[0], 'presence'), present, `${p}: $find-subject-variants`);
    const specific = (await opGet(app, 'find-subject-specific-variants', { subject: p, variants: SPDI })).json() as Parameters;
    t.equal(partValue(groups(specific, 'variants')[0], 'presence'), present, `${p}: $find-subject-specific-variants`);
    const structural = (await opGet(app, 'find-subject-structural-intersecting-variants', { subject: p, ranges: 'NC_000009.12:5073000-5074000' })).json() as Parameters;
    t.equal(partValue(groups(structural, 'variants')[0], 'presence'), present, `${p}: structural`);
  }
  const pop = (await opGet(app, 'find-population-specific-variants', { variants: SPDI, includePatientList: 'true' })).json() as Parameters;
  const [g] = groups(pop, 'variants');
  t.same(partValue(g, 'numerator'), { value: 2 }, 'only the final and the preliminary call count');
  t.same(g.filter((p) => p.name === 'subject').map((p) => p.valueString), ['Patient/final', 'Patient/preliminary']);
  const popRange = (await opGet(app, 'find-population-structural-intersecting-variants', { ranges: 'NC_000009.12:5073000-5074000' })).json() as Parameters;
  t.same(partValue(groups(popRange, 'variants')[0], 'numerator'), { value: 2 });
});

t.test('withdrawn haplotypes, genotypes and implications are not found', async (t) => {
  const app = await testApp(t);
  for (const p of ['ok', 'gone']) await put(app, { resourceType: 'Patient', id: p });
  await put(app, genotype('gt-ok', 'ok', 'final'));
  await put(app, genotype('gt-gone', 'gone', 'entered-in-error'));
  await put(app, variant('v-ok', 'ok'));
  await put(app, variant('v-absent', 'ok', { id: 'v-absent', valueCodeableConcept: code('LA9634-2'), component: variant('x', 'ok').component!.map((c) => c.valueString === 'T' ? { ...c, valueString: 'C' } : c) }));
  await put(app, txImplication('tx-ok', 'ok', 'final', 'v-ok'));
  await put(app, txImplication('tx-gone', 'ok', 'entered-in-error', 'v-ok'));
  await put(app, txImplication('tx-on-absent', 'ok', 'final', 'v-absent'));
  await put(app, txImplication('tx-on-withdrawn-gt', 'gone', 'final', 'gt-gone'));
  for (const [p, present] of [['ok', true], ['gone', false]] as const) {
    const hap = (await opGet(app, 'find-subject-specific-haplotypes', { subject: p, haplotypes: 'CYP2C19*2/*2' })).json() as Parameters;
    t.equal(partValue(groups(hap, 'haplotypes')[0], 'presence'), present, `${p}: specific haplotypes`);
    const genes = (await opGet(app, 'find-subject-haplotypes', { subject: p, genes: 'CYP2C19' })).json() as Parameters;
    t.equal(groups(genes, 'haplotypes')[0].filter((x) => x.name === 'genotype').length, present ? 1 : 0, `${p}: haplotypes by gene`);
  }
  const pop = (await opGet(app, 'find-population-specific-haplotypes', { haplotypes: 'CYP2C19*2/*2' })).json() as Parameters;
  t.same(partValue(groups(pop, 'haplotypes')[0], 'numerator'), { value: 1 });
  const ids = (body: Parameters) => (body.parameter ?? []).filter((x) => x.name === 'implication').map((x) => x.resource!.id).sort();
  const all = (await opGet(app, 'find-subject-tx-implications', { subject: 'ok' })).json() as Parameters;
  t.same(ids(all), ['tx-ok', 'tx-on-absent'], 'an entered-in-error implication is not answered');
  t.notOk(JSON.stringify(all).includes('"id":"v-absent"'), 'the absent call an implication derives from is not returned as its variant');
  t.ok(JSON.stringify(all).includes('"id":"v-ok"'), 'a present one is');
  const byVariant = (await opGet(app, 'find-subject-tx-implications', { subject: 'ok', ranges: 'NC_000009.12:5073000-5074000' })).json() as Parameters;
  t.same(ids(byVariant), ['tx-ok'], 'an absent call is no basis for an implication found by range');
  const byGt = (await opGet(app, 'find-subject-tx-implications', { subject: 'gone', haplotypes: 'CYP2C19*2/*2' })).json() as Parameters;
  t.same(ids(byGt), [], 'nor a withdrawn genotype');
  const popTx = (await opGet(app, 'find-population-tx-implications', {})).json() as Parameters;
  t.same(partValue(groups(popTx, 'implications')[0] ?? [], 'numerator'), { value: 2 }, 'ok and gone each have one standing implication');
});

t.test('a withdrawn report is no test and vouches for nothing', async (t) => {
  const app = await testApp(t);
  await put(app, { resourceType: 'Patient', id: 'p' });
  await put(app, variant('v', 'p'));
  const report = (id: string, status: 'final' | 'entered-in-error') => ({
    resourceType: 'DiagnosticReport' as const, id, status, code: code('51969-4'), subject: { reference: 'Patient/p' },
    identifier: [{ value: id }], effectiveDateTime: '2025-03-14', result: [{ reference: 'Observation/v' }],
  });
  await put(app, report('r-ok', 'final'));
  await put(app, report('r-gone', 'entered-in-error'));
  const meta = (await opGet(app, 'find-study-metadata', { subject: 'p' })).json() as Parameters;
  t.same(groups(meta, 'tests').map((g) => partValue(g, 'testId')), ['r-ok']);
  const via = (id: string) => opGet(app, 'find-subject-specific-variants', { subject: 'p', variants: SPDI, testIdentifiers: id });
  t.equal(partValue(groups((await via('r-ok')).json() as Parameters, 'variants')[0], 'presence'), true);
  t.equal(partValue(groups((await via('r-gone')).json() as Parameters, 'variants')[0], 'presence'), false, 'not through the withdrawn report');
});
