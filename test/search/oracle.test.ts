import t, { type Test } from 'tap';
import type { Bundle } from '@medplum/fhirtypes';
import { testConfig } from '../../src/config.js';
import { searchBundle } from '../../src/search/search-service.js';
import { buildDataset, rangedValues, seededStore, structuralVariants, type R } from './dataset.js';
import {
  codings, components, datePrefix, ext, fold, interval, numberMatch, overlaps, periodInterval, quantityMatch, refIs, sequenceRegions, tokenMatch, variantRegion,
} from './oracle.js';

/**
 * Result sets of the engine against the naive oracle (oracle.ts) on a seeded data set, every
 * search collected by following `next` links with a small page size (so paging is covered too).
 */
const data = [...buildDataset(), ...structuralVariants(), ...rangedValues()];
const store = seededStore(t, data, 'fgs-oracle-');
const ctx = { config: testConfig({ defaultCount: 5 }), store };
const BASE = 'http://localhost/fhir';

function toQuery(qs: string): Record<string, string[]> {
  const q: Record<string, string[]> = {};
  for (const [k, v] of new URLSearchParams(qs)) (q[k] ??= []).push(v);
  return q;
}

/** Every match, following next links; fails on duplicates. */
async function all(type: string, qs: string, extra: Partial<{ compartment: { resourceType: string; id: string } }> = {}) {
  const ids: string[] = [];
  const included: string[] = [];
  let query = toQuery(qs);
  for (let page = 0; page < 200; page++) {
    const b: Bundle = await searchBundle(ctx, { resourceType: type, query, strict: true, baseUrl: BASE, ...extra });
    for (const e of b.entry ?? []) {
      const k = `${e.resource!.resourceType}/${e.resource!.id}`;
      if (e.search?.mode === 'match') ids.push(k);
      else if (e.search?.mode === 'include') included.push(k);
    }
    const next = b.link?.find((l) => l.relation === 'next')?.url;
    if (!next) break;
    query = toQuery(next.split('?')[1]);
  }
  return { ids, included };
}

const of = (type: string, pred: (r: R) => boolean) => data.filter((r) => r.resourceType === type && pred(r)).map((r) => `${type}/${r.id}`);
const sorted = (xs: string[]) => [...xs].sort();

async function check(tt: Test, type: string, qs: string, pred: (r: R) => boolean) {
  const { ids } = await all(type, qs);
  tt.equal(new Set(ids).size, ids.length, `${qs}: no duplicates across pages`);
  tt.same(sorted(ids), sorted(of(type, pred)), `${type}?${qs}`);
}

type Case = [type: string, qs: string, pred: (r: R) => boolean];
const obsDate = (r: R) => periodInterval(r.effectiveDateTime ?? r.effectivePeriod);
const gene = (r: R) => [...components(r, '48018-6').map((c) => c.valueCodeableConcept), ...ext(r, 'observation-geneticsGene').map((e) => e.valueCodeableConcept)];
const hgvs = (r: R) => [
  ...['48004-6', '81290-9', '81252-9'].flatMap((c) => components(r, c)).flatMap((c) => codings(c.valueCodeableConcept).map((x) => x.code!)),
  ...ext(r, 'observation-geneticsVariant').flatMap((e) => e.extension.flatMap((s: any) => codings(s.valueCodeableConcept).map((x) => x.code!))),
];
/** uri :below: the url itself or one under it by path (search.html#uri). */
const below = (url: string, q: string) => url === q || url.startsWith(`${q}/`);
const names = (r: R) => (r.name ?? []).flatMap((n: any) => [n.family, ...(n.given ?? [])]).filter(Boolean) as string[];

const cases: Case[] = [
  // token
  ['Observation', 'code=69548-6', (r) => tokenMatch(r.code, '69548-6')],
  ['Observation', 'code=http://loinc.org|8480-6', (r) => tokenMatch(r.code, 'http://loinc.org|8480-6')],
  ['Observation', 'code=http://loinc.org|', (r) => tokenMatch(r.code, 'http://loinc.org|')],
  ['Observation', 'status=amended,preliminary', (r) => ['amended', 'preliminary'].includes(r.status)],
  ['Observation', 'status:not=final', (r) => r.status !== 'final'],
  ['Observation', 'status=final&code=8480-6', (r) => r.status === 'final' && tokenMatch(r.code, '8480-6')],
  ['Observation', 'code:text=glucose', (r) => codings(r.code).some((c) => fold(c.display ?? '').split(/\s/).some((w) => w.startsWith('glucose'))) || fold(r.code?.text ?? '').startsWith('glucose')],
  // :missing: the expression's elements, `(value as Quantity) | (value as SampledData)`, whatever they give
  ['Observation', 'value-quantity:missing=true', (r) => !r.valueQuantity && !r.valueSampledData],
  ['Observation', 'value-quantity:missing=false', (r) => !!(r.valueQuantity ?? r.valueSampledData)],
  ['Observation', 'combo-value-quantity:missing=false', (r) => !!(r.valueQuantity ?? r.valueSampledData) || (r.component ?? []).some((c: any) => c.valueQuantity ?? c.valueSampledData)],
  ['Observation', 'value-concept:missing=true', (r) => !r.valueCodeableConcept],
  ['Observation', 'value-concept:missing=false', (r) => !!r.valueCodeableConcept],
  ['Patient', 'identifier=urn:mrn|M2', (r) => tokenMatch(r.identifier, 'urn:mrn|M2')],
  ['Patient', 'identifier:of-type=http://terminology.hl7.org/CodeSystem/v2-0203|MR|M3', (r) => r.identifier?.some((i: any) => i.value === 'M3' && i.type?.coding?.some((c: any) => c.code === 'MR'))],
  ['Patient', '_tag=urn:tags|vip', (r) => tokenMatch(r.meta?.tag, 'urn:tags|vip')],
  ['Observation', '_tag=vip', (r) => tokenMatch(r.meta?.tag, 'vip')],
  ['Patient', 'gender=female,other', (r) => ['female', 'other'].includes(r.gender)],
  // a `code` element with a required binding to one code system has that system
  // (datatypes.html#code): found with it, and not as a code without a system (`|male`)
  ['Patient', 'gender=http://hl7.org/fhir/administrative-gender|male', (r) => r.gender === 'male'],
  ['Patient', 'gender=http://hl7.org/fhir/administrative-gender|', (r) => typeof r.gender === 'string'],
  ['Patient', 'gender=male', (r) => r.gender === 'male'],
  ['Patient', 'gender=|male', () => false],
  ['Patient', 'gender=http://example.org/other|male', () => false],
  ['Observation', 'status=http://hl7.org/fhir/observation-status|final,http://hl7.org/fhir/observation-status|amended', (r) => ['final', 'amended'].includes(r.status)],
  ['Observation', 'status:not=http://hl7.org/fhir/observation-status|final', (r) => r.status !== 'final'],
  ['DocumentReference', 'contenttype=urn:ietf:bcp:13|application/pdf', (r) => r.content.some((c: any) => c.attachment.contentType === 'application/pdf')],
  ['Specimen', 'type=http://snomed.info/sct|119297000', (r) => tokenMatch(r.type, 'http://snomed.info/sct|119297000')],
  ['Task', 'status=requested&priority=urgent', (r) => r.status === 'requested' && r.priority === 'urgent'],
  ['ServiceRequest', 'status=active', (r) => r.status === 'active'],
  ['Observation', '_id=vs1,vs2,nope', (r) => ['vs1', 'vs2'].includes(r.id)],
  // string
  ['Patient', 'name=mul', (r) => names(r).some((n) => fold(n).startsWith('mul'))],
  ['Patient', 'family=smith', (r) => names(r).slice(0, 1).some((n) => fold(n).startsWith('smith'))],
  ['Patient', 'name:exact=Müller', (r) => names(r).includes('Müller')],
  ['Patient', 'name:contains=RCI', (r) => names(r).some((n) => fold(n).includes('rci'))],
  ['Patient', 'given=anna', (r) => (r.name ?? []).some((n: any) => (n.given ?? []).some((g: string) => fold(g).startsWith('anna')))],
  // reference
  ['Observation', 'subject=Patient/px2', (r) => refIs(r.subject, 'Patient/px2')],
  ['Observation', 'patient=px3', (r) => refIs(r.subject, 'Patient/px3')],
  ['Observation', 'subject:Patient=pat-1', (r) => refIs(r.subject, 'Patient/pat-1')],
  ['Observation', `subject=${BASE}/Patient/px1`, (r) => refIs(r.subject, 'Patient/px1')],
  ['Observation', 'subject:identifier=urn:mrn|M0', (r) => r.subject?.identifier?.value === 'M0'],
  ['DiagnosticReport', 'result=Observation/var-1-3', (r) => (r.result ?? []).some((x: any) => refIs(x, 'Observation/var-1-3'))],
  ['ServiceRequest', 'specimen=sp2', (r) => refIs(r.specimen?.[0], 'Specimen/sp2')],
  ['Task', 'focus=ServiceRequest/sr4', (r) => refIs(r.focus, 'ServiceRequest/sr4')],
  ['DiagnosticReport', 'assessed-condition=Condition/cond1', (r) => r.id === 'drx'],
  // date: every prefix, on points and periods
  ...['2020', '2020-03', '2020-03-04', 'ne2020', 'gt2020', 'lt2020-03', 'ge2020-03-04', 'le2020-03', 'sa2020', 'eb2020-03-04', 'ge2019-12-31T00:00:00Z'].map(
    (v): Case => ['Observation', `date=${encodeURIComponent(v)}`, (r) => datePrefix(obsDate(r), v)],
  ),
  // every prefix on Periods open at either end, and at each precision (search.html#prefix, ranges)
  ...['le2020-03-04', 'ge2020-03-04', 'lt2020-03-04', 'gt2020-03-04', 'ap2020-03', 'ap2020-03-04', 'ne2020-03-04', 'eb2020-03-05', 'sa2020-03-03', 'le2019', 'ge2022',
    'sa2020-03-04T11:00:00Z', 'eb2019-06-01', 'le2020-03-04T09:00:00Z', 'ge2020-03-04T13:00:00Z', 'ap2019-06-15', '2020-03-04T10:00:00Z'].map(
    (v): Case => ['Observation', `date=${encodeURIComponent(v)}`, (r) => datePrefix(obsDate(r), v)],
  ),
  ['Observation', 'date=ge2020&date=lt2021', (r) => datePrefix(obsDate(r), 'ge2020') && datePrefix(obsDate(r), 'lt2021')],
  ['Patient', 'birthdate=1970', (r) => datePrefix(periodInterval(r.birthDate), '1970')],
  ['Patient', 'birthdate=1970-05', (r) => datePrefix(periodInterval(r.birthDate), '1970-05')],
  ['Procedure', 'date=ge2020-03', (r) => datePrefix(periodInterval(r.performedPeriod), 'ge2020-03')],
  ['ServiceRequest', 'authored=lt2020-03-04', (r) => datePrefix(periodInterval(r.authoredOn), 'lt2020-03-04')],
  ['DocumentReference', 'date=2020-03-04', (r) => datePrefix(periodInterval(r.date), '2020-03-04')],
  ['Specimen', 'collected=2020', (r) => datePrefix(periodInterval(r.collection?.collectedDateTime), '2020')],
  ['Observation', '_lastUpdated=gt2000-01-01', () => true],
  ['Observation', '_lastUpdated=lt2000-01-01', () => false],
  // quantity and number
  ...['120', 'gt100', 'lt0.2|http://unitsofmeasure.org|g', '0.12|http://unitsofmeasure.org|g', 'ge95||mg', 'le5.4|http://unitsofmeasure.org|mmol/L', '140||mm[Hg]', 'ne120'].map(
    (v): Case => ['Observation', `value-quantity=${encodeURIComponent(v)}`, (r) => quantityMatch(r.valueQuantity, v)],
  ),
  ['Observation', 'component-value-quantity=gt40', (r) => (r.component ?? []).some((c: any) => quantityMatch(c.valueQuantity, 'gt40'))],
  ['Observation', 'combo-value-quantity=lt50', (r) => [r.valueQuantity, ...(r.component ?? []).map((c: any) => c.valueQuantity)].some((q) => quantityMatch(q, 'lt50'))],
  // AND of repeats, one value each: every repeat is met by some value of the resource, not
  // necessarily the same one (search.html#combining); also on multi-valued fields
  ['Observation', 'value-quantity=gt90&value-quantity=lt130', (r) => quantityMatch(r.valueQuantity, 'gt90') && quantityMatch(r.valueQuantity, 'lt130')],
  ['Observation', 'value-quantity=gt90&value-quantity=gt90', (r) => quantityMatch(r.valueQuantity, 'gt90')],
  ['Observation', 'combo-value-quantity=gt90&combo-value-quantity=lt50', (r) => {
    const qs = [r.valueQuantity, ...(r.component ?? []).map((c: any) => c.valueQuantity)];
    return qs.some((q) => quantityMatch(q, 'gt90')) && qs.some((q) => quantityMatch(q, 'lt50'));
  }],
  ['MolecularSequence', 'window-start=ge55050000&window-start=le55100000', (r) => r.referenceSeq.windowStart >= 55_050_000 && r.referenceSeq.windowStart <= 55_100_000],
  ['MolecularSequence', 'variant-start=gt55000000&variant-start=lt55200000', (r) => r.variant.some((v: any) => v.start > 55_000_000) && r.variant.some((v: any) => v.start < 55_200_000)],
  ['Observation', 'component-code-value-quantity=8462-4$gt40&component-code-value-quantity=8462-4$lt100',
    (r) => (r.component ?? []).some((c: any) => tokenMatch(c.code, '8462-4') && quantityMatch(c.valueQuantity, 'gt40'))
      && (r.component ?? []).some((c: any) => tokenMatch(c.code, '8462-4') && quantityMatch(c.valueQuantity, 'lt100'))],
  ['MolecularSequence', 'variant-start=gt55100000', (r) => r.variant.some((v: any) => v.start > 55_100_000)],
  ['MolecularSequence', 'window-start=55050000', (r) => r.referenceSeq.windowStart === 55_050_000],
  ['MolecularSequence', 'variant-start=le55000100', (r) => r.variant.some((v: any) => v.start <= 55_000_100)],
  // quantities that stand for ranges: a stated comparator (`<5`), a Range, open-ended ones
  // (oracle.ts extentOf/extentMatch), every prefix, with and without units
  ...['5|http://unitsofmeasure.org|mmol/L', 'lt5', 'le5', 'gt5', 'ge5', 'sa5', 'eb5', 'ap5', 'ne5', 'gt4.99', 'ge0.1|http://unitsofmeasure.org|g', 'lt100||mg', 'le5.4|http://unitsofmeasure.org|mmol/L', 'eb5.4', 'sa0.1||g', 'ap1', 'ap0.2|http://unitsofmeasure.org|g', 'ap130'].map(
    (v): Case => ['Observation', `value-quantity=${encodeURIComponent(v)}`, (r) => quantityMatch(r.valueQuantity, v)],
  ),
  ...['0.088|http://unitsofmeasure.org|mmol/L', 'gt0.05|http://unitsofmeasure.org|mmol/L', '88|http://unitsofmeasure.org|umol/L', 'lt100||umol/L',
    '37|http://unitsofmeasure.org|Cel', '37.2|http://unitsofmeasure.org|Cel', 'ge99|http://unitsofmeasure.org|[degF]', 'lt37.5||Cel', '99|http://unitsofmeasure.org|[degF]', 'gt310|http://unitsofmeasure.org|K'].map(
    (v): Case => ['Observation', `value-quantity=${encodeURIComponent(v)}`, (r) => quantityMatch(r.valueQuantity, v)],
  ),
  ['Observation', 'component-value-quantity=ge40', (r) => (r.component ?? []).some((c: any) => quantityMatch(c.valueQuantity, 'ge40'))],
  ['Observation', 'component-code-value-quantity=8462-4$sa39', (r) => (r.component ?? []).some((c: any) => tokenMatch(c.code, '8462-4') && quantityMatch(c.valueQuantity, 'sa39'))],
  ...['35', 'ge35', 'gt40', 'lt30', 'le30', 'sa45', 'eb25', 'ap36', 'ne35', '35||a', 'ge60|http://unitsofmeasure.org|a', 'le20'].map(
    (v): Case => ['Condition', `onset-age=${encodeURIComponent(v)}`, (r) => quantityMatch(r.onsetAge ?? r.onsetRange, v)],
  ),
  ['Condition', 'abatement-age=ge42', (r) => quantityMatch(r.abatementAge ?? r.abatementRange, 'ge42')],
  ...['0.3', 'gt0.35', 'ge0.4', 'lt0.25', 'le0.2', 'sa0.45', 'eb0.1', 'ap0.5', 'ne0.3', '0.5'].map(
    (v): Case => ['RiskAssessment', `probability=${v}`, (r) => r.prediction.some((p: any) => numberMatch(p.probabilityDecimal ?? p.probabilityRange, v))],
  ),
  ...['ge70', 'lt18', 'gt64', '70', 'ap60', 'sa66', 'eb17||a', 'ne70'].map(
    (v): Case => ['PlanDefinition', `context-quantity=${encodeURIComponent(v)}`, (r) => r.useContext.some((u: any) => quantityMatch(u.valueQuantity ?? u.valueRange, v))],
  ),
  ['PlanDefinition', `context-type-quantity=${encodeURIComponent('http://terminology.hl7.org/CodeSystem/usage-context-type|age$gt64')}`,
    (r) => r.useContext.some((u: any) => tokenMatch(u.code, 'http://terminology.hl7.org/CodeSystem/usage-context-type|age') && quantityMatch(u.valueQuantity ?? u.valueRange, 'gt64'))],
  // uri
  ['Observation', '_profile=http://hl7.org/fhir/StructureDefinition/vitalsigns', (r) => (r.meta?.profile ?? []).includes('http://hl7.org/fhir/StructureDefinition/vitalsigns')],
  ['Observation', '_profile:below=http://hl7.org/fhir/uv/genomics-reporting', (r) => (r.meta?.profile ?? []).some((p: string) => below(p, 'http://hl7.org/fhir/uv/genomics-reporting'))],
  ['Observation', '_profile:below=http://hl7.org/fhir/StructureDefinition/vital', (r) => (r.meta?.profile ?? []).some((p: string) => below(p, 'http://hl7.org/fhir/StructureDefinition/vital'))],
  ['Observation', '_profile:below=http://hl7.org/fhir/StructureDefinition', (r) => (r.meta?.profile ?? []).some((p: string) => below(p, 'http://hl7.org/fhir/StructureDefinition'))],
  ['DocumentReference', 'contenttype=application/pdf', (r) => r.content.some((c: any) => c.attachment.contentType === 'application/pdf')],
  // composite
  ['Observation', 'component-code-value-quantity=8462-4$gt50', (r) => (r.component ?? []).some((c: any) => tokenMatch(c.code, '8462-4') && quantityMatch(c.valueQuantity, 'gt50'))],
  ['Observation', 'code-value-quantity=http://loinc.org|8480-6$ge100', (r) => tokenMatch(r.code, 'http://loinc.org|8480-6') && quantityMatch(r.valueQuantity, 'ge100')],
  ['Observation', 'component-code-value-concept=http://loinc.org|48018-6$HGNC:3236', (r) => components(r, '48018-6').some((c) => tokenMatch(c.valueCodeableConcept, 'HGNC:3236'))],
  ['Observation', 'code-value-date=8480-6$ge2020-03', (r) => tokenMatch(r.code, '8480-6') && datePrefix(periodInterval(r.valueDateTime ?? r.valuePeriod), 'ge2020-03')],
  ['Observation', 'code-value-date=8480-6$lt2020', (r) => tokenMatch(r.code, '8480-6') && datePrefix(periodInterval(r.valueDateTime ?? r.valuePeriod), 'lt2020')],
  // genetics, both representations
  ['Observation', 'gene-identifier=HGNC:3236', (r) => gene(r).some((g) => tokenMatch(g, 'HGNC:3236'))],
  ['Observation', 'gene-identifier=http://www.genenames.org/geneId|HGNC:1100', (r) => gene(r).some((g) => tokenMatch(g, 'http://www.genenames.org/geneId|HGNC:1100'))],
  ['Observation', 'gene-identifier=TP53', (r) => gene(r).some((g) => codings(g).some((c) => c.display === 'TP53'))],
  ['Observation', 'dna-variant=NM_005228.5:c.2574', (r) => hgvs(r).some((h) => fold(h).startsWith('nm_005228.5:c.2574'))],
  ['Observation', 'dna-variant:contains=ins', (r) => hgvs(r).some((h) => fold(h).includes('ins'))],
  ['Observation', 'amino-acid-change=p.Leu858', (r) => ext(r, 'observation-geneticsAminoAcidChange').length > 0 && r.id === 'gx0' || [...components(r, '48005-3').map((c) => c.valueCodeableConcept.coding[0].code)].some((p) => fold(p).startsWith('p.leu858'))],
  ['Observation', `gene-dnavariant=${encodeURIComponent('EGFR$NM_005228.5:c.2574T>G')}`, (r) => r.id === 'gx1'],
  // genomic region (0-based, half-open)
  ['Observation', 'genomic-region=NC_000007.14:55019016-55211628', (r) => overlaps(variantRegion(r), 'NC_000007.14', 55019016, 55211628)],
  ['Observation', 'genomic-region=NC_000017.11:7661778-7687538', (r) => overlaps(variantRegion(r), 'NC_000017.11', 7661778, 7687538)],
  ['Observation', 'genomic-region=NC_000007.14:55019000-55019050', (r) => overlaps(variantRegion(r), 'NC_000007.14', 55019000, 55019050)],
  ['Observation', 'genomic-region=NC_000007.14:53000000-56000000&subject=Patient/px5', (r) => overlaps(variantRegion(r), 'NC_000007.14', 53000000, 56000000) && refIs(r.subject, 'Patient/px5')],
  ['MolecularSequence', 'genomic-region=NC_000007.14:55040000-55050000', (r) => sequenceRegions(r).some((x) => overlaps(x, 'NC_000007.14', 55040000, 55050000))],
  ['MolecularSequence', 'genomic-region=NC_000007.14:55100100-55100101', (r) => sequenceRegions(r).some((x) => overlaps(x, 'NC_000007.14', 55100100, 55100101))],
];

t.test('every parameter type, prefix and modifier against the oracle', async (t) => {
  for (const [type, qs, pred] of cases) await check(t, type, qs, pred);
});

t.test('sanity: the oracle cases are not vacuous', async (t) => {
  let nonEmpty = 0;
  for (const [type, , pred] of cases) if (of(type, pred).length) nonEmpty++;
  t.ok(nonEmpty > cases.length * 0.8, `${nonEmpty} of ${cases.length} cases expect results`);
  t.ok(interval('2020')[1] > interval('2020')[0]);
});
